package storage

import (
	"context"
	"database/sql"
	"time"
)

// UserLogin is what login needs of a user row.
type UserLogin struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         string
	Active       bool
	Tombstoned   bool
}

// UserByName finds a user by exact username; ok is false when none matches.
func (s *Store) UserByName(ctx context.Context, q Querier, username string) (u UserLogin, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, username, password_hash, coalesce(role, ''),
		coalesce(is_active, 1) != 0, tombstoned_at IS NOT NULL FROM users WHERE username = ?`, username).
		Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Role, &u.Active, &u.Tombstoned)
	if err == sql.ErrNoRows {
		return UserLogin{}, false, nil
	}
	if err != nil {
		return UserLogin{}, false, wrap("read user", err)
	}
	return u, true, nil
}

// NewUser is a user row to insert, shaped as the original's create_user.
type NewUser struct {
	Username     string
	PasswordHash string
	Role         string
	Origin       string // account_origin: legacy, system or visitor
	Now          time.Time
}

// CreateUser inserts a user and returns its id.
func (s *Store) CreateUser(ctx context.Context, q Querier, u NewUser) (int64, error) {
	origin := u.Origin
	if origin == "" {
		origin = "legacy"
	}
	res, err := q.ExecContext(ctx, `INSERT INTO users (username, password_hash, role, account_origin, created_at)
		VALUES (?, ?, ?, ?, ?)`, u.Username, u.PasswordHash, u.Role, origin, FormatTime(u.Now))
	if err != nil {
		return 0, wrap("create user", err)
	}
	return res.LastInsertId()
}

// SetUserRole changes a user's role (demotion and promotion in tests, demo).
func (s *Store) SetUserRole(ctx context.Context, q Querier, userID int64, role string) error {
	_, err := q.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, role, userID)
	return wrap("set user role", err)
}

// SetUserActive sets is_active, as the original's ban and unban do.
func (s *Store) SetUserActive(ctx context.Context, q Querier, userID int64, active bool) error {
	v := 0
	if active {
		v = 1
	}
	_, err := q.ExecContext(ctx, `UPDATE users SET is_active = ? WHERE id = ?`, v, userID)
	return wrap("set user active", err)
}

// Character is one row of characters, as the monitor and selection need it.
type Character struct {
	ID      int64
	UserID  int64 // 0 when orphaned or tombstoned (NULL)
	Name    string
	WorldID string
}

// CharacterByID reads a character; ok is false when it does not exist.
func (s *Store) CharacterByID(ctx context.Context, q Querier, id int64) (c Character, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, coalesce(user_id, 0), coalesce(name, ''), coalesce(world_id, '')
		FROM characters WHERE id = ?`, id).Scan(&c.ID, &c.UserID, &c.Name, &c.WorldID)
	if err == sql.ErrNoRows {
		return Character{}, false, nil
	}
	if err != nil {
		return Character{}, false, wrap("read character", err)
	}
	return c, true, nil
}

// CreateCharacter inserts a character the way the original's
// create_character_for_user writes the columns mudtop knows about.
func (s *Store) CreateCharacter(ctx context.Context, q Querier, userID int64, name, worldID string, now time.Time) (int64, error) {
	ts := FormatTime(now)
	res, err := q.ExecContext(ctx, `INSERT INTO characters (user_id, name, world_id, created_at, updated_at, state_seed)
		VALUES (?, ?, ?, ?, ?, 0)`, userID, name, worldID, ts, ts)
	if err != nil {
		return 0, wrap("create character", err)
	}
	return res.LastInsertId()
}

// UpsertWorld creates or renames a world, as the original's init-db does.
func (s *Store) UpsertWorld(ctx context.Context, q Querier, id, name, description string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO worlds (id, name, description, is_active) VALUES (?, ?, ?, 1)
		ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, is_active = 1`,
		id, name, description)
	return wrap("upsert world", err)
}

// GrantWorld gives a user access to a world.
func (s *Store) GrantWorld(ctx context.Context, q Querier, userID int64, worldID string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO world_permissions (user_id, world_id, can_access) VALUES (?, ?, 1)
		ON CONFLICT(user_id, world_id) DO UPDATE SET can_access = 1`, userID, worldID)
	return wrap("grant world", err)
}

// HasWorldAccess is the original's world-access decision
// (worlds_repo._resolve_world_access_for_row) as far as the database
// decides it: the world must exist and be active, and the user must hold a
// grant or already own a character there. The rest is the caller's: the
// original also lets the exact roles admin and superuser in, and any
// account into a world whose (config-file) creation mode is open.
func (s *Store) HasWorldAccess(ctx context.Context, q Querier, userID int64, worldID string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM worlds w WHERE w.id = ?2 AND w.is_active = 1 AND (
		EXISTS (SELECT 1 FROM world_permissions WHERE user_id = ?1 AND world_id = ?2 AND can_access = 1)
		OR EXISTS (SELECT 1 FROM characters WHERE user_id = ?1 AND world_id = ?2))`,
		userID, worldID).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, wrap("read world access", err)
}

// WorldGrants lists the worlds a user has been granted access to.
func (s *Store) WorldGrants(ctx context.Context, q Querier, userID int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT CAST(world_id AS TEXT) FROM world_permissions
		WHERE user_id = ? AND can_access = 1 ORDER BY world_id`, userID)
	if err != nil {
		return nil, wrap("read world grants", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return nil, wrap("read world grants", err)
		}
		out = append(out, w)
	}
	return out, wrap("read world grants", rows.Err())
}

// CountUsers returns how many user rows exist.
func (s *Store) CountUsers(ctx context.Context, q Querier) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, wrap("count users", err)
}
