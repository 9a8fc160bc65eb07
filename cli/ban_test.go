package cli

import (
	"encoding/json"
	"testing"

	"mudtop/storage/storagetest"
)

func TestBanAndUnban(t *testing.T) {
	f := newFixture(t)
	f.staff()
	active := func(name string) int {
		return storagetest.Scalar[int](t, f.store.DB(), `SELECT is_active FROM users WHERE username = ?`, name)
	}
	before := storagetest.Dump(t, f.store.DB(), "sessions")
	for _, tc := range []struct {
		actor string
		args  []string
		code  int
		msg   string
	}{
		{tokAdmin, []string{"ghost"}, exitFailure, "User 'ghost' not found"},
		{tokAdmin, []string{"admin1"}, exitBadRequest, "Cannot manage your own account"},
		{tokAdmin, []string{"root"}, exitForbidden, "Insufficient permissions to manage user with role 'superuser'"},
		{tokBuild, []string{"alice"}, exitForbidden, "Insufficient permissions. Required: ban_users"},
		{"nope", []string{"alice"}, exitUnauthorized, "Invalid or expired session"},
		{tokAdmin, nil, exitUsage, "missing USER"},
	} {
		f.as(tc.actor, append([]string{"ban"}, tc.args...)...).want(t, tc.code, tc.msg)
	}
	if storagetest.Dump(t, f.store.DB(), "sessions") != before || active("root") != 1 || active("alice") != 1 {
		t.Fatal("a refused ban changed something")
	}
	r := f.as(tokAdmin, "ban", "alice", "--reason", "botting")
	r.want(t, exitOK, "")
	if r.stdout != "Successfully banned alice.\nRemoved 1 session: 1 player.\n" || f.has(tokPlayer) || active("alice") != 0 {
		t.Fatalf("ban printed %q", r.stdout)
	}
	// The ban sticks: the login route refuses the account.
	f.env["MUDTOP_PASSWORD"] = storagetest.Password
	f.run("login", "alice").want(t, exitUnauthorized, "Account is deactivated")

	r = f.as(tokAdmin, "--json", "unban", "alice")
	r.want(t, exitOK, "")
	var res banJSON
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Action != "unban_user" ||
		res.Message != "Successfully unbanned alice" || res.Removed != 0 || active("alice") != 1 {
		t.Fatalf("unban --json = %s (%v)", r.stdout, err)
	}
	f.run("login", "alice").want(t, exitOK, "")
	audit := storagetest.Scalar[string](t, f.store.DB(), `SELECT group_concat(action || '|' || reason, ';') FROM mudtop_audit`)
	if audit != "ban_user|;ban_user|;ban_user|botting;unban_user|" {
		t.Errorf("audit %q", audit)
	}
}
