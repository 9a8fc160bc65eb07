package auth

import (
	"strings"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// grantsWorld is a database the original's schema made, holding one of
// every oddity the grants view looks for, and an admin operator.
func grantsWorld(t *testing.T) *env {
	t.Helper()
	cfg := writeThrough()
	cfg.AllowMultipleSessions = true
	e := newOriginalEnv(t, cfg)
	now := e.clk.Now()
	add := func(name, role string) int64 {
		id := e.user(name, role)
		return id
	}
	op := add("oper", "admin")
	e.session(op, "op-token")
	root := add("root", "superuser")
	storagetest.Exec(t, e.db, `UPDATE users SET account_origin = 'system' WHERE id = ?`, root)
	add("promoted", "superuser") // legacy origin: a finding
	e.session(add("Mixed", "Admin"), "mixed-token")
	add("mod", "moderator")
	add("spaced", " admin")
	blank := add("blank", "player")
	storagetest.Exec(t, e.db, `UPDATE users SET role = '' WHERE id = ?`, blank)
	banned := add("banned", "player")
	e.session(banned, "banned-1")
	e.session(banned, "banned-2")
	storagetest.Exec(t, e.db, `UPDATE users SET is_active = 0 WHERE id = ?`, banned)
	gone := storagetest.AddUser(t, e.db, storagetest.User{Name: "gone", Tombstoned: true, At: now})
	e.session(gone, "gone-1")
	guest := add("guest1", "player")
	storagetest.Exec(t, e.db, `UPDATE users SET is_guest = 1, account_origin = 'visitor', guest_expires_at = ? WHERE id = ?`,
		ts(now.Add(-time.Hour)), guest)
	e.session(guest, "guest-1")
	fresh := add("guest2", "player") // not expired yet: no finding
	storagetest.Exec(t, e.db, `UPDATE users SET is_guest = 1, guest_expires_at = ? WHERE id = ?`, ts(now.Add(time.Hour)), fresh)
	e.session(fresh, "guest-2")

	// Worlds: pipeworks_web exists (the original's default); "closed" is
	// inactive; "ghost" has no row at all.
	storagetest.AddWorld(t, e.db, "closed", "closed")
	storagetest.Exec(t, e.db, `UPDATE worlds SET is_active = 0 WHERE id = 'closed'`)
	inWorld := func(uid int64, char, world, token string) int64 {
		c := storagetest.AddCharacter(t, e.db, uid, char, world)
		storagetest.AddSession(t, e.db, storagetest.Session{UserID: uid, Token: token, CharacterID: c, WorldID: world, Now: now, TTL: time.Hour})
		return c
	}
	ok := add("okplayer", "player")
	inWorld(ok, "Oka", storage.DefaultWorldID, "ok-1") // owns the character: access
	lost := add("lost", "player")
	inWorld(lost, "Lost", "ghost", "lost-1")    // world missing
	inWorld(lost, "Shut", "closed", "lost-2")   // world inactive
	inWorld(op, "OpChar", "closed", "op-world") // exact 'admin': let in anywhere
	mixedID := storagetest.Scalar[int64](t, e.db, `SELECT id FROM users WHERE username = 'Mixed'`)
	inWorld(mixedID, "Mix", "closed", "mixed-world") // 'Admin' is not the exact value
	orphan := add("orphan", "player")
	c := inWorld(orphan, "Orph", storage.DefaultWorldID, "orphan-1")
	storagetest.Exec(t, e.db, `UPDATE characters SET user_id = NULL WHERE id = ?`, c) // tombstoned character
	granted := add("granted", "player")
	c = inWorld(granted, "Gran", storage.DefaultWorldID, "granted-1")
	storagetest.Exec(t, e.db, `UPDATE characters SET user_id = NULL WHERE id = ?`, c)
	storagetest.Grant(t, e.db, granted, storage.DefaultWorldID) // ownerless, but granted: access
	return e
}

func TestGrantFindings(t *testing.T) {
	e := grantsWorld(t)
	before := storagetest.Dump(t, e.db, "sessions")
	scr, err := e.svc.Grants(t.Context(), "op-token", GrantsQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range scr.Findings.Findings {
		got = append(got, FindingKindName(f.Kind)+" "+f.Username+" "+f.WorldID)
	}
	want := []string{
		"odd_role Mixed ", "odd_role blank ", "odd_role mod ", "odd_role spaced ",
		"superuser_not_system promoted ",
		"inactive_with_sessions banned ", "inactive_with_sessions gone ",
		"expired_guest_with_sessions guest1 ",
		"world_without_access Mixed closed", "world_without_access lost closed", "world_without_access lost ghost",
		"world_without_access orphan pipeworks_web",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("findings\n got %q\nwant %q", got, want)
	}
	if scr.Findings.Total != 12 || scr.Findings.ByKind[storage.FindOddRole] != 4 || scr.Findings.ByKind[storage.FindWorldNoAccess] != 4 {
		t.Errorf("counts %d %v", scr.Findings.Total, scr.Findings.ByKind)
	}
	text := map[string]string{}
	for _, f := range scr.Findings.Findings {
		text[f.Username+"/"+FindingKindName(f.Kind)] = f.Text
	}
	for key, has := range map[string]string{
		"Mixed/odd_role":                     `grants admin's permissions`,
		"mod/odd_role":                       "finds no match and grants nothing",
		"spaced/odd_role":                    "finds no match", // " admin": no trimming, as the original
		"blank/odd_role":                     "401 Invalid session user",
		"banned/inactive_with_sessions":      "deactivated but holds 2 live sessions",
		"gone/inactive_with_sessions":        "tombstoned",
		"promoted/superuser_not_system":      `"legacy"`,
		"lost/world_without_access":          "403 World access denied",
		"guest1/expired_guest_with_sessions": "1 live session",
	} {
		if !strings.Contains(text[key], has) {
			t.Errorf("%s: %q lacks %q", key, text[key], has)
		}
	}
	// Paged in SQL: the second page of five starts at the sixth finding.
	page, err := e.svc.Grants(t.Context(), "op-token", GrantsQuery{Offset: 5, Limit: 5})
	if err != nil || len(page.Findings.Findings) != 5 || page.Findings.Findings[0].Username != "banned" || page.Findings.Total != 12 {
		t.Errorf("page 2: %+v %v", page.Findings, err)
	}
	if storagetest.Dump(t, e.db, "sessions") != before {
		t.Error("reading grants changed sessions")
	}
}

func TestPermissionHolders(t *testing.T) {
	e := grantsWorld(t)
	scr, err := e.svc.Grants(t.Context(), "op-token", GrantsQuery{Permission: KickUsers, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range scr.Holders.Holders {
		got = append(got, h.Username+":"+h.Role+":"+h.Via+":"+string(h.State))
	}
	// Usernames sort as SQLite's BINARY collation does: upper case first.
	want := "Mixed:Admin:admin:active|oper:admin:admin:active|promoted:superuser:full_access:active|root:superuser:full_access:active"
	if strings.Join(got, "|") != want || scr.Holders.Total != 4 {
		t.Fatalf("kick_users holders %q (total %d)", got, scr.Holders.Total)
	}
	if scr.Holders.Holders[0].Sessions != 2 {
		t.Errorf("Mixed's live sessions %d", scr.Holders.Holders[0].Sessions)
	}
	scr, _ = e.svc.Grants(t.Context(), "op-token", GrantsQuery{Permission: FullAccess, Limit: 50})
	if scr.Holders.Total != 2 || scr.Holders.Holders[0].Via != "superuser" {
		t.Errorf("full_access holders %+v", scr.Holders)
	}
	scr, _ = e.svc.Grants(t.Context(), "op-token", GrantsQuery{Permission: PlayGame, Limit: 3, Offset: 3})
	// Everyone with one of the four roles in any case: not mod, " admin" or "".
	if scr.Holders.Total != 12 || len(scr.Holders.Holders) != 3 {
		t.Errorf("play_game holders total %d, page %d", scr.Holders.Total, len(scr.Holders.Holders))
	}
}

func TestUserGrants(t *testing.T) {
	e := grantsWorld(t)
	ug, err := e.svc.UserGrants(t.Context(), "op-token", "Mixed")
	if err != nil {
		t.Fatal(err)
	}
	if !ug.Known || ug.Effective != Admin || ug.Level != 2 || len(ug.Holds) != 8 || ug.Sessions != 2 {
		t.Errorf("Mixed: %+v", ug)
	}
	words := strings.Join(ug.Actions, "\n")
	if !strings.Contains(words, "may kick sessions of player, worldbuilder") || !strings.Contains(words, "may not clear all sessions (lacks manage_users)") {
		t.Errorf("actions:\n%s", words)
	}
	if len(ug.Findings) != 2 {
		t.Errorf("Mixed's findings %+v", ug.Findings)
	}
	ug, _ = e.svc.UserGrants(t.Context(), "op-token", "mod")
	if ug.Known || len(ug.Holds) != 0 || !strings.Contains(strings.Join(ug.Actions, "\n"), "may not open the monitor") {
		t.Errorf("mod: %+v", ug)
	}
	ug, _ = e.svc.UserGrants(t.Context(), "op-token", "granted")
	if len(ug.Worlds) != 1 || ug.Worlds[0] != storage.DefaultWorldID || len(ug.Findings) != 0 {
		t.Errorf("granted: %+v", ug)
	}
	ug, _ = e.svc.UserGrants(t.Context(), "op-token", "banned")
	if ug.State != AccountDeactivated || !strings.HasPrefix(ug.Actions[0], "none while the account is deactivated") {
		t.Errorf("banned: %+v", ug)
	}
	_, err = e.svc.UserGrants(t.Context(), "op-token", "nobody")
	wantErr(t, err, UserNotFound("nobody"))
	// Reading grants needs view_logs, like the monitor.
	storagetest.Exec(t, e.db, `UPDATE users SET role = 'worldbuilder' WHERE username = 'oper'`)
	_, err = e.svc.Grants(t.Context(), "op-token", GrantsQuery{})
	wantErr(t, err, Forbidden(ViewLogs))
	_, err = e.svc.UserGrants(t.Context(), "op-token", "Mixed")
	wantErr(t, err, Forbidden(ViewLogs))
}
