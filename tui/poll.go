package tui

import (
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

// maxBackoff caps the wait between failed polls.
const maxBackoff = 30 * time.Second

// poller is the polling loop's state. At most one read is in flight: a
// change that needs fresh data while one runs sets again, and the answer of
// the running read is then dropped and a new read started. The next tick is
// armed only when an answer (or error) is in.
type poller struct {
	seq      int  // of the newest request; older answers are dropped
	inFlight bool // a read is running
	again    bool // the query changed while it ran
	tickGen  int  // of the armed tick; older ticks are ignored
	failures int  // consecutive failed polls, for back-off
	stale    bool // the data on screen is from before a failure
	lastErr  string
	loaded   bool // at least one snapshot arrived
	// paced is the wait actually used between polls: the chosen interval,
	// or longer when reads are slow (see pacedInterval).
	paced time.Duration
	// tickAt is the shared tick the next read answers (Options.Shared).
	tickAt time.Time
}

// readDuty bounds the share of time the monitor spends reading: after a
// read of d the next one waits at least readDuty times d. A monitor must
// never stall the game server that writes the same file, and in
// rollback-journal mode every read holds its commits back; a filter over
// 100k sessions, say, takes most of a second to read.
const readDuty = 10

// readFree is how long a read may take before it paces anything: ordinary
// ticks take a few ms, and a loaded machine must not stretch them.
const readFree = 100 * time.Millisecond

// pacedInterval is the wait before the next poll after a read that took d.
func pacedInterval(interval, took time.Duration) time.Duration {
	if took < readFree {
		return interval
	}
	slow := min(readDuty*took, MaxInterval)
	if slow <= interval {
		return interval
	}
	return slow.Round(100 * time.Millisecond)
}

// firstPoll starts the loop from Init without touching the model.
func (m Model) firstPoll() tea.Cmd {
	gen := m.poll.tickGen
	return func() tea.Msg { return tickMsg{gen: gen} }
}

// requestPoll starts a read now, or marks that one is wanted when a read
// is already running.
func (m *Model) requestPoll() tea.Cmd {
	if m.token == "" || m.screen != screenMonitor || m.svc == nil {
		return nil
	}
	if m.poll.inFlight {
		m.poll.again = true
		return nil
	}
	m.poll.seq++
	m.poll.inFlight = true
	return pollCmd(m.svc, m.pollRequest())
}

// pollRequest copies what the read needs: the visible page, the sort, the
// filter and the selected row.
func (m *Model) pollRequest() pollRequest {
	r := pollRequest{
		seq:   m.poll.seq,
		token: m.token,
		query: auth.ListQuery{
			Filter:   m.filter.value(),
			Sort:     m.table.sort,
			Desc:     m.table.desc,
			Offset:   m.table.offset,
			Limit:    max(m.table.pageSize(), 1),
			Selected: m.table.selected.RowID,
			// The first frame shows the page at once; the counts (a full
			// pass on a large database) come with the read that follows.
			// A shared poll reads them once for every monitor.
			PageOnly: !m.poll.loaded || m.opts.Shared != nil,
		},
		tags:   m.table.tagRefs(),
		shared: m.opts.Shared,
		tickAt: m.poll.tickAt,
	}
	if m.view == viewAudit {
		r.audit = max(m.lay.bodyH-1, 1)
	}
	if m.view == viewGrants {
		r.grants = m.grants.request(grantsRows(m.lay.bodyH))
	}
	return r
}

// armTick schedules the next poll after d; paused, it only invalidates
// the tick already armed.
func (m *Model) armTick(d time.Duration) tea.Cmd {
	m.poll.tickGen++
	if m.opts.Shared != nil {
		return nil // the shared poll's ticks drive this monitor
	}
	if m.paused || m.screen != screenMonitor {
		return nil
	}
	return m.tick(d, m.poll.tickGen)
}

func (m *Model) onTick(msg tickMsg) tea.Cmd {
	if msg.gen != m.poll.tickGen || m.paused {
		return nil
	}
	return m.requestPoll()
}

func (m *Model) onSnapshot(msg snapshotMsg) tea.Cmd {
	if msg.seq != m.poll.seq || !m.poll.inFlight {
		return nil // an answer to a request that was superseded
	}
	m.poll.inFlight = false
	if m.poll.again {
		m.poll.again = false
		return m.requestPoll()
	}
	if msg.err != nil {
		return m.onPollError(msg.err)
	}
	m.poll.failures, m.poll.stale, m.poll.lastErr = 0, false, ""
	m.poll.paced = pacedInterval(m.interval, msg.took)
	m.poll.loaded = true
	m.operator = msg.snap.Operator
	m.header.observe(msg.snap)
	countsPending := msg.snap.CountsPending
	prev := m.table.selected
	reread := m.table.apply(msg.snap, msg.gone)
	if m.table.selected != prev {
		m.hideID()
	}
	if reread {
		// The page fell off the end (rows went away): read the last page.
		return m.requestPoll()
	}
	m.detail.set(msg.snap.Selected, m.table.selected)
	if msg.audit != nil || m.view == viewAudit {
		m.audit.set(msg.audit, msg.snap.Now)
	}
	if msg.grants != nil {
		m.grants.set(msg.grants)
	}
	m.syncKeys()
	if m.opts.OnPage != nil && !msg.tickAt.IsZero() {
		m.opts.OnPage(msg.tickAt)
	}
	if countsPending && m.opts.Shared == nil {
		return m.requestPoll() // the counts, right after the first frame
	}
	if m.showsDetail() && m.table.selected.RowID != msg.selected {
		// The selection settled on a row whose detail was not asked for
		// (the first page, or a page that just arrived): read it now.
		return m.requestPoll()
	}
	return m.armTick(max(m.interval, m.poll.paced))
}

// onPollError keeps the last data on screen, marked stale, and backs off;
// a refused operator (401, or 403 after a demotion) goes back to login.
func (m *Model) onPollError(err error) tea.Cmd {
	if s := auth.Status(err); s == 401 || s == 403 {
		return m.toLogin(err.Error())
	}
	m.poll.failures++
	m.poll.stale = true
	m.poll.lastErr = describeError(err)
	m.status.setError("poll failed: " + m.poll.lastErr)
	return m.armTick(backoff(m.interval, m.poll.failures))
}

// backoff doubles the wait per consecutive failure, up to maxBackoff.
func backoff(interval time.Duration, failures int) time.Duration {
	d := interval
	for i := 1; i < failures && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// describeError turns an error from auth into the words the status line
// shows: the detail text of a refusal, or what went wrong with the database.
func describeError(err error) string {
	switch {
	case errors.Is(err, auth.ErrBusy):
		return "database is busy"
	case errors.Is(err, auth.ErrReadOnly):
		return "database is read-only"
	case errors.Is(err, auth.ErrNotFound):
		return "session not found"
	}
	return Sanitize(err.Error())
}

// toLogin drops the operator's session and shows the login form with why
// (or, with Options.EndOnRefusal, ends the program saying why).
func (m *Model) toLogin(why string) tea.Cmd {
	if m.opts.EndOnRefusal {
		m.endReason = why
		m.token = ""
		return tea.Quit
	}
	m.token = ""
	m.operator = auth.Identity{}
	m.screen = screenLogin
	m.confirm = nil
	m.view = viewTable
	m.poll = poller{seq: m.poll.seq, tickGen: m.poll.tickGen + 1}
	m.table.reset()
	m.detail = detail{}
	m.header = header{}
	m.login.setError(why)
	m.syncKeys()
	return m.login.focus()
}

// onSharedTick reads this monitor's page after the shared read of a tick.
func (m *Model) onSharedTick(msg SharedTickMsg) tea.Cmd {
	if m.opts.Shared == nil || m.paused || m.screen != screenMonitor {
		return nil
	}
	m.poll.tickAt = msg.At
	return m.requestPoll()
}
