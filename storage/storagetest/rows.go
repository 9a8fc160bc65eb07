package storagetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mudtop/storage"
)

// User is a users row to insert. Zero fields take the original's defaults:
// Hash4 for the hash, role 'player', active, not tombstoned.
type User struct {
	Name string
	Hash string
	Role string
	// Inactive sets is_active = 0, as the original's ban does.
	Inactive bool
	// Tombstoned marks the account as the original's tombstone_user does
	// (is_active = 0 and tombstoned_at stamped). TombstonedOnly stamps
	// tombstoned_at and leaves is_active alone, an odd row that isolates
	// the tombstone check.
	Tombstoned     bool
	TombstonedOnly bool
	// At is created_at (and tombstoned_at). Zero lets SQLite's
	// CURRENT_TIMESTAMP default fill it, exactly as the original does.
	At time.Time
}

// AddUser inserts a user shaped as the original's create_user writes it
// and returns its id.
func AddUser(t testing.TB, q storage.Querier, u User) int64 {
	t.Helper()
	if u.Hash == "" {
		u.Hash = Hash4
	}
	if u.Role == "" {
		u.Role = "player"
	}
	active := 1
	if u.Inactive || u.Tombstoned {
		active = 0
	}
	var created, tomb any
	if !u.At.IsZero() {
		created = storage.FormatTime(u.At)
	}
	if u.Tombstoned || u.TombstonedOnly {
		tomb = storage.FormatTime(u.At)
		if u.At.IsZero() {
			tomb = storage.FormatTime(time.Now())
		}
	}
	res := Exec(t, q, `INSERT INTO users (username, password_hash, email_hash, role, is_active, is_guest,
		guest_expires_at, account_origin, created_at, tombstoned_at)
		VALUES (?, ?, NULL, ?, ?, 0, NULL, 'legacy', coalesce(?, CURRENT_TIMESTAMP), ?)`,
		u.Name, u.Hash, u.Role, active, created, tomb)
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatalf("add user %q: %v", u.Name, err)
	}
	return id
}

// AddWorld inserts (or keeps) a world row.
func AddWorld(t testing.TB, q storage.Querier, id, name string) {
	t.Helper()
	Exec(t, q, `INSERT OR IGNORE INTO worlds (id, name, description, is_active, config_json) VALUES (?, ?, '', 1, '{}')`, id, name)
}

// Grant gives a user access to a world, as the original's world grant.
func Grant(t testing.TB, q storage.Querier, userID int64, worldID string) {
	t.Helper()
	Exec(t, q, `INSERT OR REPLACE INTO world_permissions (user_id, world_id, can_access) VALUES (?, ?, 1)`, userID, worldID)
}

// AddCharacter inserts a character as the original's create_character does
// (created_at and updated_at from SQLite's default) and returns its id. A
// userID of 0 stores NULL: an orphaned or tombstoned character.
func AddCharacter(t testing.TB, q storage.Querier, userID int64, name, worldID string) int64 {
	t.Helper()
	var uid any
	if userID != 0 {
		uid = userID
	}
	res := Exec(t, q, `INSERT INTO characters (user_id, name, world_id, is_guest_created) VALUES (?, ?, ?, 0)`, uid, name, worldID)
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatalf("add character %q: %v", name, err)
	}
	return id
}

// Session is a sessions row to insert as the original's create_session
// writes it at Now: created_at = last_activity = Now, expires_at = Now+TTL
// (NULL when TTL <= 0), client_type normalised as the original does.
type Session struct {
	UserID      int64
	Token       string
	CharacterID int64  // 0: account session (character_id and world_id NULL)
	WorldID     string // required with CharacterID
	ClientType  string // raw; normalised on insert
	Now         time.Time
	TTL         time.Duration
}

