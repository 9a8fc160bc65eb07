package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"mudtop/auth"
)

// detail is the panel for the selected session: the row in full, the
// role's permissions held and lacking, the user's world grants, and whether
// the operator may kick it (and why not). Its data comes with each poll,
// read in the same transaction as the page.
type detail struct {
	d *auth.Detail

	// The panel is drawn once per change of what it shows (prepare, from
	// Update), not once per frame: boxes and joins measure every line.
	drawn    string
	drawnFor detailKey
}

// detailKey is everything the drawn panel depends on.
type detailKey struct {
	d             *auth.Detail
	themeGen      int // Theme values cannot be compared; their generation can
	width, height int
	now           time.Time
	reveal        bool
}

// prepare draws the panel if anything it shows changed.
func (d *detail) prepare(th *Theme, themeGen, width, height int, now time.Time, reveal bool) {
	k := detailKey{d.d, themeGen, width, height, now, reveal}
	if k != d.drawnFor || d.drawn == "" {
		d.drawn, d.drawnFor = d.draw(th, width, height, now, reveal), k
	}
}

// view is the panel, from prepare's drawing when it is current.
func (d *detail) view(th *Theme, themeGen, width, height int, now time.Time, reveal bool) string {
	if (detailKey{d.d, themeGen, width, height, now, reveal}) == d.drawnFor && d.drawn != "" {
		return d.drawn
	}
	return d.draw(th, width, height, now, reveal)
}

// set keeps the detail only while it belongs to the selected session.
func (d *detail) set(sel *auth.Detail, ref auth.SessionRef) {
	switch {
	case sel != nil && sel.Session.Ref == ref:
		d.d = sel
	case d.d != nil && d.d.Session.Ref != ref:
		d.d = nil
	}
}

func (d *detail) draw(th *Theme, width, height int, now time.Time, reveal bool) string {
	box := th.Panel.Box.Width(width).Height(height)
	inner := width - box.GetHorizontalFrameSize()
	if d.d == nil {
		return box.Render(th.App.Faint.Render("select a session (reading…)"))
	}
	s := d.d.Session
	id := auth.ShortID(s.Ref.Token) + "…"
	if reveal {
		id = Sanitize(s.Ref.Token)
	}
	row := func(label, value string) string {
		return th.Panel.Label.Render(fmt.Sprintf("%-12s", label)) + th.Panel.Value.Render(Truncate(value, max(inner-12, 1)))
	}
	lines := []string{
		th.Panel.Title.Render("session "+id) + ownMark(th, s),
		row("user", fmt.Sprintf("%s (id %d)", Sanitize(s.Username), s.UserID)),
		row("role", Sanitize(s.Role)),
	}
	if s.InWorld {
		lines = append(lines,
			row("character", fmt.Sprintf("%s (id %d)", Sanitize(s.CharacterName), s.CharacterID)),
			row("world", Sanitize(s.WorldID)))
	} else {
		lines = append(lines, row("character", "none: account session, not in a world"))
	}
	lines = append(lines,
		row("client", Sanitize(s.ClientType)),
		th.Panel.Label.Render(fmt.Sprintf("%-12s", "state"))+stateStyle(th, s.State).Render(string(s.State)),
		row("created", stamp(now, s.CreatedAt)),
		row("last active", stamp(now, s.LastActivity)),
		row("expires", expiryText(now, s)),
	)
	for _, a := range s.Anomalies {
		lines = append(lines, th.Table.Anomaly.Render("! "+string(a)))
	}
	lines = append(lines, "",
		permLine(th, "holds", th.Panel.Holds, d.d.Holds, inner),
		permLine(th, "lacks", th.Panel.Lacks, d.d.Lacks, inner),
		row("worlds", worldList(d.d.WorldGrants)),
	)
	if d.d.CanKick {
		lines = append(lines, th.Status.OK.Render("you may kick this session"))
	} else {
		lines = append(lines, th.Status.Error.Render(Truncate("you may not kick this session: "+d.d.Why, inner)))
	}
	return box.Render(lipgloss.JoinVertical(lipgloss.Left, lines...))
}

// permLine lists permissions after a label, wrapped under the list (not
// cut: the lacking ones are what an admin checks).
func permLine(th *Theme, label string, st lipgloss.Style, ps []auth.Permission, inner int) string {
	return lipgloss.JoinHorizontal(lipgloss.Top, th.Panel.Label.Render(fmt.Sprintf("%-12s", label)),
		st.Width(max(inner-12, 8)).Render(joinPerms(ps)))
}

func ownMark(th *Theme, s auth.SessionInfo) string {
	if s.Own {
		return " " + th.Table.Own.Render("(your session)")
	}
	return ""
}

func stamp(now, t time.Time) string {
	if t.IsZero() {
		return "unreadable"
	}
	return fmt.Sprintf("%s (%s ago)", t.UTC().Format("2006-01-02 15:04:05"), since(now, t))
}

func expiryText(now time.Time, s auth.SessionInfo) string {
	switch {
	case s.NeverExpires:
		return "never (TTL 0)"
	case s.ExpiresAt.IsZero():
		return fmt.Sprintf("unreadable: %q", Sanitize(s.RawExpires))
	}
	at := s.ExpiresAt.UTC().Format("2006-01-02 15:04:05")
	if !s.ExpiresAt.After(now) {
		return fmt.Sprintf("%s (%s ago: expired, not yet removed)", at, since(now, s.ExpiresAt))
	}
	return fmt.Sprintf("%s (in %s)", at, expiresIn(now, s))
}

func joinPerms(ps []auth.Permission) string {
	if len(ps) == 0 {
		return "-"
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return strings.Join(out, " ")
}

func worldList(ws []string) string {
	if len(ws) == 0 {
		return "no world grants"
	}
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = Sanitize(w)
	}
	return strings.Join(out, ", ")
}
