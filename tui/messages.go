package tui

import (
	"time"

	"mudtop/auth"
)

// tickMsg asks for the next poll. gen ties it to the tick that armed it:
// pausing, resuming or refreshing re-arms with a new gen, so an older tick
// that fires late is ignored instead of starting a second read.
type tickMsg struct{ gen int }

// snapshotMsg is the answer to one poll. seq ties it to the request; only
// the answer to the newest request is applied.
type snapshotMsg struct {
	seq int
	// tickAt is the shared tick this read answers (zero without one).
	tickAt time.Time
	snap   auth.Snapshot
	// selected is the row id whose detail was asked for.
	selected int64
	// gone lists tagged sessions, off the visible page, that no longer
	// exist (or whose row now holds another session).
	gone  []auth.SessionRef
	audit []auth.AuditEntry
	// grants is the grants view's page, when it is open.
	grants *grantsResult
	err    error
	// took is how long the read ran, to pace the next one.
	took time.Duration
}

// actionMsg reports a guarded action's outcome.
type actionMsg struct {
	kind   actionKind
	label  string // what was asked, for the status line ("alice")
	result auth.ActionResult
	err    error
	// skippedRank counts a scoped kick's targets the rank rule kept at
	// the moment of the kick (promoted since the preview).
	skippedRank int
}

// loginMsg is the outcome of the login form: a session that may watch the
// monitor, or the refusal to show on the form.
type loginMsg struct {
	token    string
	operator auth.Identity
	err      error
}
