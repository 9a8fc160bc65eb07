package tui

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestGolden pins every screen, as plain text at fixed sizes. Refresh with
// go test ./tui -run TestGolden -update, and read the diff.
func TestGolden(t *testing.T) {
	screens := []struct {
		name string
		w, h int
		keys []string
	}{
		{"monitor", 80, 24, nil},
		{"monitor_wide", 120, 30, []string{"j"}},
		{"monitor_side_detail", 160, 30, []string{"j"}},
		{"detail", 80, 24, []string{"enter"}},
		{"roles", 80, 24, []string{"r"}},
		{"help", 80, 24, []string{"?"}},
		{"kick_confirm", 80, 24, []string{"x"}},
		{"kick_tagged_confirm", 80, 24, []string{"space", "space", "K"}},
		{"clear_all_confirm", 80, 24, []string{"C"}},
		{"ban_confirm", 80, 24, []string{"j", "B"}},
		{"safe_mode", 80, 24, []string{"L"}},
		{"grants_findings", 100, 24, []string{"P"}},
		{"kick_scope_confirm", 80, 24, []string{"/", "p", "i", "enter", "F"}},
		{"grants_holders", 100, 24, []string{"P", "tab", "]", "]", "]", "]", "]", "]"}},
		{"grants_account", 100, 24, []string{"j", "P", "tab", "tab"}},
		{"sorted_desc", 80, 24, []string{"s", "S"}},
	}
	for _, s := range screens {
		t.Run(s.name, func(t *testing.T) {
			f := newFixture(t)
			op := f.standard()
			m := newTestModel(f, op, s.w, s.h)
			m = press(m, s.keys...)
			golden.RequireEqual(t, screenText(m))
		})
	}
	t.Run("audit", func(t *testing.T) {
		f := newFixture(t)
		op := f.standard()
		m := newTestModel(f, op, 80, 24)
		m = selectUser(t, m, "alice")
		m = press(m, "x", "tab")
		m = typeText(m, "testing the audit view")
		m = press(m, "enter", "right", "enter", "a")
		golden.RequireEqual(t, screenText(m))
	})
	t.Run("login", func(t *testing.T) {
		f := newFixture(t)
		f.standard()
		m := newTestModel(f, "", 80, 24)
		m = typeText(m, "carol")
		m = press(m, "tab")
		m = typeText(m, "secret")
		golden.RequireEqual(t, screenText(m))
	})
	t.Run("too_small", func(t *testing.T) {
		f := newFixture(t)
		op := f.standard()
		m := newTestModel(f, op, 70, 20)
		golden.RequireEqual(t, screenText(m))
	})
	t.Run("hostile", func(t *testing.T) {
		f := newFixture(t)
		op := f.standard()
		f.user("\x1b[2J\x1b]0;pwned\x07ev\u202eil\x1b[31m", "player")
		f.user("日本語ユーザー", "player")
		f.session("\x1b[2J\x1b]0;pwned\x07ev\u202eil\x1b[31m", "Zalgo\u0301\u0302\u0303", "pipeworks", "\x1b[5mtelnet", 0)
		f.session("日本語ユーザー", "", "", "web", 0)
		m := newTestModel(f, op, 80, 24)
		golden.RequireEqual(t, screenText(m))
	})
}
