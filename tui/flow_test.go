package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// flow runs the real program (real ticks at the fastest interval) in
// teatest, with the colour profile pinned so output does not depend on
// the environment.
type flow struct {
	t   *testing.T
	tm  *teatest.TestModel
	all bytes.Buffer // everything the program wrote, for inertness checks
}

func startFlow(t *testing.T, f *fixture, token string, w, h int) *flow {
	t.Helper()
	m := New(f.svc, token, testKeys(), testTheme, Options{DBLabel: "flow.db", Interval: MinInterval})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	fl := &flow{t: t, tm: tm}
	t.Cleanup(func() { _ = tm.Quit() })
	return fl
}

// waitFor waits until the output contains every want. The renderer sends
// only the cells that changed, so a phrase with spaces (or a letter that
// happens to sit where the same letter was) may never appear whole: wait
// for single distinctive words, and check the outcome on the database and
// the final model.
func (fl *flow) waitFor(wants ...string) {
	fl.t.Helper()
	teatest.WaitFor(fl.t, fl.tm.Output(), func(b []byte) bool {
		fl.all.Write(b)
		s := ansi.Strip(fl.all.String())
		for _, w := range wants {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	fl.all.Reset()
}

func (fl *flow) keys(keys ...string) {
	for _, k := range keys {
		fl.tm.Send(keyMsg(k))
	}
}

func (fl *flow) quit() Model {
	fl.keys("q")
	return fl.tm.FinalModel(fl.t, teatest.WithFinalTimeout(5*time.Second)).(Model)
}

func TestFlowLogin(t *testing.T) {
	f := newFixture(t)
	f.standard()
	fl := startFlow(t, f, "", 100, 30)
	fl.waitFor("username")
	fl.tm.Type("carol")
	fl.keys("enter")
	fl.tm.Type(testPassword)
	fl.keys("enter")
	fl.waitFor("Alyndra")
	if m := fl.quit(); m.operator.Username != "carol" || m.Token() == "" {
		t.Fatalf("final operator %q", m.operator.Username)
	}
}

func TestFlowKickWithConfirm(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	fl := startFlow(t, f, op, 100, 30)
	fl.waitFor("Alyndra")
	fl.keys("x")
	fl.waitFor("reason")
	fl.keys("right", "enter")
	fl.waitFor("kicked")
	if n := f.count(); n != 4 {
		t.Fatalf("%d sessions in the database, want 4", n)
	}
	if m := fl.quit(); m.status.text != "kicked alice (1 session: 1 player)" {
		t.Fatalf("status %q", m.status.text)
	}
}

func TestFlowRefusedKicks(t *testing.T) {
	t.Run("player cannot watch", func(t *testing.T) {
		f := newFixture(t)
		f.standard()
		op := f.session("alice", "", "", "mudtop", 0)
		fl := startFlow(t, f, op, 100, 30)
		fl.waitFor("view_logs", "username")
		fl.keys("ctrl+c")
	})
	t.Run("admin cannot kick superuser", func(t *testing.T) {
		f := newFixture(t)
		f.standard()
		f.user("ann", "admin")
		op := f.session("ann", "", "", "mudtop", 0)
		fl := startFlow(t, f, op, 100, 30)
		fl.waitFor("Alyndra")
		// root sorts last; keys are handled in order, so no wait between.
		// (The renderer sends only changed cells: "1/6" -> "6/6" is one "6".)
		fl.keys("G", "x", "right", "enter")
		fl.waitFor("Insufficient")
		if n := f.count(); n != 6 {
			t.Fatalf("%d sessions, want 6: nothing may go", n)
		}
		m := fl.quit()
		if want := "Insufficient rank: admin cannot manage superuser: nothing removed"; m.status.text != want || m.screen != screenMonitor {
			t.Fatalf("status %q, want %q", m.status.text, want)
		}
	})
}

func TestFlowClearAll(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	fl := startFlow(t, f, op, 100, 30)
	fl.waitFor("Alyndra")
	fl.keys("C")
	fl.waitFor("reason")
	fl.tm.Type(clearWord)
	fl.keys("enter", "right", "enter")
	fl.waitFor("cleared")
	if n := f.count(); n != 1 {
		t.Fatalf("%d sessions, want only the operator's", n)
	}
	fl.quit()
}

func TestFlowOperatorRemovedMidRun(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	fl := startFlow(t, f, op, 100, 30)
	fl.waitFor("Alyndra")
	if _, err := f.svc.RemoveSession(f.ctx, op); err != nil {
		t.Fatal(err)
	}
	fl.waitFor("Invalid", "username")
	fl.keys("ctrl+c")
	m := fl.tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if m.screen != screenLogin || m.login.err != "Invalid or expired session" || len(m.table.rows) != 0 {
		t.Fatalf("screen %v, error %q, %d rows kept", m.screen, m.login.err, len(m.table.rows))
	}
}

func TestFlowResizeBelowMinimum(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	fl := startFlow(t, f, op, 100, 30)
	fl.waitFor("Alyndra")
	fl.tm.Send(tea.WindowSizeMsg{Width: 79, Height: 30})
	fl.waitFor("small")
	fl.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	fl.waitFor("Alyndra")
	fl.quit()
}

func TestFlowHostileUsernameIsInert(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	hostile := "\x1b]0;pwned\x07\x1b[2J\x1b[31mev\u202eil\x1b]8;;http://x\x1b\\"
	f.user(hostile, "player")
	f.session(hostile, "\x1bP+q\x1b\\Dorian", "pipeworks", "\x9b5mweb", 0)
	fl := startFlow(t, f, op, 100, 30)
	var raw bytes.Buffer
	teatest.WaitFor(t, fl.tm.Output(), func(b []byte) bool {
		raw.Write(b)
		return strings.Contains(ansi.Strip(raw.String()), "Dorian")
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	out := raw.String()
	for _, bad := range []string{"pwned", "\x1b[31m", "\u202e", "http://x", "\x1bP+q", "\x9b"} {
		if strings.Contains(out, bad) {
			t.Errorf("terminal output carries %q from the database", bad)
		}
	}
	fl.quit()
}
