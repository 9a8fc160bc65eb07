package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"mudtop/auth"
	"mudtop/storage/storagetest"
)

func TestSessionsTable(t *testing.T) {
	f := newFixture(t)
	f.staff()
	r := f.as(tokAdmin, "sessions", "--sort", "user")
	r.want(t, exitOK, "")
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "4 sessions: 4 active, 0 idle, 0 in world") {
		t.Errorf("counts line %q", lines[0])
	}
	if !strings.HasPrefix(lines[2], "ID ") || len(lines) != 7 {
		t.Fatalf("table:\n%s", r.stdout)
	}
	// Sorted by user; the operator's own row marked; ids cut to a prefix.
	for i, want := range []string{"a0000000*  admin1", "c0000000   alice", "d0000000   bob", "b0000000   root"} {
		if !strings.HasPrefix(lines[3+i], want) {
			t.Errorf("row %d = %q, want prefix %q", i, lines[3+i], want)
		}
	}
	for _, tok := range []string{tokAdmin, tokSuper, tokPlayer, tokBuild} {
		if strings.Contains(r.stdout, tok) || strings.Contains(r.stdout, tok[8:]) {
			t.Fatalf("a whole session id was printed:\n%s", r.stdout)
		}
	}
	// Columns line up: every row's USER column starts where the header's does.
	col := strings.Index(lines[2], "USER")
	for _, l := range lines[3:] {
		if l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("misaligned row %q", l)
		}
	}

	r = f.as(tokAdmin, "sessions", "--filter", "ALI", "--limit", "1")
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, "showing 1-1 of 1") || !strings.Contains(r.stdout, "alice") || strings.Contains(r.stdout, "root") {
		t.Errorf("--filter ALI:\n%s", r.stdout)
	}
	r = f.as(tokAdmin, "sessions", "--sort", "-user", "--limit", "0")
	if rows := strings.Split(r.stdout, "\n"); !strings.Contains(rows[3], "root") {
		t.Errorf("--sort -user does not start with root:\n%s", r.stdout)
	}
}

