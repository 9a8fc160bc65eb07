package tui

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

func newExportModel(f *fixture, token, dir string) Model {
	m := New(f.svc, token, testKeys(), testTheme, Options{DBLabel: "test.db", ExportDir: dir})
	m.tick = func(time.Duration, int) tea.Cmd { return nil }
	return run(m, tea.WindowSizeMsg{Width: 100, Height: 30}, m.Init())
}

// TestExportWritesTheFilteredView: E writes every matching row, in the
// table's order, to a new file only the operator can read, and says where.
func TestExportWritesTheFilteredView(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	dir := filepath.Join(t.TempDir(), "state", "mudtop")
	m := newExportModel(f, op, dir)
	m = press(m, "/")
	m = typeText(m, "pipe")
	m = press(m, "enter", "s") // filter to pipeworks, sort by user
	m = press(m, "E")
	files, _ := filepath.Glob(filepath.Join(dir, "sessions-*.csv"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	if !strings.Contains(m.status.text, "wrote 2 sessions to "+files[0]) {
		t.Fatalf("status does not name the file:\n%s", screenText(m))
	}
	st, err := os.Stat(files[0])
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v %v, want 0600", st.Mode(), err)
	}
	if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", d.Mode())
	}
	b, _ := os.ReadFile(files[0])
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][1] != "alice" || recs[2][1] != "dave" || recs[1][4] != "pipeworks" {
		t.Fatalf("export %q %v", recs, err)
	}
	// A second export never overwrites the first.
	m = press(m, "E")
	if files, _ = filepath.Glob(filepath.Join(dir, "sessions-*.csv")); len(files) != 2 {
		t.Errorf("second export: %v", files)
	}
}

// TestExportNotOfferedWithoutDir: over SSH (no export directory) the key
// is off and help does not list it.
func TestExportNotOfferedWithoutDir(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = press(m, "E", "?")
	if out := screenText(m); strings.Contains(out, "export") || strings.Contains(out, "wrote") {
		t.Fatalf("export offered without a directory:\n%s", out)
	}
}

// TestWriteCSVCells: database text is sanitised and defused, numbers are
// left alone (a negative idle time is activity in the future), and a
// hostile id is cut and cleaned like any other text.
func TestWriteCSVCells(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var b strings.Builder
	err := WriteCSV(&b, now, []auth.SessionInfo{{
		Ref: auth.SessionRef{Token: "=\x1b[2Jabcdefgh"}, Username: "@evil", Role: "player", ClientType: "-web",
		LastActivity: now.Add(5 * time.Second), State: auth.StateActive, NeverExpires: true,
	}})
	recs, rerr := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil || rerr != nil || len(recs) != 2 {
		t.Fatalf("%v %v\n%s", err, rerr, b.String())
	}
	r := recs[1]
	if r[0] != "'=abc" || strings.Contains(b.String(), "\x1b") {
		t.Errorf("id cell %q", r[0])
	}
	if r[1] != "'@evil" || r[5] != "'-web" || r[7] != "-5" || r[10] != "never" {
		t.Errorf("cells %q", r)
	}
}

func TestExportDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/s", "HOME": "/h"}, "/s/mudtop"},
		{map[string]string{"XDG_STATE_HOME": "rel", "HOME": "/h"}, "/h/.local/state/mudtop"}, // XDG: relative paths are ignored
		{map[string]string{"HOME": "/h"}, "/h/.local/state/mudtop"},
		{map[string]string{}, ""},
	} {
		if got := ExportDir(env(tc.env)); got != tc.want {
			t.Errorf("ExportDir(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

// TestSafeMode: L hides and refuses every action until pressed again.
func TestSafeMode(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = selectUser(t, m, "alice")
	m = press(m, "L")
	out := screenText(m)
	if !strings.Contains(out, "SAFE") || strings.Contains(out, "kick") {
		t.Fatalf("safe mode screen:\n%s", out)
	}
	for _, k := range []string{"x", "X", "B", "C", "space", "K"} {
		if m = press(m, k); m.confirm != nil {
			t.Fatalf("%s opened a dialog in safe mode", k)
		}
	}
	if f.count() != 5 {
		t.Fatal("safe mode removed something")
	}
	m = press(m, "L")
	m = selectUser(t, m, "alice")
	if m = press(m, "x"); m.confirm == nil || strings.Contains(screenText(m), "SAFE") {
		t.Fatal("actions did not come back after leaving safe mode")
	}
	// Turned on while a dialog's action is confirmed: still refused.
	m.safe = true
	m = press(m, "right", "enter")
	if f.count() != 5 || !strings.Contains(screenText(m), "nothing done") {
		t.Fatalf("a confirmed action ran in safe mode:\n%s", screenText(m))
	}
}
