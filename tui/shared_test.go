package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

// A monitor on a shared poll (mudtop serve) never reads the counts itself:
// it reads its page when the shared tick says so, shows the shared counts,
// arms no timer of its own, and reports each page with its tick's time.
func TestSharedPollReadsOnlyThePage(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	counts, _, err := f.svc.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	share := auth.NewPageShare()
	var pages []time.Time
	m := New(f.svc, op, testKeys(), testTheme, Options{
		DBLabel: "test.db",
		Shared:  func() (auth.Counts, *auth.PageShare, bool) { return counts, share, true },
		OnPage:  func(at time.Time) { pages = append(pages, at) },
	})
	armed := 0
	m.tick = func(time.Duration, int) tea.Cmd { armed++; return nil }
	m = run(m, tea.WindowSizeMsg{Width: 100, Height: 30}, m.Init())
	reads := f.svc.CountReads()
	at := time.Now()
	m = run(m, SharedTickMsg{At: at})
	if got := f.svc.CountReads(); got != reads {
		t.Fatalf("a shared-poll monitor read the counts itself (%d reads)", got-reads)
	}
	screen := screenText(m)
	if strings.Contains(screen, "counting sessions…") || !strings.Contains(screen, "alice") {
		t.Fatalf("the shared counts or the page are not on screen:\n%s", screen)
	}
	if armed != 0 {
		t.Fatalf("armed %d timers of its own", armed)
	}
	if len(pages) != 1 || !pages[0].Equal(at) {
		t.Fatalf("OnPage got %v, want the tick's time", pages)
	}
	// A second viewer with the same view shares the tick's page read.
	m2 := New(f.svc, op, testKeys(), testTheme, Options{
		Shared: func() (auth.Counts, *auth.PageShare, bool) { return counts, share, true },
	})
	m2.tick = func(time.Duration, int) tea.Cmd { return nil }
	m2 = run(m2, tea.WindowSizeMsg{Width: 100, Height: 30}, m2.Init())
	run(m2, SharedTickMsg{At: at})
	if share.Reads() != 1 {
		t.Fatalf("two viewers of one page made %d reads in one tick", share.Reads())
	}
	// Paused, the shared ticks are ignored.
	m = press(m, "p")
	if _, cmd := m.Update(SharedTickMsg{At: time.Now()}); cmd != nil {
		t.Fatal("a paused monitor read on a shared tick")
	}
}

// Over SSH there is no login form to return to: a refused operator ends
// the program, and EndReason says why.
func TestEndOnRefusal(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := New(f.svc, op, testKeys(), testTheme, Options{EndOnRefusal: true})
	m.tick = func(time.Duration, int) tea.Cmd { return nil }
	m = run(m, tea.WindowSizeMsg{Width: 100, Height: 30}, m.Init())
	if _, err := f.svc.RemoveSession(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	nm, cmd := m.Update(tickMsg{gen: m.poll.tickGen})
	m = nm.(Model)
	nm, cmd = m.Update(cmd())
	m = nm.(Model)
	if cmd == nil {
		t.Fatal("no command after the refusal")
	}
	if _, quit := cmd().(tea.QuitMsg); !quit {
		t.Fatal("the refused monitor did not end")
	}
	if m.EndReason() != auth.ErrInvalidSession.Detail {
		t.Fatalf("EndReason = %q", m.EndReason())
	}
}
