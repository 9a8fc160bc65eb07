package tui

import (
	"fmt"
	"strings"
	"testing"
)

// TestKickScopeFromMonitor: F previews every session the filter matches
// (not only the visible page), names what it skips, and removes exactly
// the previewed set: a session that logs in after the preview stays.
func TestKickScopeFromMonitor(t *testing.T) {
	f := newFixture(t)
	f.standard()
	f.user("ann", "admin")
	op := f.session("ann", "", "", "mudtop", 0)
	m := newTestModel(f, op, 100, 30)
	m = press(m, "F")
	if m.confirm != nil || !strings.Contains(screenText(m), "set a filter first") {
		t.Fatalf("F without a filter:\n%s", screenText(m))
	}
	m = press(m, "/")
	m = typeText(m, "web") // alice (player, web), carol (admin, web)
	m = press(m, "enter", "F")
	out := screenText(m)
	if m.confirm == nil || !strings.Contains(out, "Kick 1 session matching the filter?") ||
		!strings.Contains(out, "1 by the rank rule (1 admin)") {
		t.Fatalf("preview:\n%s", out)
	}
	f.session("dave", "", "", "web", 0) // logs in after the preview
	m = press(m, "right", "enter")
	if !strings.Contains(screenText(m), `kicked by filter "web" (1 session: 1 player)`) {
		t.Fatalf("status:\n%s", screenText(m))
	}
	if f.count() != 6 {
		t.Fatalf("%d sessions left, want 6 (the late web login kept)", f.count())
	}
	audit, err := f.svc.RecentAudit(f.ctx, op, 1)
	if err != nil || len(audit) != 1 || audit[0].Action != "kick_scope" || audit[0].Target != `scope: filter "web"` {
		t.Fatalf("audit %+v %v", audit, err)
	}
}

// TestKickScopeTypedCount: more than ten sessions need the number typed;
// the wrong number does nothing.
func TestKickScopeTypedCount(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	for i := 0; i < 12; i++ {
		f.user(fmt.Sprintf("bot%02d", i), "player")
		f.session(fmt.Sprintf("bot%02d", i), "", "", "telnet", 0)
	}
	m := newTestModel(f, op, 100, 30)
	m = press(m, "/")
	m = typeText(m, "bot")
	m = press(m, "enter", "F")
	if out := screenText(m); !strings.Contains(out, "type 12 to confirm") || !strings.Contains(out, "and 7 more") {
		t.Fatalf("dialog:\n%s", out)
	}
	m = typeText(m, "11")
	m = press(m, "enter", "right", "enter")
	if m.confirm == nil || f.count() != 17 || !strings.Contains(screenText(m), "type 12 first") {
		t.Fatalf("a wrong count went through (%d sessions)", f.count())
	}
	m = press(m, "shift+tab", "backspace", "backspace")
	if m.confirm == nil || m.confirm.word.Value() != "" || m.confirm.field() != fieldWord {
		t.Fatalf("not back in an empty count field: %q", m.confirm.word.Value())
	}
	m = typeText(m, "12")
	m = press(m, "enter", "right", "enter")
	if f.count() != 5 {
		t.Fatalf("%d sessions left, want 5", f.count())
	}
}
