package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// openBan asks to ban the selected row's account, naming it and how many
// sessions it holds, or to unban it when it is deactivated already. auth
// runs the original route's checks when the operator confirms; the dialog
// says only what the operator sees now.
func (m *Model) openBan() tea.Cmd {
	r, ok := m.table.current()
	if !ok {
		m.status.setInfo("no session selected")
		return nil
	}
	name := Sanitize(r.Username)
	if !r.UserActive {
		req := actionRequest{kind: actUnban, token: m.token, username: r.Username, label: name}
		lines := []string{
			fmt.Sprintf("account %s (%s) is deactivated; unbanning lets it log in again", name, Sanitize(r.Role)),
			fmt.Sprintf("it still holds %s, which stay", plural(max(r.UserSessions, 1), "session")),
		}
		m.confirm = newConfirm(&m.theme, req, "Unban "+name+"?", "Unban", lines)
		return nil
	}
	req := actionRequest{kind: actBan, token: m.token, username: r.Username, label: name}
	n := max(r.UserSessions, 1) // the selected row is one of them
	lines := []string{
		fmt.Sprintf("account %s (%s): deactivated, so the server refuses its logins until unbanned", name, Sanitize(r.Role)),
		fmt.Sprintf("its %s will end now, on every page, not only this one", plural(n, "live session")),
	}
	if r.Own {
		lines = append(lines, "this is your own account: the server refuses that (400)")
	}
	m.confirm = newConfirm(&m.theme, req, "Ban "+name+"?", "Ban", lines)
	return nil
}