func TestSessionsJSON(t *testing.T) {
	f := newFixture(t)
	f.staff()
	f.clock.Advance(45 * time.Minute) // everyone idle past the 30-minute window
	f.as(tokSuper, "validate").want(t, exitOK, "")
	r := f.as(tokSuper, "--json", "sessions", "--sort", "user")
	r.want(t, exitOK, "")
	var snap struct {
		Operator map[string]any   `json:"operator"`
		Counts   map[string]any   `json:"counts"`
		Matching int              `json:"matching"`
		Sessions []map[string]any `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &snap); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if snap.Operator["username"] != "root" || snap.Matching != 4 || len(snap.Sessions) != 4 {
		t.Fatalf("sessions --json: %s", r.stdout)
	}
	if snap.Counts["active"] != 1.0 || snap.Counts["idle"] != 3.0 {
		t.Errorf("counts %v, want 1 active 3 idle", snap.Counts)
	}
	for _, k := range []string{"id", "row_id", "user_id", "username", "role", "client_type", "created_at",
		"last_activity", "expires_at", "expires_raw", "never_expires", "state", "in_world", "own", "idle_seconds", "anomalies"} {
		if _, ok := snap.Sessions[0][k]; !ok {
			t.Errorf("session JSON lacks %q", k)
		}
	}
	root := snap.Sessions[3]
	if root["id"] != "b0000000" || root["own"] != true || root["state"] != "active" || root["idle_seconds"] != 0.0 {
		t.Errorf("operator's row %v", root)
	}
	if alice := snap.Sessions[1]; alice["state"] != "idle" || alice["idle_seconds"] != 2700.0 || alice["expires_raw"] != "2026-11-26 02:28:40" {
		t.Errorf("alice's row %v", alice)
	}
}

func TestSessionsRefusals(t *testing.T) {
	f := newFixture(t)
	f.staff()
	f.as(tokPlayer, "sessions").want(t, exitForbidden, "Insufficient permissions. Required: view_logs")
	f.as(tokBuild, "sessions").want(t, exitForbidden, "Insufficient permissions. Required: view_logs")
	f.as("nope", "sessions").want(t, exitUnauthorized, "Invalid or expired session")
	storagetest.Exec(t, f.store.DB(), `UPDATE users SET is_active = 0 WHERE username = 'admin1'`)
	f.as(tokAdmin, "sessions").want(t, exitUnauthorized, "Account is deactivated")
}

// Hostile text in the database is printed inert: no escape sequence, no
// control character, no bidi override reaches the terminal, and --json
// stays valid JSON that decodes back to the stored text.
func TestSessionsHostileText(t *testing.T) {
	f := newFixture(t)
	f.staff()
	evil := "ev\x1b[2J\x1b]0;pwned\x07il\u202e\x9b31m\x00\xff" + strings.Repeat("W", 10000)
	uid := f.user(evil, "player")
	f.session(uid, "f0000000-0000-4000-8000-0000000000ff")
	storagetest.SetColumn(t, f.store.DB(), "f0000000-0000-4000-8000-0000000000ff", "client_type", "tel\x1b]8;;http://x\x07net")

	r := f.as(tokAdmin, "sessions", "--sort", "user")
	r.want(t, exitOK, "")
	for _, bad := range []string{"\x1b", "\x07", "\x00", "\u202e", "\u009b", "\xff", "pwned", "http://x"} {
		if strings.Contains(r.stdout, bad) {
			t.Fatalf("sessions printed %q:\n%q", bad, r.stdout)
		}
	}
	lines := strings.Split(r.stdout, "\n")
	for _, l := range lines {
		if len([]rune(l)) > 200 {
			t.Fatalf("a 10,000-character name was not cut: %d runes", len([]rune(l)))
		}
	}

	r = f.as(tokAdmin, "--json", "sessions", "--filter", "ev")
	r.want(t, exitOK, "")
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u009b", "\xff"} {
		if strings.Contains(r.stdout, bad) {
			t.Fatalf("sessions --json printed raw %q", bad)
		}
	}
	var snap snapshotJSON
	if err := json.Unmarshal([]byte(r.stdout), &snap); err != nil || len(snap.Sessions) != 1 {
		t.Fatalf("hostile JSON does not decode: %v", err)
	}
	if got, want := snap.Sessions[0].Username, validUTF8(evil); got != want {
		t.Errorf("JSON username decodes to %q..., want the stored text with invalid UTF-8 as U+FFFD", got[:20])
	}
}

func TestCount(t *testing.T) {
	f := newFixture(t)
	f.staff()
	f.clock.Advance(31 * time.Minute)
	f.as(tokAdmin, "validate").want(t, exitOK, "")
	r := f.run("count")
	r.want(t, exitOK, "")
	if r.stdout != "1\n" {
		t.Fatalf("count = %q, want 1 (only admin1 active within the window)", r.stdout)
	}
	f.env["MUD_SESSION_ACTIVE_WINDOW_MINUTES"] = "0"
	r = f.run("--json", "count")
	if r.stdout != "{\n  \"active\": 4\n}\n" {
		t.Fatalf("count --json with the window off = %q", r.stdout)
	}
}

func TestCleanup(t *testing.T) {
	f := newFixture(t)
	f.staff()
	storagetest.SetColumn(t, f.store.DB(), tokPlayer, "expires_at", "2026-11-25 18:00:00")
	storagetest.SetColumn(t, f.store.DB(), tokBuild, "expires_at", "not a time")
	r := f.run("cleanup")
	r.want(t, exitOK, "")
	if r.stdout != "Removed 1 expired session.\n" || f.has(tokPlayer) || !f.has(tokBuild) {
		t.Fatalf("cleanup printed %q; player gone %v, unreadable kept %v", r.stdout, !f.has(tokPlayer), f.has(tokBuild))
	}
	if r := f.run("cleanup", "--json"); r.stdout != "{\n  \"removed\": 0\n}\n" {
		t.Fatalf("cleanup --json = %q", r.stdout)
	}
}

func TestRoles(t *testing.T) {
	f := newFixture(t)
	r := f.run("roles")
	r.want(t, exitOK, "")
	lines := strings.Split(r.stdout, "\n")
	if !strings.HasPrefix(lines[0], "PERMISSION") || !strings.Contains(lines[0], "superuser") {
		t.Fatalf("roles header %q", lines[0])
	}
	if got := strings.Fields(lines[7]); strings.Join(got, " ") != "kick_users - - yes yes" {
		t.Errorf("kick_users row %q", lines[7])
	}
	r = f.run("roles", "--json")
	var m struct {
		Permissions []string
		Roles       []struct {
			Name        string
			Rank        int
			Permissions []string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Permissions) != len(auth.Permissions) || len(m.Roles) != 4 {
		t.Fatalf("roles --json: %s", r.stdout)
	}
	if su := m.Roles[3]; su.Name != "superuser" || su.Rank != 3 || len(su.Permissions) != len(auth.Permissions) {
		t.Errorf("superuser %+v, want every permission", su)
	}
	if p := m.Roles[0]; p.Name != "player" || strings.Join(p.Permissions, ",") != "play_game,chat" {
		t.Errorf("player %+v", p)
	}
}
