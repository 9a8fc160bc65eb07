package tui

import tea "charm.land/bubbletea/v2"

// footerHeight is the status line and the help line.
const footerHeight = 2

// layout is where each region sits, computed once per resize and pushed
// down to the components; nothing reads the terminal size elsewhere.
type layout struct {
	tooSmall bool
	bodyY    int // first line of the body (below the header and its rule)
	bodyH    int
}

// relayout recomputes the regions for the current size. A taller or
// shorter table changes the page, so it asks for a fresh read.
func (m *Model) relayout() tea.Cmd {
	m.lay.tooSmall = m.width < MinWidth || m.height < MinHeight
	m.lay.bodyY = headerHeight + 1
	m.lay.bodyH = max(m.height-m.lay.bodyY-footerHeight, 1)
	oldPage := m.table.pageSize()
	m.table.setSize(m.width, m.lay.bodyH)
	m.help.SetWidth(m.width)
	m.filter.input.SetWidth(max(m.width-4, 10))
	if m.table.pageSize() != oldPage && m.poll.loaded {
		m.table.moveTo(m.table.cursor)
		return m.requestPoll()
	}
	return nil
}
