package tui

import (
	"strings"
	"time"

	"mudtop/auth"
)

// auditLog is the view of recent guarded actions. Its rows are read with
// each poll while the view is open (as many as fit), newest first.
type auditLog struct {
	entries []auth.AuditEntry
	today   string // YYYY-MM-DD of the latest snapshot, UTC as stored
}

func (a *auditLog) set(e []auth.AuditEntry, now time.Time) {
	a.entries, a.today = e, now.UTC().Format("2006-01-02")
}

var auditCols = []struct {
	title string
	w     int
}{{"TIME", 8}, {"ACTOR", 16}, {"ACTION", 13}, {"TARGET", 0}, {"RESULT", 0}}

func (a *auditLog) view(th *Theme, width, height int) string {
	// TARGET and RESULT share what the fixed columns leave.
	fixed := 0
	for _, c := range auditCols {
		fixed += c.w + 1
	}
	flex := max((width-fixed)/2, 8)
	widths := []int{8, 16, 13, flex, max(width-fixed-flex, 8)}
	var b strings.Builder
	for i, c := range auditCols {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(Fit(c.title, widths[i]))
	}
	lines := []string{th.Table.Header.Render(Fit(b.String(), width))}
	if len(a.entries) == 0 {
		lines = append(lines, th.App.Faint.Render("no guarded actions recorded yet"))
	}
	for _, e := range a.entries {
		if len(lines) >= height {
			break
		}
		result := e.Result
		if e.Reason != "" {
			result += " — " + e.Reason
		}
		at := e.At // the time of day; the date only when the row is not from today
		if len(at) == 19 && len(a.today) == 10 && at[:10] == a.today {
			at = at[11:]
		}
		cells := []string{at, e.Actor + " (" + e.ActorRole + ")", e.Action, e.Target, result}
		b.Reset()
		for i, c := range cells {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(Fit(c, widths[i]))
		}
		st := th.Table.Cell
		if strings.HasPrefix(e.Result, "refused") {
			st = th.Status.Error
		}
		lines = append(lines, st.Render(b.String()))
	}
	return strings.Join(lines, "\n")
}
