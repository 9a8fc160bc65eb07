package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"mudtop/storage/storagetest"
)

func TestKickScope(t *testing.T) {
	f := newOriginalFixture(t)
	f.env["MUD_SESSION_ALLOW_MULTIPLE"] = "true"
	f.staff()
	// Five telnet players, idle two hours, and one telnet admin.
	for i := 0; i < 5; i++ {
		uid := f.user(fmt.Sprintf("bot%d", i), "player")
		storagetest.AddSession(t, f.store.DB(), storagetest.Session{UserID: uid, Token: fmt.Sprintf("f%07d-0000-4000-8000-000000000000", i),
			ClientType: "telnet", Now: f.clock.Now().Add(-2 * time.Hour), TTL: 8 * time.Hour})
	}
	storagetest.AddSession(t, f.store.DB(), storagetest.Session{UserID: f.user("admin2", "admin"), Token: tokAdmin2,
		ClientType: "telnet", Now: f.clock.Now().Add(-2 * time.Hour), TTL: 8 * time.Hour})
	before := storagetest.Dump(t, f.store.DB(), "sessions")

	r := f.as(tokAdmin, "kick", "--client", "TELNET", "--dry-run")
	r.want(t, exitOK, "")
	for _, want := range []string{`Scope: client "TELNET"`, "Would kick 5 sessions: 5 player", "  bot0 (player) f0000000",
		"Skipped by the rank rule (equal or higher rank): 1 admin.", "Nothing removed (--dry-run)."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, r.stdout)
		}
	}
	// More than one target needs --yes: the preview is printed, nothing goes.
	r = f.as(tokAdmin, "kick", "--client", "telnet")
	r.want(t, exitUsage, "5 sessions match: add --yes")
	if storagetest.Dump(t, f.store.DB(), "sessions") != before {
		t.Fatal("a preview or an unconfirmed kick removed something")
	}
	// Combined predicates narrow the scope; one target needs no --yes.
	r = f.as(tokAdmin, "kick", "--client", "telnet", "--filter", "bot3", "--idle-over", "1h", "--reason", "bot")
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, "Kicked 1 session: 1 player.") || f.has("f0000003-0000-4000-8000-000000000000") {
		t.Fatalf("narrow kick:\n%s", r.stdout)
	}
	r = f.as(tokAdmin, "--json", "kick", "--idle-over", "90m", "--yes")
	r.want(t, exitOK, "")
	var pj previewJSON
	if err := json.Unmarshal([]byte(r.stdout), &pj); err != nil || pj.Targets != 4 || pj.SkippedRank != 1 ||
		pj.Result == nil || pj.Result.Removed != 4 || pj.Result.Action != "kick_scope" {
		t.Fatalf("--json kick: %s (%v)", r.stdout, err)
	}
	if !f.has(tokAdmin2) || !f.has(tokPlayer) {
		t.Error("the kick removed an outranked or non-matching session")
	}
	audit := storagetest.Scalar[string](t, f.store.DB(), `SELECT target || '|' || removed || '|' || reason FROM mudtop_audit WHERE action = 'kick_scope' ORDER BY id LIMIT 1`)
	if audit != `scope: filter "bot3", client "telnet", idle over 1h0m0s|1|bot` {
		t.Errorf("audit %q", audit)
	}

	// Your own sessions are kept unless asked, and the preview says so.
	r = f.as(tokAdmin, "kick", "--role", "admin", "--dry-run")
	if !strings.Contains(r.stdout, "Kept: 1 of your own") || !strings.Contains(r.stdout, "1 admin") {
		t.Errorf("own sessions:\n%s", r.stdout)
	}
	r = f.as(tokAdmin, "kick", "--filter", "admin1", "--include-self")
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, "This removes your own session: you will be logged out.") || !strings.Contains(r.stdout, "you are logged out") {
		t.Errorf("self kick:\n%s", r.stdout)
	}

	f.as(tokSuper, "kick", "--idle-over", "soon").want(t, exitUsage, "want a positive duration")
	f.as(tokSuper, "kick", "--world", "x", "--user", "alice").want(t, exitUsage, "cannot be combined")
	f.as(tokSuper, "kick", "--dry-run").want(t, exitUsage, "go with a scope")
	f.as(tokPlayer, "kick", "--world", "x").want(t, exitForbidden, "Required: kick_users")
	r = f.as(tokSuper, "kick", "--world", "nowhere")
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, "Nothing to kick.") {
		t.Errorf("empty match:\n%s", r.stdout)
	}
	if d, err := parseIdle("2d"); err != nil || d != 48*time.Hour {
		t.Errorf("2d = %v %v", d, err)
	}
}