// AddSession inserts a session row and returns its row id. It never removes
// the user's other sessions: tests choose what else exists.
func AddSession(t testing.TB, q storage.Querier, s Session) int64 {
	t.Helper()
	now := storage.FormatTime(s.Now)
	var expires, charID, world any
	if s.TTL > 0 {
		expires = storage.FormatTime(s.Now.Add(s.TTL))
	}
	if s.CharacterID != 0 {
		charID, world = s.CharacterID, s.WorldID
	}
	res := Exec(t, q, `INSERT INTO sessions (user_id, character_id, world_id, session_id, created_at, last_activity, expires_at, client_type)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.UserID, charID, world, s.Token, now, now, expires, OriginalClientType(s.ClientType))
	id, err := res.LastInsertId()
	if err != nil {
		t.Fatalf("add session: %v", err)
	}
	return id
}

// OriginalClientType is the original create_session's normalisation:
// a falsy value (empty) becomes 'unknown'; anything else is stripped and
// lowercased, so a whitespace-only value is stored as the empty string. (The login route
// normalises first and maps empty to 'unknown'; this is the repository's rule.)
func OriginalClientType(ct string) string {
	if ct == "" {
		return "unknown"
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// SetColumn overwrites one column of one session with a raw value, bound
// as given: a string stays TEXT unless it looks numeric (TIMESTAMP columns
// have NUMERIC affinity), an int64 is INTEGER, a float64 REAL, nil NULL.
// This is how tests plant the odd rows of COMPAT.md §5.2.
func SetColumn(t testing.TB, q storage.Querier, token, column string, value any) {
	t.Helper()
	switch column {
	case "expires_at", "last_activity", "created_at", "client_type", "world_id", "character_id", "user_id":
	default:
		t.Fatalf("SetColumn: column %q not allowed", column)
	}
	res := Exec(t, q, `UPDATE sessions SET `+column+` = ? WHERE session_id = ?`, value, token)
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("SetColumn %s: %d rows matched token", column, n)
	}
}

// Typeof returns SQLite's typeof(column) for one session.
func Typeof(t testing.TB, q storage.Querier, token, column string) string {
	t.Helper()
	return Scalar[string](t, q, `SELECT typeof(`+column+`) FROM sessions WHERE session_id = ?`, token)
}

// Text returns one session column as stored text (empty for NULL), read with
// CAST so the driver cannot reformat a TIMESTAMP column.
func Text(t testing.TB, q storage.Querier, token, column string) string {
	t.Helper()
	return Scalar[string](t, q, `SELECT coalesce(CAST(`+column+` AS TEXT), '') FROM sessions WHERE session_id = ?`, token)
}

// HasSession reports whether a row with token exists.
func HasSession(t testing.TB, q storage.Querier, token string) bool {
	t.Helper()
	return Scalar[int](t, q, `SELECT count(*) FROM sessions WHERE session_id = ?`, token) > 0
}

// CountSessions counts every row of sessions.
func CountSessions(t testing.TB, q storage.Querier) int {
	t.Helper()
	return Scalar[int](t, q, `SELECT count(*) FROM sessions`)
}

// Dump renders a whole table, every column as typeof:text (read with CAST,
// so the driver cannot reformat a TIMESTAMP column), ordered by rowid, so a
// test can assert that a refused action changed nothing at all.
func Dump(t testing.TB, q storage.Querier, table string) string {
	t.Helper()
	return DumpWith(t, q, DumpQuery(t, q, table))
}

// DumpQuery builds the query Dump runs for table, for tests that dump the
// same table hundreds of times and want to read its columns only once.
func DumpQuery(t testing.TB, q storage.Querier, table string) string {
	t.Helper()
	ctx := context.Background()
	crows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	var exprs []string
	for crows.Next() {
		var c string
		if err := crows.Scan(&c); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		qc := `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
		exprs = append(exprs, fmt.Sprintf(`'%s=' || typeof(%s) || ':' || coalesce(CAST(%s AS TEXT), '')`, strings.ReplaceAll(c, "'", "''"), qc, qc))
	}
	crows.Close()
	if len(exprs) == 0 {
		t.Fatalf("dump %s: no such table", table)
	}
	return `SELECT ` + strings.Join(exprs, ` || ' | ' || `) + ` FROM ` + table + ` ORDER BY rowid`
}

// DumpWith runs a query from DumpQuery.
func DumpWith(t testing.TB, q storage.Querier, query string) string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("dump: %v", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatalf("dump: %v", err)
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("dump: %v", err)
	}
	return b.String()
}
