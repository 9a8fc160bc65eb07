package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

// grantsMode is what the grants view lists.
type grantsMode int

const (
	grantsFindings grantsMode = iota // findings, counted by kind
	grantsHolders                    // the accounts holding one permission
	grantsUser                       // one account's permissions and actions
	grantsModes
)

var grantsModeNames = [grantsModes]string{"findings", "holders", "account"}

// grantsView is the monitor's view of who may do what, and why. Its data
// is read with each poll while it is open, one page at a time, through
// auth; it holds only that page.
type grantsView struct {
	mode   grantsMode
	perm   int    // index into auth.Permissions (holders mode)
	user   string // the account shown in account mode (raw, as stored)
	offset int
	// The last answer, and the error (a 404 for a deleted account, say)
	// that replaced it.
	screen  auth.GrantsScreen
	account *auth.UserGrants
	err     string
	loaded  bool
}

// grantsRequest is what one poll reads for the grants view.
type grantsRequest struct {
	mode   grantsMode
	perm   auth.Permission
	user   string
	offset int
	limit  int
}

// grantsResult is the grants view's part of a poll's answer.
type grantsResult struct {
	req     grantsRequest
	screen  auth.GrantsScreen
	account *auth.UserGrants
	err     error
}

func (g *grantsView) request(rows int) *grantsRequest {
	return &grantsRequest{mode: g.mode, perm: auth.Permissions[g.perm], user: g.user, offset: g.offset, limit: max(rows, 1)}
}

func (g *grantsView) set(r *grantsResult) {
	if r.req.mode != g.mode || r.req.offset != g.offset || r.req.user != g.user || (g.mode == grantsHolders && r.req.perm != auth.Permissions[g.perm]) {
		return // the operator moved on while it was read; the next poll brings it
	}
	g.loaded = true
	g.err = ""
	if r.err != nil {
		g.err = describeError(r.err)
		return
	}
	g.screen, g.account = r.screen, r.account
}

// total is how many rows the current mode lists in all.
func (g *grantsView) total() int {
	switch {
	case g.mode == grantsFindings:
		return g.screen.Findings.Total
	case g.mode == grantsHolders && g.screen.Holders != nil:
		return g.screen.Holders.Total
	}
	return 0
}

// scroll moves the page by n rows within the total; it reports whether the
// page changed (and so needs reading).
func (g *grantsView) scroll(n, rows int) bool {
	old := g.offset
	g.offset = max(min(g.offset+n, g.total()-rows), 0)
	return g.offset != old
}

// grantsRows is how many list rows fit in a body of height h, below the
// view's title, counts and header lines and above its position line.
func grantsRows(h int) int { return max(h-5, 1) }

func (g *grantsView) view(th *Theme, width, height int) string {
	var tabs []string
	for i, name := range grantsModeNames {
		if grantsMode(i) == g.mode {
			tabs = append(tabs, th.Table.Sorted.Render("["+name+"]"))
		} else {
			tabs = append(tabs, th.App.Faint.Render(" "+name+" "))
		}
	}
	lines := []string{th.Panel.Title.Render("grants") + "  " + strings.Join(tabs, " ")}
	switch {
	case !g.loaded:
		lines = append(lines, "", th.App.Faint.Render("reading grants…"))
	case g.err != "":
		lines = append(lines, "", th.Status.Error.Render(g.err))
	case g.mode == grantsFindings:
		lines = append(lines, g.findingsLines(th, width, height)...)
	case g.mode == grantsHolders:
		lines = append(lines, g.holderLines(th, width, height)...)
	default:
		lines = append(lines, g.accountLines(th, width)...)
	}
	return fitBlock(strings.Join(lines, "\n"), width, height)
}

func (g *grantsView) findingsLines(th *Theme, width, height int) []string {
	fp := g.screen.Findings
	if fp.Total == 0 {
		return []string{"", th.Panel.Holds.Render("no findings: every account's role, state and sessions agree with its grants")}
	}
	var parts []string
	for _, k := range auth.FindingKinds {
		if n := fp.ByKind[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, auth.FindingKindName(k)))
		}
	}
	out := []string{th.Header.Label.Render(fmt.Sprintf("%s: %s", plural(fp.Total, "finding"), strings.Join(parts, ", "))), ""}
	head := Fit("USER", 16) + " " + Fit("ROLE", 12) + " " + "FINDING"
	out = append(out, th.Table.Header.Render(Fit(head, width)))
	for _, f := range fp.Findings {
		if len(out) >= height-2 {
			break
		}
		line := Fit(Sanitize(f.Username), 16) + " " + Fit(Sanitize(roleLabel(f.Role)), 12) + " " + Sanitize(f.Text)
		out = append(out, th.Table.Cell.Render(clip(line, width)))
	}
	return append(out, g.position(th, len(fp.Findings), fp.Total))
}

