package tui

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

// typedKickOver is how many sessions a kick by filter may remove before
// the operator must type the number to confirm.
const typedKickOver = 10

// previewMsg is a scoped kick's preview, ready to confirm.
type previewMsg struct {
	preview auth.KickPreview
	err     error
}

// previewCmd asks auth what a kick by scope would remove, on every page.
func previewCmd(svc *auth.Service, token string, k auth.KickScope) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		p, err := svc.PreviewKick(ctx, token, k)
		return previewMsg{preview: p, err: err}
	}
}

// openKickScope starts a kick of everything the current filter matches:
// a preview first, read through auth; the dialog opens when it arrives.
func (m *Model) openKickScope() tea.Cmd {
	f := m.filter.value()
	if f == "" {
		m.status.setInfo("set a filter first (/): a kick by filter with no filter would be every session; that is clear all")
		return nil
	}
	m.status.setInfo("counting what the filter matches on every page…")
	return previewCmd(m.svc, m.token, auth.KickScope{Filter: f})
}

// onPreview opens the confirmation of a scoped kick, naming how many
// sessions go (by role), a few of them, and what is skipped and why. More
// than typedKickOver need the number typed.
func (m *Model) onPreview(msg previewMsg) tea.Cmd {
	if msg.err != nil {
		if auth.Status(msg.err) == 401 {
			return m.toLogin(msg.err.Error())
		}
		m.status.setError(describeError(msg.err) + ": nothing removed")
		return nil
	}
	p := msg.preview
	skipped := skippedText(p)
	if len(p.Targets) == 0 {
		m.status.setInfo(fmt.Sprintf("nothing to kick: %d matching the filter%s", p.Matched, skipped))
		return nil
	}
	byRole := map[string]int{}
	for r, n := range p.ByRole {
		byRole[Sanitize(r)] += n
	}
	n := len(p.Targets)
	lines := []string{
		auth.SummarizeByRole(n, byRole) + " matching " + Sanitize(p.Scope.String()) + ", on every page",
	}
	for _, s := range p.Sample {
		lines = append(lines, "  "+Sanitize(s))
	}
	if n > len(p.Sample) {
		lines = append(lines, fmt.Sprintf("  and %d more", n-len(p.Sample)))
	}
	if skipped != "" {
		lines = append(lines, "skipped"+skipped)
	}
	lines = append(lines, "only these go: a session that appears or changes before you confirm stays")
	req := actionRequest{kind: actKickScope, token: m.token, preview: &p, label: "by filter " + strconv.Quote(Sanitize(p.Scope.Filter))}
	m.confirm = newConfirm(&m.theme, req, fmt.Sprintf("Kick %s matching the filter?", plural(n, "session")), "Kick "+strconv.Itoa(n), lines)
	m.status.clear()
	if n > typedKickOver {
		return m.confirm.requireTyped(&m.theme, strconv.Itoa(n), fmt.Sprintf("type %d to confirm: ", n))
	}
	return nil
}

// skippedText is ": 2 of yours kept, 3 by rank (2 admin, 1 superuser)",
// or "" when nothing is skipped.
func skippedText(p auth.KickPreview) string {
	var parts []string
	if p.SkippedSelf > 0 {
		parts = append(parts, fmt.Sprintf("%d of your own kept", p.SkippedSelf))
	}
	if p.SkippedRank > 0 {
		roles := make([]string, 0, len(p.SkippedRankByRole))
		for r := range p.SkippedRankByRole {
			roles = append(roles, r)
		}
		sort.Slice(roles, func(i, j int) bool { return auth.RoleLevel(roles[i]) < auth.RoleLevel(roles[j]) })
		var by []string
		for _, r := range roles {
			by = append(by, fmt.Sprintf("%d %s", p.SkippedRankByRole[r], Sanitize(roleLabel(r))))
		}
		parts = append(parts, fmt.Sprintf("%d by the rank rule (%s)", p.SkippedRank, strings.Join(by, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, "; ")
}
