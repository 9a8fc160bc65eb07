package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"mudtop/auth"
)

// Sparkline geometry: one bar per 5 s, three minutes in all.
const (
	sparkBucket = 5 * time.Second
	sparkBars   = 36
	churnWindow = time.Minute
)

// headerHeight is how many lines the header takes.
const headerHeight = 4

// header shows the counts that matter at a glance, a sparkline of the
// active count and the churn (logins and logouts per minute). It keeps a
// few minutes of history, not the sessions themselves.
type header struct {
	counts auth.Counts
	now    time.Time
	have   bool
	// pending: the first, page-only read is in; its counts are not yet.
	pending bool

	spark     []int     // peak active count per bucket, oldest first
	sparkLast time.Time // start of the newest bucket
	churn     []churnSample
	peak      int
}

// churnSample is one reading of the counters churn is derived from.
type churnSample struct {
	at     time.Time
	issued int64 // highest session id ever issued
	total  int
}

// observe records one snapshot's figures.
func (h *header) observe(s auth.Snapshot) {
	h.now, h.have, h.pending = s.Now, true, s.CountsPending
	if s.CountsPending {
		return // a page-only read: no counts to show or chart yet
	}
	h.counts = s.Counts
	h.peak = max(h.peak, s.Counts.Active)
	b := s.Now.Truncate(sparkBucket)
	if len(h.spark) == 0 || b.After(h.sparkLast) {
		h.spark = append(h.spark, s.Counts.Active)
		h.sparkLast = b
		if len(h.spark) > sparkBars {
			h.spark = h.spark[len(h.spark)-sparkBars:]
		}
	} else {
		last := len(h.spark) - 1
		h.spark[last] = max(h.spark[last], s.Counts.Active)
	}
	h.churn = append(h.churn, churnSample{at: s.Now, issued: s.Counts.Issued, total: s.Counts.Sessions})
	// Keep one sample at or before the window's start as the base.
	for len(h.churn) > 2 && !h.churn[1].at.After(s.Now.Add(-churnWindow)) {
		h.churn = h.churn[1:]
	}
}

// rates are logins and logouts per minute over the churn window; ok is
// false until enough time has passed to say.
func (h *header) rates() (logins, logouts float64, ok bool) {
	if len(h.churn) < 2 {
		return 0, 0, false
	}
	first, last := h.churn[0], h.churn[len(h.churn)-1]
	elapsed := last.at.Sub(first.at)
	if elapsed < 5*time.Second || last.issued < first.issued {
		return 0, 0, false
	}
	in := float64(last.issued - first.issued)
	out := in - float64(last.total-first.total)
	scale := float64(time.Minute) / float64(elapsed)
	return in * scale, max(out, 0) * scale, true
}

// headerState is what the header shows beyond the counts.
type headerState struct {
	db, operator, role string
	paused, stale      bool
	readOnly           bool
	safe               bool
	interval           time.Duration
	paced              time.Duration // the wait in use when reads are slow
	err                string
}

func (h *header) view(th *Theme, width int, st headerState) string {
	lines := []string{
		h.titleLine(th, width, st),
		h.countsLine(th, width),
		h.groupsLine(th, width),
		h.sparkLine(th, width),
	}
	for i, l := range lines {
		lines[i] = lipgloss.NewStyle().MaxWidth(width).Render(l)
	}
	return strings.Join(lines, "\n")
}

