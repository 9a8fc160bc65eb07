package tui

import (
	"strings"
	"testing"
	"time"
)

// selectUser moves the cursor to the first row of user.
func selectUser(t *testing.T, m Model, user string) Model {
	t.Helper()
	m = press(m, "g")
	for i := 0; i < m.table.matching; i++ {
		if r, ok := m.table.current(); ok && r.Username == user {
			return m
		}
		m = press(m, "j")
	}
	t.Fatalf("no row for %q", user)
	return m
}

func TestKickDefaultsToCancel(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = selectUser(t, m, "alice")
	m = press(m, "x")
	if m.confirm == nil {
		t.Fatal("no confirmation")
	}
	m = press(m, "enter")
	if m.confirm != nil || f.count() != 5 {
		t.Fatalf("enter on the default button removed something (%d sessions)", f.count())
	}
}

func TestKickConfirmedRemovesExactlyTheRow(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = selectUser(t, m, "alice")
	target, _ := m.table.current()
	m = press(m, "x")
	if !strings.Contains(screenText(m), "1 session: 1 player") {
		t.Fatalf("confirmation does not count by role:\n%s", screenText(m))
	}
	m = press(m, "tab") // to the reason field
	m = typeText(m, "spamming")
	m = press(m, "enter", "right", "enter")
	if f.count() != 4 {
		t.Fatalf("%d sessions left, want 4", f.count())
	}
	if _, err := f.svc.ValidateSession(f.ctx, target.Ref.Token); err == nil {
		t.Fatal("alice's session still validates")
	}
	if !strings.Contains(screenText(m), "kicked alice (1 session: 1 player)") {
		t.Fatalf("status:\n%s", screenText(m))
	}
	audit, err := f.svc.RecentAudit(f.ctx, op, 1)
	if err != nil || len(audit) != 1 || audit[0].Reason != "spamming" {
		t.Fatalf("audit %+v %v, want reason spamming", audit, err)
	}
}

func TestKickFrozenRowGoneReportsNotFound(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = selectUser(t, m, "alice")
	target, _ := m.table.current()
	m = press(m, "x")
	// The session goes (and alice logs in again) while the dialog is open:
	// the kick must not hit the new session.
	if _, err := f.svc.RemoveSession(f.ctx, target.Ref.Token); err != nil {
		t.Fatal(err)
	}
	f.session("alice", "", "", "web", 0)
	m = press(m, "right", "enter")
	if f.count() != 5 {
		t.Fatalf("%d sessions, want 5: the new session was kicked", f.count())
	}
	if !strings.Contains(screenText(m), "session not found") {
		t.Fatalf("status:\n%s", screenText(m))
	}
}

func TestAdminCannotKickSuperuser(t *testing.T) {
	f := newFixture(t)
	f.standard()
	f.user("ann", "admin")
	op := f.session("ann", "", "", "mudtop", 0)
	m := newTestModel(f, op, 100, 30)
	m = selectUser(t, m, "root")
	m = press(m, "x", "right", "enter")
	if f.count() != 6 {
		t.Fatalf("%d sessions, want 6: refused kick removed something", f.count())
	}
	if out := screenText(m); !strings.Contains(out, "Insufficient rank: admin cannot manage superuser") {
		t.Fatalf("no 403 text:\n%s", out)
	}
	if m.screen != screenMonitor {
		t.Fatal("a 403 on an action logged the operator out")
	}
}

func TestPlayerOperatorSentToLogin(t *testing.T) {
	f := newFixture(t)
	f.standard()
	op := f.session("alice", "", "", "mudtop", 0)
	m := newTestModel(f, op, 100, 30)
	if m.screen != screenLogin {
		t.Fatal("a player reached the monitor")
	}
	if out := screenText(m); !strings.Contains(out, "Insufficient permissions. Required: view_logs") {
		t.Fatalf("no 403 text on the login form:\n%s", out)
	}
}

func TestTaggedKickNotesFilteredRows(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = press(m, "space", "space") // alice, bob
	m = press(m, "/")
	m = typeText(m, "pipe")
	m = press(m, "enter", "K")
	out := screenText(m)
	if !strings.Contains(out, "2 sessions: 1 player, 1 worldbuilder") || !strings.Contains(out, `1 of them hidden by the filter "pipe"`) {
		t.Fatalf("tagged confirmation:\n%s", out)
	}
	m = press(m, "right", "enter")
	if f.count() != 3 || len(m.table.tags) != 0 {
		t.Fatalf("%d sessions, %d tags after kicking the tagged", f.count(), len(m.table.tags))
	}
}

