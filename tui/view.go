package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// View draws the whole screen. It only formats what the model holds (one
// page of rows, a few minutes of counts), so its cost does not grow with
// the number of sessions.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "mudtop"
	return v
}

func (m Model) render() string {
	if m.width == 0 || m.height == 0 {
		return "" // not sized yet: the first WindowSizeMsg follows at once
	}
	if m.lay.tooSmall {
		msg := fmt.Sprintf("terminal too small (need %dx%d)\nnow %dx%d", MinWidth, MinHeight, m.width, m.height)
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, m.theme.Status.Error.Render(msg))
	}
	th := &m.theme
	if m.screen == screenLogin {
		body := m.login.view(th, m.width, m.height-1, m.opts.DBLabel)
		return body + "\n" + m.helpView()
	}
	parts := []string{
		m.header.view(th, m.width, m.headerState()),
		th.App.Border.Render(strings.Repeat("─", m.width)),
		m.body(th),
		m.statusLine(th),
		m.helpView(),
	}
	return strings.Join(parts, "\n")
}

func (m Model) headerState() headerState {
	return headerState{
		db: m.opts.DBLabel, operator: Sanitize(m.operator.Username), role: Sanitize(m.operator.Role),
		paused: m.paused, stale: m.poll.stale, readOnly: m.opts.ReadOnly, safe: m.safe,
		interval: m.interval, paced: m.poll.paced, err: m.poll.lastErr,
	}
}

// body is the region between header and footer, exactly bodyH lines.
func (m Model) body(th *Theme) string {
	w, h := m.width, m.lay.bodyH
	var s string
	switch m.view {
	case viewDetail:
		s = m.detail.view(th, m.themeGen, w, h, m.table.now, m.revealID)
	case viewRoles:
		s = roles{}.view(th, w, h, m.operator.Role)
	case viewAudit:
		s = m.audit.view(th, w, h)
	case viewGrants:
		s = m.grants.view(th, w, h)
	case viewHelp:
		hm := m.help
		hm.ShowAll = true
		s = th.Panel.Title.Render("keys") + "\n\n" + hm.View(m.helpKeys())
	default:
		s = m.table.view(th, m.poll.loaded, m.filter.value())
		if m.lay.sideW > 0 {
			side := m.detail.view(th, m.themeGen, m.lay.sideW, h, m.table.now, m.revealID)
			s = besides(s, side)
		}
	}
	if m.view != viewTable || m.confirm != nil {
		s = fitBlock(s, w, h) // the table's lines are exact already
	}
	if m.confirm != nil {
		dlg := m.confirm.view(th, w-4)
		x := max((w-lipgloss.Width(dlg))/2, 0)
		y := max((h-lipgloss.Height(dlg))/2, 0)
		s = lipgloss.NewCompositor(lipgloss.NewLayer(s), lipgloss.NewLayer(dlg).X(x).Y(y).Z(1)).Render()
		s = fitBlock(s, w, h)
	}
	return s
}

// statusLine is the filter input while it is focused, else the status text
// with the position in the table on the right.
func (m Model) statusLine(th *Theme) string {
	if m.filter.active {
		return m.filter.input.View()
	}
	right := ""
	if m.table.matching > 0 {
		right = fmt.Sprintf("%d/%d", m.table.cursor+1, m.table.matching)
	}
	if f := m.filter.value(); f != "" {
		right = "/" + Truncate(f, 20) + "  " + right
	}
	if n := len(m.table.tags); n > 0 {
		right = fmt.Sprintf("%d tagged  ", n) + right
	}
	return m.status.view(th, m.width, right)
}

// besides puts b to the right of a, line by line. a's lines are all the
// same width (the table pads them), so nothing needs measuring.
func besides(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var sb strings.Builder
	for i := range al {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(al[i])
		if i < len(bl) {
			sb.WriteByte(' ')
			sb.WriteString(bl[i])
		}
	}
	return sb.String()
}

// fitBlock makes s exactly h lines, each cut to w cells.
func fitBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if displayWidth(l) > w {
			lines[i] = clip(l, w)
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// helpView is the help line as drawn, cut to the width: help.Model adds
// an item that does not fit when the ellipsis does not fit either.
func (m Model) helpView() string { return clip(m.help.View(m.helpKeys()), m.width) }
