package cli

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"mudtop/storage/storagetest"
)

func TestKickOneSession(t *testing.T) {
	f := newFixture(t)
	f.staff()
	r := f.as(tokAdmin, "kick", "c0000000", "--reason", "spamming")
	r.want(t, exitOK, "")
	if r.stdout != "Kicked 1 session: 1 player (alice (c0000000)).\n" || f.has(tokPlayer) {
		t.Fatalf("kick printed %q; row gone: %v", r.stdout, !f.has(tokPlayer))
	}
	audit := storagetest.Scalar[string](t, f.store.DB(), `SELECT actor || '|' || action || '|' || result || '|' || reason FROM mudtop_audit ORDER BY id DESC LIMIT 1`)
	if audit != "admin1|kick_session|ok: 1 session: 1 player|spamming" {
		t.Errorf("audit row %q", audit)
	}
	// The whole id works too, and a session already gone is "not found".
	f.as(tokAdmin, "kick", tokBuild).want(t, exitOK, "")
	f.as(tokAdmin, "kick", tokBuild).want(t, exitFailure, "session d0000000 not found")
	r = f.as(tokAdmin, "kick", tokBuild)
	if strings.Contains(r.stderr, tokBuild) {
		t.Fatalf("error message printed the whole id: %q", r.stderr)
	}
	// Too short a prefix could match anything: it names nothing.
	f.as(tokAdmin, "kick", "b000").want(t, exitFailure, "not found")
}

func TestKickRefusals(t *testing.T) {
	f := newFixture(t)
	f.staff()
	f.session(f.user("admin2", "admin"), tokAdmin2)
	before := storagetest.Dump(t, f.store.DB(), "sessions")
	for _, tc := range []struct {
		actor string
		args  []string
		code  int
		msg   string
	}{
		{tokAdmin, []string{"b0000000"}, exitForbidden, "Insufficient rank: admin cannot manage superuser"},
		{tokAdmin, []string{"e0000000"}, exitForbidden, "Insufficient rank: admin cannot manage admin"},
		{tokAdmin, []string{"--user", "root"}, exitForbidden, "Insufficient rank: admin cannot manage superuser"},
		{tokPlayer, []string{"d0000000"}, exitForbidden, "Insufficient permissions. Required: kick_users"},
		{tokBuild, []string{"--user", "alice"}, exitForbidden, "Insufficient permissions. Required: kick_users"},
		{"nope", []string{"c0000000"}, exitUnauthorized, "Invalid or expired session"},
		{tokAdmin, []string{"--user", "ghost"}, exitFailure, "User not found: ghost"},
		{tokAdmin, []string{"--character", "999"}, exitFailure, "Character not found: 999"},
	} {
		f.as(tc.actor, append([]string{"kick"}, tc.args...)...).want(t, tc.code, tc.msg)
	}
	if after := storagetest.Dump(t, f.store.DB(), "sessions"); after != before {
		t.Fatalf("a refused kick changed sessions:\n%s\n%s", before, after)
	}
	// A prefix shared by two sessions is refused rather than guessed.
	storagetest.Exec(t, f.store.DB(), `UPDATE sessions SET session_id = 'c0000000-ffff-4000-8000-000000000009' WHERE session_id = ?`, tokAdmin2)
	f.as(tokSuper, "kick", "c0000000").want(t, exitFailure, "matches more than one session")
}

