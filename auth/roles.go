package auth

import "strings"

// Permission is one of the original's permission values.
type Permission string

// The thirteen permissions (COMPAT.md §3).
const (
	PlayGame    Permission = "play_game"
	Chat        Permission = "chat"
	EditWorld   Permission = "edit_world"
	CreateRooms Permission = "create_rooms"
	CreateItems Permission = "create_items"
	CreateUsers Permission = "create_users"
	KickUsers   Permission = "kick_users"
	BanUsers    Permission = "ban_users"
	ViewLogs    Permission = "view_logs"
	StopServer  Permission = "stop_server"
	ManageUsers Permission = "manage_users"
	ChangeRoles Permission = "change_roles"
	FullAccess  Permission = "full_access"
)

// Permissions lists every permission in the original's order.
var Permissions = []Permission{
	PlayGame, Chat, EditWorld, CreateRooms, CreateItems, CreateUsers,
	KickUsers, BanUsers, ViewLogs, StopServer, ManageUsers, ChangeRoles, FullAccess,
}

// ParsePermission accepts a permission value such as "kick_users".
func ParsePermission(s string) (Permission, bool) {
	for _, p := range Permissions {
		if string(p) == s {
			return p, true
		}
	}
	return "", false
}

// Role is one of the four stored role values.
type Role string

// The roles, lowest rank first.
const (
	Player       Role = "player"
	Worldbuilder Role = "worldbuilder"
	Admin        Role = "admin"
	Superuser    Role = "superuser"
)

// Roles lists the roles from lowest to highest rank.
var Roles = []Role{Player, Worldbuilder, Admin, Superuser}

// rolePermissions is the original's table. Roles do not inherit; superuser
// holds everything through the short-circuit in HasPermission.
var rolePermissions = map[Role]map[Permission]bool{
	Player:       set(PlayGame, Chat),
	Worldbuilder: set(PlayGame, Chat, EditWorld, CreateRooms, CreateItems),
	Admin:        set(PlayGame, Chat, EditWorld, CreateUsers, KickUsers, BanUsers, ViewLogs, StopServer),
	Superuser:    set(FullAccess),
}

func set(ps ...Permission) map[Permission]bool {
	m := make(map[Permission]bool, len(ps))
	for _, p := range ps {
		m[p] = true
	}
	return m
}

// knownRole lowercases a stored role as the original does (no trimming: " admin"
// is unknown) and reports whether it is one of the four.
func knownRole(role string) (Role, bool) {
	r := Role(strings.ToLower(role))
	_, ok := rolePermissions[r]
	return r, ok
}

// HasPermission is the original's has_permission: an unknown role holds
// nothing, superuser holds everything, the others hold their listed set.
func HasPermission(role string, p Permission) bool {
	r, ok := knownRole(role)
	if !ok {
		return false
	}
	if r == Superuser {
		return true
	}
	return rolePermissions[r][p]
}

// RoleLevel is the role's rank: player 0, worldbuilder 1, admin 2,
// superuser 3; an unknown role counts as 0.
func RoleLevel(role string) int {
	r, _ := knownRole(role)
	switch r {
	case Worldbuilder:
		return 1
	case Admin:
		return 2
	case Superuser:
		return 3
	}
	return 0
}

// CanManageRole is the original's can_manage_role: strictly higher rank.
func CanManageRole(manager, target string) bool {
	return RoleLevel(manager) > RoleLevel(target)
}

// IsKnownRole reports whether role (case-insensitively) is one of the four.
func IsKnownRole(role string) bool {
	_, ok := knownRole(role)
	return ok
}
