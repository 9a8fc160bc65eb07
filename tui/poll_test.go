package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// A slow read (a filter over a large database) must not turn the monitor
// into a constant reader of the file the game server writes: the next poll
// waits at least ten times as long as the read took, and the header says so.
func TestSlowReadsArePaced(t *testing.T) {
	cases := []struct {
		interval, took, want time.Duration
	}{
		{time.Second, 5 * time.Millisecond, time.Second},
		{MinInterval, 90 * time.Millisecond, MinInterval},
		{MinInterval, 150 * time.Millisecond, 1500 * time.Millisecond},
		{time.Second, 100 * time.Millisecond, time.Second},
		{time.Second, 600 * time.Millisecond, 6 * time.Second},
		{time.Second, 20 * time.Second, MaxInterval},
		{10 * time.Second, 600 * time.Millisecond, 10 * time.Second},
	}
	for _, c := range cases {
		if got := pacedInterval(c.interval, c.took); got != c.want {
			t.Errorf("pacedInterval(%v, %v) = %v, want %v", c.interval, c.took, got, c.want)
		}
	}
}

// The first frame must not wait for the header counts (a full pass over a
// large database): the first read asks for the page alone, the frame shows
// the rows with "counting sessions…", and the full read follows at once.
func TestFirstFrameShowsPageBeforeCounts(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := New(f.svc, op, testKeys(), testTheme, Options{DBLabel: "test.db"})
	m.tick = func(time.Duration, int) tea.Cmd { return nil }
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = nm.(Model)
	if r := m.pollRequest(); !r.query.PageOnly {
		t.Fatal("the first read asks for the counts too")
	}
	nm, cmd := m.Update(tickMsg{gen: m.poll.tickGen})
	m = nm.(Model)
	if cmd == nil {
		t.Fatal("no first read")
	}
	nm, next := m.Update(cmd())
	m = nm.(Model)
	screen := screenText(m)
	if !strings.Contains(screen, "counting sessions…") || !strings.Contains(screen, "alice") {
		t.Fatalf("first frame should show the page and a counting note:\n%s", screen)
	}
	if next == nil {
		t.Fatal("no full read after the page-only one")
	}
	m = run(m, nil, next)
	screen = screenText(m)
	if strings.Contains(screen, "counting sessions…") || !strings.Contains(screen, "sessions ") {
		t.Fatalf("counts did not follow the first frame:\n%s", screen)
	}
	if r := m.pollRequest(); r.query.PageOnly {
		t.Fatal("later reads still skip the counts")
	}
}