func (h *header) titleLine(th *Theme, width int, st headerState) string {
	left := th.App.Title.Render("mudtop") + " " + th.App.Faint.Render(Truncate(st.db, 30))
	if st.operator != "" {
		left += "  " + th.Panel.Value.Render(Truncate(st.operator, 20)) + " " + th.App.Faint.Render("("+Truncate(st.role, 12)+")")
	}
	var badge string
	switch {
	case st.stale:
		badge = th.Header.Stale.Render("STALE " + Truncate(st.err, 30))
	case st.paused:
		badge = th.Header.Paused.Render("PAUSED")
	default:
		badge = th.Header.Live.Render("● live " + st.interval.String())
		if st.paced > st.interval {
			badge = th.Header.Live.Render("● live "+st.paced.String()) + th.App.Faint.Render(" (slow reads)")
		}
	}
	if st.readOnly {
		badge = th.Header.ReadOnly.Render("read-only") + " " + badge
	}
	if st.safe {
		badge = th.Header.ReadOnly.Render("SAFE") + " " + badge
	}
	clock := ""
	if h.have {
		clock = th.App.Faint.Render(h.now.UTC().Format("15:04:05 UTC"))
	}
	right := badge + "  " + clock
	gap := width - displayWidth(left) - displayWidth(right)
	if gap < 1 {
		return left + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}

func (h *header) countsLine(th *Theme, width int) string {
	if !h.have || h.pending {
		// Nothing read yet, or the first, page-only read: no figure is
		// better than a zero that is not true.
		return th.Header.Label.Render("counting sessions…")
	}
	c := h.counts
	item := func(label string, n int, st lipgloss.Style) string {
		return th.Header.Label.Render(label+" ") + st.Render(fmt.Sprint(n))
	}
	parts := []string{
		item("sessions", c.Sessions, th.Header.Count),
		item("active", c.Active, th.State.Active),
		item("idle", c.Idle, th.State.Idle),
		item("in world", c.InWorld, th.Header.Count),
		item("expiring", c.ExpiringSoon, th.State.Expiring),
		item("no expiry", c.NeverExpires, th.State.Forever),
		item("expired", c.Expired, th.State.Expired),
	}
	return strings.Join(parts, "  ")
}

func (h *header) groupsLine(th *Theme, width int) string {
	if !h.have || h.pending {
		return ""
	}
	third := max((width-6)/3, 10)
	group := func(label string, m map[string]int) string {
		return Truncate(label+" "+topCounts(m), third)
	}
	sep := th.App.Faint.Render(" │ ")
	return th.Header.Label.Render(Fit(group("roles", h.counts.ByRole), third)) + sep +
		th.Header.Label.Render(Fit(group("worlds", inWorld(h.counts.ByWorld)), third)) + sep +
		th.Header.Label.Render(group("clients", h.counts.ByClient))
}

// inWorld drops the account sessions (no world) from a by-world count:
// the "in world" figure already says how many are in one.
func inWorld(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, n := range m {
		if k != "" {
			out[k] = n
		}
	}
	return out
}

// topCounts lists a breakdown biggest first: "player 250, admin 3". Keys
// come from the database and are sanitised; the empty key (no world, no
// client type) is shown as "-".
func topCounts(m map[string]int) string {
	type kv struct {
		k string
		n int
	}
	list := make([]kv, 0, len(m))
	for k, n := range m {
		list = append(list, kv{k, n})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].k < list[j].k
	})
	parts := make([]string, 0, min(len(list), 6))
	for i, e := range list {
		if i == 6 {
			parts = append(parts, fmt.Sprintf("+%d more", len(list)-6))
			break
		}
		k := Sanitize(e.k)
		if k == "" {
			k = "-"
		}
		parts = append(parts, fmt.Sprintf("%s %d", k, e.n))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func (h *header) sparkLine(th *Theme, width int) string {
	line := th.Header.Label.Render("active 3m ") + th.Header.Spark.Render(sparkline(h.spark, sparkBars))
	line += " " + th.Header.Count.Render(fmt.Sprint(h.counts.Active))
	line += th.App.Faint.Render(fmt.Sprintf(" peak %d", h.peak))
	if in, out, ok := h.rates(); ok {
		line += th.App.Faint.Render(" · ") + th.Header.Label.Render("logins ") + th.Header.Count.Render(fmt.Sprintf("%.0f/min", in))
		line += th.App.Faint.Render(" · ") + th.Header.Label.Render("logouts ") + th.Header.Count.Render(fmt.Sprintf("%.0f/min", out))
	} else {
		line += th.App.Faint.Render(" · logins –/min · logouts –/min")
	}
	return line
}

// sparkline draws values as bars scaled to their maximum, right-aligned in
// width cells (older history scrolls off to the left).
func sparkline(values []int, width int) string {
	const bars = "▁▂▃▄▅▆▇█"
	runes := []rune(bars)
	top := 0
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	for i := len(values); i < width; i++ {
		b.WriteRune(' ')
	}
	for _, v := range values {
		idx := 0
		if top > 0 {
			idx = v * (len(runes) - 1) / top
		}
		b.WriteRune(runes[idx])
	}
	return b.String()
}
