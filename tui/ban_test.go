package tui

import (
	"strings"
	"testing"
)

// TestBanFromMonitor: B on a row names the account and its live session
// count, defaults to cancel, and once confirmed deactivates the account and
// ends every one of its sessions; B on the banned account's remaining row
// (a foreign database can hold one) offers the unban.
func TestBanFromMonitor(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	f.session("alice", "", "", "telnet", 0) // a second session of alice's, under the multi rule off: an anomaly, but real
	m := newTestModel(f, op, 100, 30)
	m = selectUser(t, m, "alice")
	m = press(m, "B")
	out := screenText(m)
	if !strings.Contains(out, "Ban alice?") || !strings.Contains(out, "its 2 live sessions will end now") {
		t.Fatalf("ban dialog:\n%s", out)
	}
	m = press(m, "enter") // the default button is Cancel
	if f.count() != 6 {
		t.Fatalf("cancelled ban removed sessions (%d left)", f.count())
	}
	m = press(m, "B", "tab")
	m = typeText(m, "gold farming")
	m = press(m, "enter", "right", "enter")
	if f.count() != 4 {
		t.Fatalf("%d sessions left after the ban, want 4", f.count())
	}
	if !strings.Contains(screenText(m), "banned alice (2 sessions: 2 player)") {
		t.Fatalf("status:\n%s", screenText(m))
	}
	if _, err := f.svc.Login(f.ctx, "alice", testPassword, "web"); err == nil || err.Error() != "Account is deactivated" {
		t.Fatalf("banned alice logged in: %v", err)
	}
	audit, err := f.svc.RecentAudit(f.ctx, op, 1)
	if err != nil || len(audit) != 1 || audit[0].Action != "ban_user" || audit[0].Reason != "gold farming" {
		t.Fatalf("audit %+v %v", audit, err)
	}
	// A deactivated account that still holds a session: B offers the unban.
	f.session("alice", "", "", "web", 0)
	m = press(m, "R")
	m = selectUser(t, m, "alice")
	m = press(m, "B")
	if !strings.Contains(screenText(m), "Unban alice?") {
		t.Fatalf("no unban offered:\n%s", screenText(m))
	}
	m = press(m, "right", "enter")
	if !strings.Contains(screenText(m), "unbanned alice") {
		t.Fatalf("status:\n%s", screenText(m))
	}
	if _, err := f.svc.Login(f.ctx, "alice", testPassword, "web"); err != nil {
		t.Fatalf("unbanned alice cannot log in: %v", err)
	}
}

// TestBanOutrankedShowsRouteText: the monitor shows the route's own 403.
func TestBanOutrankedShowsRouteText(t *testing.T) {
	f := newFixture(t)
	f.standard()
	f.user("ann", "admin")
	op := f.session("ann", "", "", "mudtop", 0)
	m := newTestModel(f, op, 100, 30)
	m = selectUser(t, m, "carol")
	m = press(m, "B", "right", "enter")
	if out := screenText(m); !strings.Contains(out, "Insufficient permissions to manage user with role 'admin'") {
		t.Fatalf("no 403 text:\n%s", out)
	}
	if f.count() != 6 {
		t.Fatalf("refused ban removed sessions")
	}
}
