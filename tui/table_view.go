package tui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"mudtop/auth"
)

// view draws the header and the page, exactly height lines of width cells.
func (t *table) view(th *Theme, loaded bool, filter string) string {
	lines := make([]string, 0, t.height)
	lines = append(lines, t.headerLine(th))
	note := ""
	switch {
	case !loaded:
		note = "reading sessions…"
	case t.matching == 0 && filter != "":
		note = Truncate("no session matches \""+filter+"\"", t.width)
	case t.matching == 0:
		note = "no sessions"
	}
	if note != "" {
		lines = append(lines, th.App.Faint.Render(note)+strings.Repeat(" ", max(t.width-displayWidth(note), 0)))
	}
	for i := 0; i < len(t.rows) && len(lines) < t.height; i++ {
		lines = append(lines, t.rowLine(th, i))
	}
	for len(lines) < t.height {
		lines = append(lines, t.blank)
	}
	return strings.Join(lines, "\n")
}

func (t *table) headerLine(th *Theme) string {
	var b strings.Builder
	for i, c := range t.cols {
		if i > 0 {
			b.WriteString(th.Table.Header.Render(" "))
		}
		title := c.title
		st := th.Table.Header
		if c.sort == t.sort && c.sort != sortNone {
			arrow := "▲"
			if t.desc {
				arrow = "▼"
			}
			title += arrow
			st = th.Table.Sorted
		}
		b.WriteString(st.Render(cell(title, c)))
	}
	if pad := t.width - displayWidth(b.String()); pad > 0 {
		b.WriteString(th.Table.Header.Render(strings.Repeat(" ", pad)))
	}
	return b.String()
}

func (t *table) rowLine(th *Theme, i int) string {
	r := t.rows[i]
	mark, cells := t.mark(r), t.fitted[i]
	if r.Ref == t.selected {
		return th.Table.Selected.Render(mark + " " + strings.Join(cells[1:], " ") + t.pad)
	}
	_, tagged := t.tags[r.Ref]
	// Cells sharing a style are rendered in one run: Style.Render is the
	// costly part of a frame, and most cells of a row share the row's style.
	text := th.Table.Cell
	switch {
	case tagged:
		text = th.Table.Tagged
	case r.Own:
		text = th.Table.Own
	}
	var b, run strings.Builder
	runStyle := -1
	flush := func() {
		if run.Len() > 0 {
			b.WriteString(cellStyle(th, runStyle, text, r).Render(run.String()))
			run.Reset()
		}
	}
	for i := range t.cols {
		st := styleText
		switch {
		case i == 0 && len(r.Anomalies) > 0:
			st = styleAnomaly
		case i == stateColumn:
			st = styleState
		}
		if st != runStyle {
			flush()
			runStyle = st
		}
		if i > 0 {
			run.WriteByte(' ')
		}
		if i == 0 {
			run.WriteString(mark)
		} else {
			run.WriteString(cells[i])
		}
	}
	flush()
	b.WriteString(t.pad)
	return b.String()
}

// stateColumn is the index of the STATE column, drawn in the state's style.
const stateColumn = 6

// Which style a run of cells takes.
const (
	styleText = iota
	styleAnomaly
	styleState
)

func cellStyle(th *Theme, which int, text lipgloss.Style, r auth.SessionInfo) lipgloss.Style {
	switch which {
	case styleAnomaly:
		return th.Table.Anomaly
	case styleState:
		return stateStyle(th, r.State)
	}
	return text
}

// rowAt maps a line of the table (0 = header) to a loaded row.
func (t *table) rowAt(line int) (auth.SessionInfo, int, bool) {
	i := line - 1
	if i < 0 || i >= len(t.rows) {
		return auth.SessionInfo{}, 0, false
	}
	return t.rows[i], t.rowsAt + i, true
}
