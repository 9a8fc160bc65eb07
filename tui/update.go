package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

// Update routes a message to the polling loop, the open dialog or form, or
// the monitor's keys. It never touches the database: reads and actions are
// commands.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	nm, cmd := m.update(msg)
	nm.prepareFrame()
	return nm, cmd
}

// prepareFrame draws, once per change rather than once per frame, the
// parts of the screen that are costly to draw (the detail panel).
func (m *Model) prepareFrame() {
	switch {
	case m.screen != screenMonitor || m.lay.tooSmall:
	case m.view == viewDetail:
		m.detail.prepare(&m.theme, m.themeGen, m.width, m.lay.bodyH, m.table.now, m.revealID)
	case m.view == viewTable && m.lay.sideW > 0:
		m.detail.prepare(&m.theme, m.themeGen, m.lay.sideW, m.lay.bodyH, m.table.now, m.revealID)
	}
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, m.relayout()
	case tea.BackgroundColorMsg:
		m.setTheme(msg.IsDark())
		return m, nil
	case tickMsg:
		return m, m.onTick(msg)
	case SharedTickMsg:
		return m, m.onSharedTick(msg)
	case snapshotMsg:
		return m, m.onSnapshot(msg)
	case actionMsg:
		return m, m.onAction(msg)
	case exportMsg:
		return m, m.onExport(msg)
	case previewMsg:
		return m, m.onPreview(msg)
	case loginMsg:
		return m, m.onLogin(msg)
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.MouseWheelMsg:
		return m, m.onWheel(msg)
	case tea.MouseClickMsg:
		return m, m.onClick(msg)
	case tea.PasteMsg:
		return m, m.onPaste(msg)
	}
	return m, nil
}

func (m Model) onKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := &m.keys
	switch {
	case m.screen == screenLogin:
		out, cmd := m.login.update(msg, k)
		switch out {
		case loginQuit:
			return m, tea.Quit
		case loginSubmit:
			user, pass := m.login.credentials()
			return m, loginCmd(m.svc, user, pass)
		}
		return m, cmd
	case m.confirm != nil:
		out, cmd := m.confirm.update(msg, k)
		switch out {
		case confirmCancelled:
			m.confirm = nil
			m.status.setInfo("cancelled")
		case confirmAccepted:
			req := m.confirm.req
			m.confirm = nil
			if m.safe || m.opts.ReadOnly {
				m.status.setError("safe mode: nothing done")
				return m, nil
			}
			m.status.setInfo("working…")
			return m, actionCmd(m.svc, req)
		}
		return m, cmd
	case m.filter.active:
		return m, m.onFilterKey(msg)
	}
	if m.view == viewHelp && !key.Matches(msg, k.Quit) {
		m.view = m.prevView
		return m, nil
	}
	return m, m.onMonitorKey(msg)
}

// onMonitorKey handles the monitor's own keys.
func (m *Model) onMonitorKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	prev := m.table.selected
	if m.view == viewGrants {
		if cmd, ok := m.onGrantsKey(msg); ok {
			m.syncKeys()
			return cmd
		}
	}
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.prevView, m.view = m.view, viewHelp
	case key.Matches(msg, k.Back):
		switch {
		case m.view != viewTable:
			m.view = viewTable
		case m.filter.value() != "":
			m.filter.input.SetValue("")
			m.table.moveTo(0)
			cmd = m.requestPoll()
		}
	case key.Matches(msg, k.Up):
		cmd = m.pageCmd(m.table.move(-1))
	case key.Matches(msg, k.Down):
		cmd = m.pageCmd(m.table.move(1))
	case key.Matches(msg, k.PageUp):
		cmd = m.pageCmd(m.table.move(-max(m.table.pageSize(), 1)))
	case key.Matches(msg, k.PageDown):
		cmd = m.pageCmd(m.table.move(max(m.table.pageSize(), 1)))
	case key.Matches(msg, k.Top):
		cmd = m.pageCmd(m.table.moveTo(0))
	case key.Matches(msg, k.Bottom):
		cmd = m.pageCmd(m.table.moveTo(m.table.matching - 1))
	case key.Matches(msg, k.Sort):
		m.table.cycleSort()
		cmd = m.requestPoll()
	case key.Matches(msg, k.SortReverse):
		m.table.desc = !m.table.desc
		cmd = m.requestPoll()
	case key.Matches(msg, k.Filter):
		m.filter.active = true
		m.view = viewTable
		cmd = m.filter.input.Focus()
	case key.Matches(msg, k.Detail):
		m.view = toggleView(m.view, viewDetail)
		cmd = m.requestPoll()
	case key.Matches(msg, k.Roles):
		m.view = toggleView(m.view, viewRoles)
	case key.Matches(msg, k.Audit):
		m.view = toggleView(m.view, viewAudit)
		cmd = m.requestPoll()
	case key.Matches(msg, k.Grants):
		cmd = m.openGrants()
	case key.Matches(msg, k.Pause):
		m.paused = !m.paused
		if m.paused {
			m.poll.tickGen++ // the armed tick will be ignored
			m.status.setInfo("paused: the table no longer refreshes")
		} else {
			m.status.setInfo("resumed")
			cmd = m.requestPoll()
		}
	case key.Matches(msg, k.Faster):
		m.setInterval(m.interval / 2)
	case key.Matches(msg, k.Slower):
		m.setInterval(m.interval * 2)
	case key.Matches(msg, k.Refresh):
		cmd = m.requestPoll()
	case key.Matches(msg, k.RevealID):
		m.revealID = !m.revealID
		m.showID()
	case key.Matches(msg, k.Tag):
		m.table.toggleTag()
		m.table.move(1)
	case key.Matches(msg, k.Kick):
		cmd = m.openKick()
	case key.Matches(msg, k.KickUser):
		cmd = m.openKickUser()
	case key.Matches(msg, k.KickTagged):
		cmd = m.openKickTagged()
	case key.Matches(msg, k.KickScope):
		cmd = m.openKickScope()
	case key.Matches(msg, k.ClearAll):
		cmd = m.openClearAll()
	case key.Matches(msg, k.Ban):
		cmd = m.openBan()
	case key.Matches(msg, k.Export):
		cmd = m.startExport()
	case key.Matches(msg, k.Safe):
		m.safe = !m.safe
		m.status.setInfo("safe mode off: actions are back")
		if m.safe {
			m.status.setInfo("safe mode on: every action is hidden and refused (L again to leave)")
		}
	}
	if m.table.selected != prev {
		m.hideID()
		if m.showsDetail() {
			cmd = tea.Batch(cmd, m.requestPoll())
		}
	}
	m.syncKeys()
	return cmd
}