func (g *grantsView) holderLines(th *Theme, width, height int) []string {
	hp := g.screen.Holders
	if hp == nil {
		return nil
	}
	p := auth.Permissions[g.perm]
	verb := "hold"
	if hp.Total == 1 {
		verb = "holds"
	}
	out := []string{th.Header.Label.Render(fmt.Sprintf("%s: %s %s it", p, plural(hp.Total, "account"), verb)) +
		th.App.Faint.Render("  ([ and ] change the permission)"), ""}
	head := Fit("USER", 20) + " " + Fit("ROLE", 14) + " " + Fit("VIA", 12) + " " + Fit("STATE", 11) + " " + Fit("LAST LOGIN", 19) + " SESSIONS"
	out = append(out, th.Table.Header.Render(Fit(head, width)))
	for _, h := range hp.Holders {
		if len(out) >= height-2 {
			break
		}
		last := h.LastLogin
		if last == "" {
			last = "never"
		}
		line := Fit(Sanitize(h.Username), 20) + " " + Fit(Sanitize(roleLabel(h.Role)), 14) + " " + Fit(h.Via, 12) + " " +
			Fit(string(h.State), 11) + " " + Fit(Sanitize(last), 19) + " " + fmt.Sprintf("%8d", h.Sessions)
		st := th.Table.Cell
		if h.State != auth.AccountActive {
			st = th.Panel.Lacks
		}
		out = append(out, st.Render(clip(line, width)))
	}
	return append(out, g.position(th, len(hp.Holders), hp.Total))
}

func (g *grantsView) accountLines(th *Theme, width int) []string {
	a := g.account
	if a == nil {
		return []string{"", th.App.Faint.Render("select a session in the table first: this shows its account")}
	}
	role := fmt.Sprintf("%q", Sanitize(a.Role))
	switch {
	case a.Role == "":
		role = "(empty)"
	case !a.Known:
		role += ", not one of the four: holds nothing"
	case string(a.Effective) != a.Role:
		role += ", matched as " + string(a.Effective)
	}
	label := func(l, v string) string { return th.Panel.Label.Render(Fit(l, 11)) + clip(v, max(width-11, 1)) }
	worlds := "none granted in world_permissions"
	if len(a.Worlds) > 0 {
		worlds = Sanitize(strings.Join(a.Worlds, ", "))
	}
	out := []string{"",
		label("user", Sanitize(a.Username)),
		label("role", fmt.Sprintf("%s (rank %d)", role, a.Level)),
		label("state", fmt.Sprintf("%s · %s", a.State, plural(a.Sessions, "live session"))),
		label("holds", th.Panel.Holds.Render(permList(a.Holds))),
		label("lacks", th.Panel.Lacks.Render(permList(a.Lacks))),
		label("worlds", worlds),
		"", th.Panel.Title.Render("in mudtop it"),
	}
	for _, s := range a.Actions {
		out = append(out, clip("  "+s, width))
	}
	for _, f := range a.Findings {
		out = append(out, th.Status.Error.Render(clip("  ! "+Sanitize(f.Text), width)))
	}
	return out
}

func (g *grantsView) position(th *Theme, shown, total int) string {
	if shown == 0 {
		return th.App.Faint.Render(fmt.Sprintf("none of %d shown", total))
	}
	return th.App.Faint.Render(fmt.Sprintf("%d-%d of %d", g.offset+1, g.offset+shown, total))
}

func permList(ps []auth.Permission) string {
	if len(ps) == 0 {
		return "nothing"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, " ")
}

func roleLabel(r string) string {
	if r == "" {
		return "(empty)"
	}
	return r
}

// openGrants opens (or closes) the grants view. The account mode shows
// the account of the row selected when the view opens.
func (m *Model) openGrants() tea.Cmd {
	if m.view == viewGrants {
		m.view = viewTable
		return nil
	}
	m.view = viewGrants
	if r, ok := m.table.current(); ok {
		m.grants.user = r.Username
	}
	m.grants.loaded = false
	return m.requestPoll()
}

// onGrantsKey handles the keys that mean something else in the grants
// view: switching mode and permission, and scrolling its list rather than
// the table behind it. ok is false for keys it leaves to the monitor.
func (m *Model) onGrantsKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k, g := &m.keys, &m.grants
	rows := grantsRows(m.lay.bodyH)
	moved := false
	switch {
	case key.Matches(msg, k.GrantsMode):
		g.mode = (g.mode + 1) % grantsModes
		g.offset, g.loaded = 0, false
		moved = true
	case key.Matches(msg, k.NextPerm), key.Matches(msg, k.PrevPerm):
		step := 1
		if key.Matches(msg, k.PrevPerm) {
			step = len(auth.Permissions) - 1
		}
		g.perm = (g.perm + step) % len(auth.Permissions)
		g.offset, g.loaded = 0, false
		moved = true
	case key.Matches(msg, k.Down):
		moved = g.scroll(1, rows)
	case key.Matches(msg, k.Up):
		moved = g.scroll(-1, rows)
	case key.Matches(msg, k.PageDown):
		moved = g.scroll(rows, rows)
	case key.Matches(msg, k.PageUp):
		moved = g.scroll(-rows, rows)
	case key.Matches(msg, k.Top):
		moved = g.scroll(-g.offset, rows)
	case key.Matches(msg, k.Bottom):
		moved = g.scroll(g.total(), rows)
	default:
		return nil, false
	}
	if moved {
		return m.requestPoll(), true
	}
	return nil, true
}
