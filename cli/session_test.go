package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mudtop/storage/storagetest"
)

func TestLoginPrintsOnlyTheSessionID(t *testing.T) {
	f := newFixture(t)
	f.user("alice", "player")
	f.env["MUDTOP_PASSWORD"] = storagetest.Password
	r := f.run("login", "alice", "--client", "Telnet")
	r.want(t, exitOK, "")
	token := strings.TrimSuffix(r.stdout, "\n")
	if u, err := uuid.Parse(token); err != nil || u.Version() != 4 || u.String() != token {
		t.Fatalf("login printed %q, want exactly one v4 session id", r.stdout)
	}
	if got := storagetest.Text(t, f.store.DB(), token, "client_type"); got != "telnet" {
		t.Errorf("client_type %q, want telnet (normalised as the original)", got)
	}

	// A second login replaces the first (single-session rule) and says so
	// on stderr, never on stdout.
	r = f.run("--json", "login", "alice")
	r.want(t, exitOK, "1 earlier session(s) of alice removed")
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("login --json: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"session_id", "user_id", "username", "role", "replaced"} {
		if _, ok := out[k]; !ok {
			t.Errorf("login --json lacks %q: %s", k, r.stdout)
		}
	}
	if f.has(token) {
		t.Error("the first session survived a second login under the single-session rule")
	}
	if out["username"] != "alice" || out["role"] != "player" || out["replaced"] != 1.0 {
		t.Errorf("login --json = %v", out)
	}
}

func TestLoginRefusals(t *testing.T) {
	f := newFixture(t)
	f.user("alice", "player")
	storagetest.AddUser(t, f.store.DB(), storagetest.User{Name: "banned", Inactive: true})

	f.env["MUDTOP_PASSWORD"] = "wrong password"
	r := f.run("login", "alice")
	r.want(t, exitUnauthorized, "Invalid username or password")
	if r.stdout != "" {
		t.Fatalf("failed login printed %q", r.stdout)
	}
	f.env["MUDTOP_PASSWORD"] = storagetest.Password
	// An unknown user costs a cost-12 bcrypt (so a miss takes as long as a
	// wrong password): the real binary does that in a fraction of the time.
	runBinary(t, []string{"MUDTOP_PASSWORD=x", "MUD_DB_PATH=" + f.db}, "", "login", "nobody").
		want(t, exitUnauthorized, "Invalid username or password")
	f.run("login", "banned").want(t, exitUnauthorized, "Account is deactivated")
	if n := storagetest.CountSessions(t, f.store.DB()); n != 0 {
		t.Fatalf("%d sessions after refused logins", n)
	}
}

// Without $MUDTOP_PASSWORD and without a terminal, the password is the
// first line of standard input (so it never shows in `ps`).
func TestLoginPasswordFromStdin(t *testing.T) {
	f := newFixture(t)
	f.user("alice", "player")
	f.stdin = storagetest.Password + "\r\nignored\n"
	r := f.run("login", "alice")
	r.want(t, exitOK, "")
	if len(strings.TrimSpace(r.stdout)) != 36 {
		t.Fatalf("login printed %q", r.stdout)
	}
	f.stdin = ""
	f.run("login", "alice").want(t, exitUsage, "no password")
}

func TestLogoutThenValidateFails(t *testing.T) {
	f := newFixture(t)
	f.staff()
	r := f.as(tokPlayer, "logout")
	r.want(t, exitOK, "")
	if r.stdout != "Logged out alice.\n" || f.has(tokPlayer) {
		t.Fatalf("logout printed %q, session still there: %v", r.stdout, f.has(tokPlayer))
	}
	f.run("validate", tokPlayer).want(t, exitUnauthorized, "Invalid or expired session")
	f.run("logout", tokPlayer).want(t, exitUnauthorized, "Invalid or expired session")
}

func TestValidate(t *testing.T) {
	f := newFixture(t)
	f.staff()
	world := "pipeworks_web"
	uid := f.user("dora", "player")
	storagetest.Grant(t, f.store.DB(), uid, world)
	cid := storagetest.AddCharacter(t, f.store.DB(), uid, "Dora the Brave", world)
	storagetest.AddSession(t, f.store.DB(), storagetest.Session{
		UserID: uid, Token: "f0000000-0000-4000-8000-0000000000ff", CharacterID: cid, WorldID: world,
		Now: f.clock.Now(), TTL: time.Hour,
	})

	r := f.run("validate", tokBuild)
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, "user:      bob") || !strings.Contains(r.stdout, "role:      worldbuilder") {
		t.Fatalf("validate printed %q", r.stdout)
	}
	// Validation is activity: with sliding expiry it renews expires_at.
	f.clock.Advance(10 * time.Minute)
	f.as(tokAdmin, "validate").want(t, exitOK, "")
	if got, want := storagetest.Text(t, f.store.DB(), tokAdmin, "expires_at"), "2026-11-26 02:38:40"; got != want {
		t.Errorf("expires_at after validate = %q, want %q (renewed, written at once)", got, want)
	}

	r = f.run("--json", "validate", "--game", "f0000000-0000-4000-8000-0000000000ff")
	r.want(t, exitOK, "")
	var gi map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &gi); err != nil {
		t.Fatal(err)
	}
	if gi["username"] != "dora" || gi["character_name"] != "Dora the Brave" || gi["world_id"] != world || gi["character_id"] != float64(cid) {
		t.Errorf("validate --game --json = %v", gi)
	}
	f.run("validate", "--game", tokPlayer).want(t, exitConflict, "No character selected for session. Select a character first.")
	f.run("validate", "--permission", "kick_users", tokPlayer).want(t, exitForbidden, "Insufficient permissions. Required: kick_users")
	f.run("validate", "--permission", "kick_users", tokAdmin).want(t, exitOK, "")
	f.run("validate", strings.Repeat("x", 1<<20)).want(t, exitUnauthorized, "Invalid or expired session")

	// Expired: 401, and the row is removed as the original does.
	f.clock.Advance(9 * time.Hour)
	f.run("validate", tokPlayer).want(t, exitUnauthorized, "Invalid or expired session")
	if f.has(tokPlayer) {
		t.Error("expired session not removed by validate")
	}
}