func TestKickUserAndCharacter(t *testing.T) {
	f := newFixture(t)
	f.env["MUD_SESSION_ALLOW_MULTIPLE"] = "true"
	f.staff()
	alice := storagetest.Scalar[int64](t, f.store.DB(), `SELECT id FROM users WHERE username = 'alice'`)
	f.session(alice, "c1000000-0000-4000-8000-000000000003")
	storagetest.Grant(t, f.store.DB(), alice, "pipeworks_web")
	cid := storagetest.AddCharacter(t, f.store.DB(), alice, "Alia", "pipeworks_web")
	storagetest.AddSession(t, f.store.DB(), storagetest.Session{UserID: alice, Token: "c2000000-0000-4000-8000-000000000003",
		CharacterID: cid, WorldID: "pipeworks_web", Now: f.clock.Now(), TTL: 3600e9})

	r := f.as(tokSuper, "--json", "kick", "--character", strconv.FormatInt(cid, 10))
	r.want(t, exitOK, "")
	var res actionJSON
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Action != "kick_character" || res.Removed != 1 || res.ByRole["player"] != 1 || res.SelfRemoved {
		t.Errorf("kick --character --json = %+v", res)
	}
	r = f.as(tokAdmin, "kick", "--user", "alice")
	r.want(t, exitOK, "")
	if r.stdout != "Kicked 2 sessions: 2 player (user alice).\n" {
		t.Errorf("kick --user printed %q", r.stdout)
	}
	if n := storagetest.Scalar[int](t, f.store.DB(), `SELECT count(*) FROM sessions WHERE user_id = ?`, alice); n != 0 {
		t.Errorf("%d of alice's sessions left", n)
	}
	// Kicking yourself is a logout, and says so.
	r = f.as(tokAdmin, "kick", "--user", "admin1")
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, "you are logged out") || f.has(tokAdmin) {
		t.Errorf("self kick printed %q", r.stdout)
	}
}

func TestClear(t *testing.T) {
	f := newFixture(t)
	f.staff()
	f.as(tokAdmin, "clear", "--yes").want(t, exitForbidden, "Insufficient permissions. Required: manage_users")
	if n := storagetest.CountSessions(t, f.store.DB()); n != 4 {
		t.Fatalf("refused clear left %d sessions", n)
	}
	r := f.as(tokSuper, "clear", "--yes", "--reason", "maintenance")
	r.want(t, exitOK, "")
	if r.stdout != "Cleared 3 sessions: 1 player, 1 worldbuilder, 1 admin (all sessions).\n" {
		t.Errorf("clear printed %q", r.stdout)
	}
	if !f.has(tokSuper) || storagetest.CountSessions(t, f.store.DB()) != 1 {
		t.Fatal("clear did not keep exactly the operator's own session")
	}
	r = f.as(tokSuper, "--json", "clear", "--yes", "--include-self")
	r.want(t, exitOK, "")
	var res actionJSON
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || !res.SelfRemoved || res.Removed != 1 {
		t.Fatalf("clear --include-self --json = %s (%v)", r.stdout, err)
	}
	if storagetest.CountSessions(t, f.store.DB()) != 0 {
		t.Fatal("--include-self kept a session")
	}
}

// --read-only opens the file without write access: reading works, every
// action is refused with a clear message and changes nothing.
func TestReadOnly(t *testing.T) {
	f := newFixture(t)
	f.staff()
	f.as(tokAdmin, "--read-only", "sessions").want(t, exitOK, "")
	f.run("--read-only", "count").want(t, exitOK, "")
	f.as(tokAdmin, "--read-only", "kick", "c0000000").want(t, exitFailure, "read-only")
	f.run("--read-only", "cleanup").want(t, exitFailure, "read-only")
	if !f.has(tokPlayer) {
		t.Fatal("a read-only kick removed the session")
	}
}

// Quotes, semicolons and wildcards in arguments are data, never SQL.
func TestHostileArgumentsAreData(t *testing.T) {
	f := newFixture(t)
	f.staff()
	before := storagetest.Dump(t, f.store.DB(), "sessions")
	inject := "x'; DELETE FROM sessions; --"
	r := f.as(tokSuper, "sessions", "--filter", inject)
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, "none of 0 shown") {
		t.Errorf("--filter %q matched something:\n%s", inject, r.stdout)
	}
	r = f.as(tokSuper, "sessions", "--filter", "%")
	if !strings.Contains(r.stdout, "none of 0 shown") {
		t.Errorf("--filter %% acted as a wildcard:\n%s", r.stdout)
	}
	f.as(tokSuper, "kick", "--user", inject).want(t, exitFailure, "User not found: x'; DELETE FROM sessions; --")
	f.as(tokSuper, "kick", "c0000000' OR '1'='1").want(t, exitFailure, "not found")
	f.as(tokSuper, "kick", "%%%%%%%%").want(t, exitFailure, "not found")
	f.run("validate", "' OR 1=1 --").want(t, exitUnauthorized, "Invalid or expired session")
	if after := storagetest.Dump(t, f.store.DB(), "sessions"); after != before {
		t.Fatalf("hostile arguments changed sessions:\n%s\n%s", before, after)
	}
}
