package tui

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

// openKick asks to kick the selected session.
func (m *Model) openKick() tea.Cmd {
	r, ok := m.table.current()
	if !ok {
		m.status.setInfo("no session selected")
		return nil
	}
	title := "Kick this session?"
	if r.Own {
		title = "Kick your own session? This logs you out."
	}
	req := actionRequest{kind: actKickSession, token: m.token, refs: []auth.SessionRef{r.Ref}, label: Sanitize(r.Username)}
	lines := []string{
		auth.SummarizeByRole(1, map[string]int{Sanitize(r.Role): 1}),
		"  " + describeSession(r),
	}
	m.confirm = newConfirm(&m.theme, req, title, "Kick", lines)
	return nil
}

// openKickUser asks to kick every session of the selected session's user.
func (m *Model) openKickUser() tea.Cmd {
	r, ok := m.table.current()
	if !ok {
		m.status.setInfo("no session selected")
		return nil
	}
	name := Sanitize(r.Username)
	req := actionRequest{kind: actKickUser, token: m.token, username: r.Username, label: name}
	lines := []string{
		fmt.Sprintf("every session of user %s (%s), on every page, not only this one", name, Sanitize(r.Role)),
	}
	if r.Own {
		lines = append(lines, "this includes your own session: you will be logged out")
	}
	m.confirm = newConfirm(&m.theme, req, "Kick user "+name+"?", "Kick user", lines)
	return nil
}

// openKickTagged asks to kick the tagged sessions, saying which of them the
// filter hides.
func (m *Model) openKickTagged() tea.Cmd {
	if len(m.table.tags) == 0 {
		m.status.setInfo("no sessions tagged (space tags)")
		return nil
	}
	tagged := make([]auth.SessionInfo, 0, len(m.table.tags))
	for _, r := range m.table.tags {
		tagged = append(tagged, r)
	}
	sort.Slice(tagged, func(i, j int) bool { return tagged[i].Ref.RowID < tagged[j].Ref.RowID })
	byRole := map[string]int{}
	refs := make([]auth.SessionRef, 0, len(tagged))
	hidden := 0
	for _, r := range tagged {
		byRole[Sanitize(r.Role)]++
		refs = append(refs, r.Ref)
		if !matchesFilter(m.filter.value(), r.Username, r.CharacterName, r.WorldID, r.ClientType, r.Role) {
			hidden++
		}
	}
	req := actionRequest{kind: actKickTagged, token: m.token, refs: refs, label: plural(len(refs), "tagged session")}
	lines := []string{auth.SummarizeByRole(len(refs), byRole)}
	for i, r := range tagged {
		if i == 5 {
			lines = append(lines, fmt.Sprintf("  and %d more", len(tagged)-5))
			break
		}
		lines = append(lines, "  "+describeSession(r))
	}
	c := newConfirm(&m.theme, req, fmt.Sprintf("Kick %s?", plural(len(refs), "tagged session")), "Kick "+fmt.Sprint(len(refs)), lines)
	if hidden > 0 {
		c.note = fmt.Sprintf("%d of them hidden by the filter %q", hidden, Sanitize(m.filter.value()))
	}
	m.confirm = c
	return nil
}

// openClearAll asks to remove every session; the operator's own is kept
// unless the box is ticked, and the word must be typed.
func (m *Model) openClearAll() tea.Cmd {
	c := m.header.counts
	byRole := map[string]int{}
	for r, n := range c.ByRole {
		byRole[Sanitize(r)] += n
	}
	total := c.Sessions
	if total > 0 && byRole[Sanitize(m.operator.Role)] > 0 {
		byRole[Sanitize(m.operator.Role)]--
		total--
	}
	for r, n := range byRole {
		if n <= 0 {
			delete(byRole, r)
		}
	}
	req := actionRequest{kind: actClearAll, token: m.token, label: "all sessions"}
	lines := []string{
		auth.SummarizeByRole(total, byRole) + " (counted now; every session at the moment of confirming goes)",
		"your own session is kept unless you tick the box below",
	}
	m.confirm = newConfirm(&m.theme, req, "Clear ALL sessions? Every player is logged out.", "Clear all", lines)
	return m.confirm.setFocus(1)
}

// describeSession is one line naming a session: user, role, character,
// world, short id. Everything is sanitised.
func describeSession(r auth.SessionInfo) string {
	where := "account session"
	if r.InWorld {
		where = Sanitize(r.CharacterName) + " in " + Sanitize(r.WorldID)
	}
	return fmt.Sprintf("%s (%s) · %s · %s", Sanitize(r.Username), Sanitize(r.Role), where, auth.ShortID(r.Ref.Token))
}

// onAction reports an action's outcome and refreshes. Kicking your own
// session (or clearing all with it) logs you out.
func (m *Model) onAction(msg actionMsg) tea.Cmd {
	if msg.err != nil {
		switch s := auth.Status(msg.err); {
		case s == 401:
			return m.toLogin(msg.err.Error())
		case errors.Is(msg.err, auth.ErrNotFound):
			m.status.setInfo("session not found: it was already gone, nothing removed")
		default:
			m.status.setError(describeError(msg.err) + ": nothing removed")
		}
		return m.requestPoll()
	}
	res := msg.result
	if msg.kind == actKickTagged || msg.kind == actClearAll {
		clear(m.table.tags) // what was tagged is gone (or was already)
	}
	text := fmt.Sprintf("%s %s (%s)", verbFor(msg.kind), msg.label, res.Summary())
	if msg.kind == actUnban {
		text = fmt.Sprintf("%s %s: the account may log in again", verbFor(msg.kind), msg.label)
	}
	if res.Missing > 0 {
		text += fmt.Sprintf(", %d already gone", res.Missing)
		if msg.kind == actKickScope {
			text += " or changed"
		}
	}
	if msg.skippedRank > 0 {
		text += fmt.Sprintf(", %d skipped by the rank rule", msg.skippedRank)
	}
	if res.SelfRemoved {
		return m.toLogin(text + "; your own session was removed: signed out")
	}
	m.status.setOK(text)
	m.syncKeys()
	return m.requestPoll()
}

func verbFor(k actionKind) string {
	switch k {
	case actClearAll:
		return "cleared"
	case actBan:
		return "banned"
	case actUnban:
		return "unbanned"
	}
	return "kicked"
}

// onLogin enters the monitor with a fresh session, or shows why not.
func (m *Model) onLogin(msg loginMsg) tea.Cmd {
	if msg.err != nil {
		m.login.setError(loginError(msg.err))
		return m.login.focus()
	}
	m.token, m.operator = msg.token, msg.operator
	m.screen = screenMonitor
	m.login = newLogin()
	m.login.setTheme(&m.theme)
	m.status.setOK("signed in as " + Sanitize(msg.operator.Username))
	m.syncKeys()
	return m.requestPoll()
}

// loginError is the form's text for a refused login.
func loginError(err error) string {
	if auth.Status(err) != 0 {
		return err.Error()
	}
	return strings.TrimSpace("sign-in failed: " + describeError(err))
}
