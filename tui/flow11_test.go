package tui

import (
	"testing"
)

// The features of issue 11 end to end, on the real program with real
// ticks: the grants view, a kick by filter with its typed count, a ban,
// and safe mode.

func TestFlowGrantsView(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	f.user("mod", "moderator")
	fl := startFlow(t, f, op, 120, 30)
	fl.waitFor("Alyndra")
	fl.keys("P")
	fl.waitFor("findings", "moderator")
	fl.keys("tab")
	fl.waitFor("holders", "play_game")
	if m := fl.quit(); m.view != viewGrants || m.grants.mode != grantsHolders || m.grants.screen.Holders == nil || m.grants.screen.Holders.Total != 5 {
		t.Fatalf("final grants view: mode %v, %+v", m.grants.mode, m.grants.screen.Holders)
	}
}

func TestFlowKickByFilter(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	for _, n := range []string{"b00", "b01", "b02", "b03", "b04", "b05", "b06", "b07", "b08", "b09", "b10"} {
		f.user("bot"+n, "player")
		f.session("bot"+n, "", "", "telnet", 0)
	}
	fl := startFlow(t, f, op, 120, 34)
	fl.waitFor("Alyndra")
	fl.keys("/")
	fl.tm.Type("bot")
	fl.keys("enter", "F")
	fl.waitFor("confirm:")
	fl.tm.Type("11")
	fl.keys("enter", "right", "enter")
	fl.waitFor("kicked")
	if n := f.count(); n != 5 {
		t.Fatalf("%d sessions, want the 5 that do not match", n)
	}
	if m := fl.quit(); m.status.text != `kicked by filter "bot" (11 sessions: 11 player)` {
		t.Fatalf("status %q", m.status.text)
	}
}

func TestFlowBanAndSafeMode(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	fl := startFlow(t, f, op, 120, 30)
	fl.waitFor("Alyndra")
	fl.keys("L", "x") // safe: x does nothing
	fl.waitFor("SAFE")
	fl.keys("L", "B")
	fl.waitFor("Ban")
	fl.keys("right", "enter")
	fl.waitFor("banned")
	if _, err := f.svc.Login(f.ctx, "alice", testPassword, "web"); err == nil {
		t.Fatal("alice logged in after the ban")
	}
	if m := fl.quit(); m.status.text != "banned alice (1 session: 1 player)" || f.count() != 4 {
		t.Fatalf("status %q, %d sessions", m.status.text, f.count())
	}
}
