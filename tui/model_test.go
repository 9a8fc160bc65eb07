package tui

import (
	tea "charm.land/bubbletea/v2"
	"image/color"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"mudtop/auth"
)

func screenText(m Model) string { return ansi.Strip(m.View().Content) }

func TestFirstPollFillsTable(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	if !m.poll.loaded || m.table.matching != 5 {
		t.Fatalf("loaded=%v matching=%d, want 5 rows", m.poll.loaded, m.table.matching)
	}
	out := screenText(m)
	for _, want := range []string{"alice", "Alyndra", "root", "sessions 5", "superuser"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	if m.operator.Username != "root" {
		t.Errorf("operator %q", m.operator.Username)
	}
}

func TestKeyShapes(t *testing.T) {
	for _, k := range []string{"X", "C", "K", "G", "S", "R", "space", "enter", "esc", "shift+tab", "ctrl+c"} {
		if got := keyMsg(k).String(); got != k {
			t.Errorf("keyMsg(%q).String() = %q", k, got)
		}
	}
}

func TestCursorFollowsSessionAcrossRefresh(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = press(m, "j", "j") // sorted by user: alice, bob, carol...
	sel, _ := m.table.current()
	if sel.Username != "carol" {
		t.Fatalf("selected %q, want carol", sel.Username)
	}
	// A new session sorting above the cursor must not move it to another
	// session.
	f.user("aaron", "player")
	f.session("aaron", "", "", "web", 0)
	m = press(m, "R")
	if got, _ := m.table.current(); got.Ref != sel.Ref {
		t.Fatalf("after refresh selected %q, want carol", got.Username)
	}
	if m.table.cursor != 3 {
		t.Errorf("cursor %d, want 3 (carol moved down one)", m.table.cursor)
	}
}

func TestTagsOfVanishedSessionsDisappear(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = press(m, "space", "space") // tags alice, bob (tag moves down)
	if len(m.table.tags) != 2 {
		t.Fatalf("%d tags, want 2", len(m.table.tags))
	}
	var bobRef auth.SessionRef
	for ref, r := range m.table.tags {
		if r.Username == "bob" {
			bobRef = ref
		}
	}
	if _, err := f.svc.RemoveSession(f.ctx, bobRef.Token); err != nil {
		t.Fatal(err)
	}
	m = press(m, "R")
	if len(m.table.tags) != 1 {
		t.Fatalf("%d tags after bob left, want 1", len(m.table.tags))
	}
	if _, ok := m.table.tags[bobRef]; ok {
		t.Fatal("bob's tag survived his session")
	}
}

func TestSortCyclesAndReverses(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = press(m, "s")
	if m.table.sort != auth.SortRole {
		t.Fatalf("sort %v, want role", m.table.sort)
	}
	m = press(m, "S")
	if !m.table.desc || !strings.Contains(screenText(m), "ROLE▼") {
		t.Fatalf("reverse not shown:\n%s", screenText(m))
	}
	if m.table.rows[0].Role != "worldbuilder" {
		t.Errorf("first row role %q, want worldbuilder (role descending)", m.table.rows[0].Role)
	}
}

func TestFilterNarrowsAndEscClears(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = press(m, "/")
	m = typeText(m, "pipe")
	if m.table.matching != 2 {
		t.Fatalf("filter pipe matched %d, want 2", m.table.matching)
	}
	if strings.Contains(m.helpView(), "quit") && strings.Contains(m.helpView(), "q ") {
		t.Errorf("focused filter advertises q: %s", m.helpView())
	}
	m = press(m, "enter")
	if m.filter.active || m.filter.value() != "pipe" {
		t.Fatalf("enter should keep the filter and leave the input")
	}
	m = press(m, "esc")
	if m.filter.value() != "" || m.table.matching != 5 {
		t.Fatalf("esc left filter %q, %d rows", m.filter.value(), m.table.matching)
	}
}

func TestPauseStopsTicksAndIntervalBounds(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = press(m, "p")
	if !m.paused || !strings.Contains(screenText(m), "PAUSED") {
		t.Fatal("p did not pause")
	}
	gen := m.poll.tickGen
	nm, cmd := m.Update(tickMsg{gen: gen - 1})
	if cmd != nil || nm.(Model).poll.inFlight {
		t.Fatal("a stale tick started a read while paused")
	}
	for i := 0; i < 10; i++ {
		m = press(m, "+")
	}
	if m.interval != MinInterval {
		t.Errorf("interval %v, want floor %v", m.interval, MinInterval)
	}
	for i := 0; i < 20; i++ {
		m = press(m, "-")
	}
	if m.interval != MaxInterval {
		t.Errorf("interval %v, want ceiling %v", m.interval, MaxInterval)
	}
}

func TestStaleAnswersDropped(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	before := m.table.matching
	m.poll.seq, m.poll.inFlight = 7, true
	nm, _ := m.Update(snapshotMsg{seq: 6, snap: auth.Snapshot{Matching: 99}})
	if got := nm.(Model).table.matching; got != before {
		t.Fatalf("stale answer applied: matching %d", got)
	}
}

func TestPollErrorKeepsDataMarkedStaleWithBackoff(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	var armed []time.Duration
	m.tick = func(d time.Duration, _ int) tea.Cmd { armed = append(armed, d); return nil }
	for i := 0; i < 3; i++ {
		m.poll.seq++
		m.poll.inFlight = true
		m = run(m, snapshotMsg{seq: m.poll.seq, err: auth.ErrBusy})
	}
	out := screenText(m)
	if !strings.Contains(out, "STALE") || !strings.Contains(out, "database is busy") || !strings.Contains(out, "alice") {
		t.Fatalf("stale rows not kept/marked:\n%s", out)
	}
	if len(armed) != 3 || armed[0] != time.Second || armed[2] != 4*time.Second {
		t.Fatalf("back-off %v, want 1s 2s 4s", armed)
	}
}

func TestRevealShowsWholeIDOnlyOnRequest(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	r, _ := m.table.current()
	if strings.Contains(screenText(m), r.Ref.Token) {
		t.Fatal("whole session id on screen before reveal")
	}
	m = press(m, "i")
	if !strings.Contains(screenText(m), r.Ref.Token) {
		t.Fatal("reveal did not show the id")
	}
	m = press(m, "j")
	if strings.Contains(screenText(m), r.Ref.Token) {
		t.Fatal("id stayed revealed after moving on")
	}
}

func TestReadOnlyHidesActions(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := New(f.svc, op, testKeys(), testTheme, Options{ReadOnly: true})
	m.tick = func(time.Duration, int) tea.Cmd { return nil }
	m = run(m, tea.WindowSizeMsg{Width: 100, Height: 30}, m.Init())
	m = press(m, "x")
	if m.confirm != nil {
		t.Fatal("kick dialog opened in read-only mode")
	}
	if strings.Contains(m.helpView(), "kick") {
		t.Errorf("read-only help offers kick: %s", m.helpView())
	}
}

func TestTooSmall(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 79, 24)
	if !strings.Contains(screenText(m), "terminal too small (need 80x24)") {
		t.Fatalf("no too-small message:\n%s", screenText(m))
	}
	m = run(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if strings.Contains(screenText(m), "too small") {
		t.Fatal("still too small at 80x24")
	}
}

func TestHostileRoleInResultIsSanitised(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	f.user("mallory", "\x1b]0;x\x07player")
	f.session("mallory", "", "", "web", 0)
	m := newTestModel(f, op, 100, 30)
	m = selectUser(t, m, "mallory")
	m = press(m, "x", "right", "enter")
	if f.count() != 5 {
		t.Fatalf("%d sessions, want 5", f.count())
	}
	if strings.ContainsRune(m.View().Content, '\x07') || strings.Contains(m.status.text, "\x1b") {
		t.Fatalf("status carries the role's escape sequence: %q", m.status.text)
	}
}

func TestBackgroundColourRebuildsTheme(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	var asked []bool
	m := New(f.svc, op, testKeys(), func(dark bool) Theme { asked = append(asked, dark); return testTheme(dark) },
		Options{DetectBackground: true, Dark: true})
	if m.Init() == nil {
		t.Fatal("no commands from Init")
	}
	nm, _ := m.Update(tea.BackgroundColorMsg{Color: color.White})
	_ = nm
	if len(asked) != 2 || !asked[0] || asked[1] {
		t.Fatalf("theme built for %v, want dark then light", asked)
	}
}