func TestClearAllNeedsWordAndKeepsOwnSession(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = press(m, "C")
	if out := screenText(m); !strings.Contains(out, "4 sessions: 2 player, 1 worldbuilder, 1 admin") {
		t.Fatalf("clear-all count:\n%s", out)
	}
	// Confirm without the word: refused, nothing removed.
	m = press(m, "enter", "right", "enter")
	if f.count() != 5 || m.confirm == nil || !strings.Contains(screenText(m), "type clear first") {
		t.Fatalf("cleared without the word (%d left)", f.count())
	}
	m = press(m, "tab", "tab") // wraps round to the word field
	m = typeText(m, "clear")
	m = press(m, "enter", "enter")
	if f.count() != 5 {
		t.Fatal("enter went past the default cancel button")
	}
	m = press(m, "C") // opens on the word field
	m = typeText(m, "clear")
	m = press(m, "enter", "right", "enter")
	if f.count() != 1 {
		t.Fatalf("%d sessions left, want only the operator's", f.count())
	}
	if m.screen != screenMonitor {
		t.Fatal("operator logged out though own session was kept")
	}
}

func TestKickOwnSessionLogsOut(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = selectUser(t, m, "root")
	m = press(m, "x", "right", "enter")
	if m.screen != screenLogin || m.token != "" {
		t.Fatal("kicking own session did not return to login")
	}
}

func TestOperatorRemovedMidRunReturnsToLogin(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	if _, err := f.svc.RemoveSession(f.ctx, op); err != nil {
		t.Fatal(err)
	}
	m = press(m, "R")
	if m.screen != screenLogin || !strings.Contains(screenText(m), "Invalid or expired session") {
		t.Fatalf("401 did not return to login:\n%s", screenText(m))
	}
	if m.table.matching != 0 || len(m.table.rows) != 0 {
		t.Fatal("rows kept after logout")
	}
}

func TestLoginFormFlow(t *testing.T) {
	f := newFixture(t)
	f.standard()
	m := newTestModel(f, "", 100, 30)
	m = typeText(m, "carol")
	m = press(m, "enter")
	m = typeText(m, "wrong")
	m = press(m, "enter")
	if !strings.Contains(screenText(m), "Invalid username or password") {
		t.Fatalf("no refusal:\n%s", screenText(m))
	}
	if strings.Contains(screenText(m), "wrong") {
		t.Fatal("password echoed")
	}
	m = typeText(m, testPassword)
	m = press(m, "enter")
	if m.screen != screenMonitor || m.operator.Username != "carol" {
		t.Fatalf("not signed in:\n%s", screenText(m))
	}
	if !strings.Contains(screenText(m), "carol") || m.table.matching != 5 { // her old session was replaced
		t.Fatalf("monitor after login:\n%s", screenText(m))
	}
}

func TestLoginWithoutViewLogsStaysOnForm(t *testing.T) {
	f := newFixture(t)
	f.standard()
	m := newTestModel(f, "", 100, 30)
	m = typeText(m, "bob")
	m = press(m, "enter")
	m = typeText(m, testPassword)
	m = press(m, "enter")
	if m.screen != screenLogin || !strings.Contains(screenText(m), "Required: view_logs") {
		t.Fatalf("worldbuilder got in or no 403 text:\n%s", screenText(m))
	}
}

func TestLoginDelayShown(t *testing.T) {
	f := newFixture(t)
	f.standard()
	m := newTestModel(f, "", 100, 30)
	m = typeText(m, "carol")
	m = press(m, "enter")
	for i := 0; i < 4; i++ {
		m = typeText(m, "nope")
		m = press(m, "enter")
	}
	if !strings.Contains(screenText(m), "Too many failed logins") {
		t.Fatalf("no 429 text:\n%s", screenText(m))
	}
	f.clock.Advance(time.Minute)
	m = typeText(m, testPassword)
	m = press(m, "enter")
	if m.screen != screenMonitor {
		t.Fatalf("not signed in after the delay:\n%s", screenText(m))
	}
}

func TestClearAllIncludingSelfLogsOut(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = press(m, "C")
	m = typeText(m, clearWord)
	m = press(m, "tab", "space", "enter", "right", "enter")
	if f.count() != 0 {
		t.Fatalf("%d sessions left, want none", f.count())
	}
	if m.screen != screenLogin || !strings.Contains(m.login.err, "signed out") {
		t.Fatalf("not back on the login form: %q", m.login.err)
	}
}