func toggleView(cur, v view) view {
	if cur == v {
		return viewTable
	}
	return v
}

// showsDetail reports whether the selected session's detail is on screen
// (its own view, or the side panel of a wide terminal).
func (m *Model) showsDetail() bool {
	return m.view == viewDetail || (m.view == viewTable && m.lay.sideW > 0)
}

// pageCmd reads the new page when a cursor move scrolled past the one held.
func (m *Model) pageCmd(changed bool) tea.Cmd {
	if changed {
		return m.requestPoll()
	}
	return nil
}

// setInterval changes the poll interval within its bounds; the new value
// takes effect from the next tick.
func (m *Model) setInterval(d time.Duration) {
	m.interval = clampInterval(d)
	m.status.setInfo("refresh every " + m.interval.String())
}

// showID puts the selected session's id in the status line: the whole id
// when revealed, else its prefix.
func (m *Model) showID() {
	r, ok := m.table.current()
	switch {
	case !ok:
		m.status.setInfo("no session selected")
	case m.revealID:
		m.status.setInfo("session id " + Sanitize(r.Ref.Token))
	default:
		m.status.setInfo("session id " + auth.ShortID(r.Ref.Token) + "… (hidden)")
	}
}

// hideID takes a revealed id off the screen when the selection moves on.
func (m *Model) hideID() {
	if m.revealID {
		m.revealID = false
		m.status.clear()
	}
}

func (m *Model) onFilterKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case key.Matches(msg, k.FormQuit):
		return tea.Quit
	case key.Matches(msg, k.Submit):
		m.filter.active = false
		m.filter.input.Blur()
		return nil
	case key.Matches(msg, k.Cancel):
		m.filter.active = false
		m.filter.input.Blur()
		m.filter.input.SetValue("")
		m.table.moveTo(0)
		return m.requestPoll()
	}
	before := m.filter.value()
	var cmd tea.Cmd
	m.filter.input, cmd = m.filter.input.Update(msg)
	if m.filter.value() != before {
		m.table.cursor, m.table.offset = 0, 0
		m.table.selected = auth.SessionRef{}
		cmd = tea.Batch(cmd, m.requestPoll())
	}
	return cmd
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.screen == screenLogin:
		return m.login.paste(msg)
	case m.confirm != nil:
		return m.confirm.paste(msg)
	case m.filter.active:
		var cmd tea.Cmd
		m.filter.input, cmd = m.filter.input.Update(msg)
		return tea.Batch(cmd, m.requestPoll())
	}
	return nil
}

// onWheel scrolls the table by three rows.
func (m *Model) onWheel(msg tea.MouseWheelMsg) tea.Cmd {
	if m.screen != screenMonitor || m.confirm != nil || m.view != viewTable {
		return nil
	}
	switch msg.Mouse().Button {
	case tea.MouseWheelUp:
		return m.pageCmd(m.table.move(-3))
	case tea.MouseWheelDown:
		return m.pageCmd(m.table.move(3))
	}
	return nil
}

// onClick selects a row, or sorts by a header's column (again: reverse).
func (m *Model) onClick(msg tea.MouseClickMsg) tea.Cmd {
	mouse := msg.Mouse()
	if m.screen != screenMonitor || m.confirm != nil || m.view != viewTable || mouse.Button != tea.MouseLeft {
		return nil
	}
	line := mouse.Y - m.lay.bodyY
	if line == 0 {
		if c, ok := m.table.columnAt(mouse.X); ok && c.sort != sortNone {
			m.table.sortBy(c.sort)
			return m.requestPoll()
		}
		return nil
	}
	if _, pos, ok := m.table.rowAt(line); ok {
		m.hideID()
		return m.pageCmd(m.table.moveTo(pos))
	}
	return nil
}
