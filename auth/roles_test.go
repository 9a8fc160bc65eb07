package auth

import "testing"

// matrix is COMPAT.md §3 transcribed column by column: the permissions
// player, worldbuilder and admin hold. Superuser holds all thirteen.
var matrix = map[string][]Permission{
	"player":       {PlayGame, Chat},
	"worldbuilder": {PlayGame, Chat, EditWorld, CreateRooms, CreateItems},
	"admin":        {PlayGame, Chat, EditWorld, CreateUsers, KickUsers, BanUsers, ViewLogs, StopServer},
	"superuser":    Permissions,
}

func TestRolePermissionMatrix(t *testing.T) {
	if len(Permissions) != 13 {
		t.Fatalf("%d permissions, want 13", len(Permissions))
	}
	roles := map[string]string{
		"player": "player", "worldbuilder": "worldbuilder", "admin": "admin", "superuser": "superuser",
		"Admin": "admin", "ADMIN": "admin", "SuperUser": "superuser", "Player": "player", // role.lower()
		" admin": "", "admin ": "", "moderator": "", "": "", "root": "", "admin\x00": "", // no match: nothing
	}
	for role, as := range roles {
		holds := map[Permission]bool{}
		for _, p := range matrix[as] {
			holds[p] = true
		}
		for _, p := range Permissions {
			if got := HasPermission(role, p); got != holds[p] {
				t.Errorf("HasPermission(%q, %s) = %v, want %v", role, p, got, holds[p])
			}
		}
		if IsKnownRole(role) != (as != "") {
			t.Errorf("IsKnownRole(%q) = %v", role, IsKnownRole(role))
		}
	}
	if HasPermission("superuser", Permission("no_such_permission")) != true {
		t.Error("superuser short-circuit: the original grants any permission value")
	}
	if HasPermission("admin", Permission("no_such_permission")) {
		t.Error("admin holds an unknown permission")
	}
	for _, p := range Permissions {
		if got, ok := ParsePermission(string(p)); !ok || got != p {
			t.Errorf("ParsePermission(%s) = %v %v", p, got, ok)
		}
	}
	if _, ok := ParsePermission("KICK_USERS"); ok {
		t.Error("permission values are exact")
	}
}

func TestCanManageRole(t *testing.T) {
	level := map[string]int{"player": 0, "worldbuilder": 1, "admin": 2, "superuser": 3,
		"Admin": 2, "moderator": 0, " admin": 0, "": 0}
	for m, ml := range level {
		if RoleLevel(m) != ml {
			t.Errorf("RoleLevel(%q) = %d, want %d", m, RoleLevel(m), ml)
		}
		for tg, tl := range level {
			if got := CanManageRole(m, tg); got != (ml > tl) {
				t.Errorf("CanManageRole(%q, %q) = %v, want %v", m, tg, got, ml > tl)
			}
		}
	}
}
