package tui

import "strings"

// statusKind colours the status line.
type statusKind int

const (
	statusInfo statusKind = iota
	statusOK
	statusError
)

// status is the one-line result of the last action or failure: "kicked
// alice (1 session)", a 403 detail text, "database is busy".
type status struct {
	text string
	kind statusKind
}

// The setters sanitise: results name users and roles read from the
// database, and error texts may quote them.
func (s *status) setInfo(t string)  { s.text, s.kind = Sanitize(t), statusInfo }
func (s *status) setOK(t string)    { s.text, s.kind = Sanitize(t), statusOK }
func (s *status) setError(t string) { s.text, s.kind = Sanitize(t), statusError }
func (s *status) clear()            { s.text = "" }

func (s *status) view(th *Theme, width int, right string) string {
	st := th.Status.Info
	switch s.kind {
	case statusOK:
		st = th.Status.OK
	case statusError:
		st = th.Status.Error
	}
	rw := displayWidth(right)
	left := st.Render(clip(s.text, max(width-rw-1, 0)))
	gap := width - displayWidth(left) - rw
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + th.App.Faint.Render(right)
}
