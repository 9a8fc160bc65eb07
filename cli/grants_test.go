package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"mudtop/storage/storagetest"
)

func TestGrantsCommand(t *testing.T) {
	f := newOriginalFixture(t)
	f.staff()
	f.session(f.user("Mixed", "Admin"), "f0000000-0000-4000-8000-000000000006")
	f.user("mod", "moderator")
	banned := f.user("banned", "player")
	f.session(banned, "f1000000-0000-4000-8000-000000000007")
	storagetest.Exec(t, f.store.DB(), `UPDATE users SET is_active = 0 WHERE id = ?`, banned)
	hostile := f.user("x\x1b]0;pwn\x07", "Moderator\x1b[2J")
	_ = hostile

	r := f.as(tokAdmin, "grants")
	r.want(t, exitOK, "")
	for _, want := range []string{
		"5 findings (3 odd_role, 1 superuser_not_system, 1 inactive_with_sessions); showing 1-5",
		`! Mixed (Admin): role "Admin" is not lowercase: the server lowercases it and grants admin's permissions`,
		`! mod (moderator): role "moderator" is not one of the four`,
		"! banned (player): deactivated but holds 1 live session: it still validates",
		"! root (superuser): superuser not made by the server's bootstrap (account_origin \"legacy\", not 'system')",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("grants lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07") {
		t.Fatalf("an escape reached the terminal:\n%q", r.stdout)
	}

	r = f.as(tokAdmin, "grants", "--permission", "kick_users")
	r.want(t, exitOK, "")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if lines[0] != "3 accounts hold kick_users" || len(lines) != 6 ||
		!strings.HasPrefix(lines[3], "Mixed   Admin      admin") || !strings.Contains(lines[5], "full_access") {
		t.Errorf("--permission kick_users:\n%s", r.stdout)
	}

	r = f.as(tokAdmin, "grants", "--user", "alice", "--permission", "kick_users")
	r.want(t, exitOK, "")
	for _, want := range []string{"alice lacks kick_users.", "role      \"player\" (rank 0)", "holds     play_game, chat",
		"may kick no one's sessions but its own logout (lacks kick_users)", "worlds    none granted"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--user alice lacks %q:\n%s", want, r.stdout)
		}
	}

	r = f.as(tokAdmin, "--json", "grants", "--user", "Mixed", "--permission", "ban_users")
	r.want(t, exitOK, "")
	var ug userGrantsJSON
	if err := json.Unmarshal([]byte(r.stdout), &ug); err != nil || ug.Effective != "admin" || ug.HoldsAsked == nil || !*ug.HoldsAsked || len(ug.Findings) != 1 {
		t.Errorf("--json --user Mixed: %s (%v)", r.stdout, err)
	}
	r = f.as(tokAdmin, "--json", "grants")
	var fj findingsJSON
	if err := json.Unmarshal([]byte(r.stdout), &fj); err != nil || fj.Total != 5 || fj.ByKind["odd_role"] != 3 || len(fj.Findings) != 5 {
		t.Errorf("--json grants: %s (%v)", r.stdout, err)
	}
	r = f.as(tokAdmin, "--json", "grants", "--permission", "manage_users", "--limit", "0")
	var hj holdersJSON
	if err := json.Unmarshal([]byte(r.stdout), &hj); err != nil || hj.Total != 1 || hj.Holders[0].Username != "root" {
		t.Errorf("--json --permission manage_users: %s (%v)", r.stdout, err)
	}

	f.as(tokAdmin, "grants", "--permission", "fly").want(t, exitUsage, `unknown permission "fly"`)
	f.as(tokAdmin, "grants", "--user", "ghost").want(t, exitFailure, "User 'ghost' not found")
	f.as(tokPlayer, "grants").want(t, exitForbidden, "Insufficient permissions. Required: view_logs")
}
