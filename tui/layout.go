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
	// sideW is the width of the detail panel shown beside the table on
	// wide terminals (0: no room, the detail is a view of its own).
	sideW int
}

// sideBySideWidth is the narrowest terminal that shows the selected
// session's detail beside the table.
const sideBySideWidth = 150

// relayout recomputes the regions for the current size. A taller or
// shorter table changes the page, so it asks for a fresh read.
func (m *Model) relayout() tea.Cmd {
	m.lay.tooSmall = m.width < MinWidth || m.height < MinHeight
	m.lay.bodyY = headerHeight + 1
	m.lay.bodyH = max(m.height-m.lay.bodyY-footerHeight, 1)
	m.lay.sideW = 0
	tableW := m.width
	if m.width >= sideBySideWidth {
		m.lay.sideW = min(m.width/3, 64)
		tableW = m.width - m.lay.sideW - 1
	}
	oldPage := m.table.pageSize()
	m.table.setSize(tableW, m.lay.bodyH)
	m.help.SetWidth(m.width)
	m.filter.input.SetWidth(max(m.width-4, 10))
	if m.table.pageSize() != oldPage && m.poll.loaded {
		m.table.moveTo(m.table.cursor)
		return m.requestPoll()
	}
	return nil
}
