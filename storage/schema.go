package storage

import (
	"context"
	"database/sql"
	"errors"
	"slices"
)

// DefaultWorldID is the world row the original's init_database always seeds.
const DefaultWorldID = "pipeworks_web"

// AuditTable is the one table mudtop adds to a database it did not create.
// The prefix keeps it apart from anything the original server owns.
const AuditTable = "mudtop_audit"

// schemaStatements is the original server's schema for the tables mudtop
// reads and writes, byte for byte in meaning (COMPAT.md §2): the same column
// types, defaults, constraints and index names, so that the original's own
// `CREATE ... IF NOT EXISTS` finds nothing to change and adds its other
// tables beside these.
var schemaStatements = []string{
	`CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT UNIQUE NOT NULL,
    password_hash TEXT NOT NULL,
    email_hash TEXT UNIQUE,
    role TEXT NOT NULL DEFAULT 'player',
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    is_guest INTEGER NOT NULL DEFAULT 0 CHECK (is_guest IN (0, 1)),
    guest_expires_at TIMESTAMP,
    account_origin TEXT NOT NULL DEFAULT 'legacy',
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_login TIMESTAMP,
    tombstoned_at TIMESTAMP
)`,
	`CREATE TABLE IF NOT EXISTS characters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER,
    name TEXT NOT NULL,
    world_id TEXT NOT NULL,
    inventory TEXT NOT NULL DEFAULT '[]',
    is_guest_created INTEGER NOT NULL DEFAULT 0 CHECK (is_guest_created IN (0, 1)),
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    base_state_json TEXT,
    current_state_json TEXT,
    state_seed INTEGER DEFAULT 0 CHECK (state_seed >= 0),
    state_version TEXT,
    state_updated_at TIMESTAMP,
    FOREIGN KEY(user_id) REFERENCES users(id) ON DELETE SET NULL,
    UNIQUE(world_id, name)
)`,
	`CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    character_id INTEGER,
    world_id TEXT,
    session_id TEXT UNIQUE NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_activity TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP,
    client_type TEXT DEFAULT 'unknown',
    FOREIGN KEY(user_id) REFERENCES users(id) ON DELETE CASCADE,
    FOREIGN KEY(character_id) REFERENCES characters(id) ON DELETE SET NULL
)`,
	`CREATE TABLE IF NOT EXISTS worlds (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    config_json TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
)`,
	`CREATE TABLE IF NOT EXISTS world_permissions (
    user_id INTEGER NOT NULL,
    world_id TEXT NOT NULL,
    can_access INTEGER NOT NULL DEFAULT 1 CHECK (can_access IN (0, 1)),
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id, world_id),
    FOREIGN KEY(user_id) REFERENCES users(id) ON DELETE CASCADE,
    FOREIGN KEY(world_id) REFERENCES worlds(id) ON DELETE CASCADE
)`,
	`CREATE INDEX IF NOT EXISTS idx_characters_user_world ON characters(user_id, world_id)`,
	`CREATE INDEX IF NOT EXISTS idx_characters_user_world_created_at ON characters(user_id, world_id, created_at)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_user_id ON sessions(user_id)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_character_id ON sessions(character_id)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_world_id ON sessions(world_id)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_user_activity ON sessions(user_id, expires_at, last_activity)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_world_activity ON sessions(world_id, character_id, expires_at, last_activity)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_world_last_activity ON sessions(world_id, last_activity DESC)`,
	`DROP TRIGGER IF EXISTS enforce_session_invariants_insert`,
	`DROP TRIGGER IF EXISTS enforce_session_invariants_update`,
	`CREATE TRIGGER enforce_session_invariants_insert
BEFORE INSERT ON sessions
BEGIN` + invariantChecks + `END`,
	`CREATE TRIGGER enforce_session_invariants_update
BEFORE UPDATE OF user_id, character_id, world_id ON sessions
BEGIN` + invariantChecks + `END`,
	`INSERT OR IGNORE INTO worlds (id, name, description, is_active, config_json) VALUES ('` + DefaultWorldID + `', '` + DefaultWorldID + `', '', 1, '{}')`,
}

// invariantChecks are the five checks both session triggers run, in the
// original's order and with its exact messages (COMPAT.md §2.6).
const invariantChecks = `
    SELECT CASE WHEN NEW.character_id IS NULL AND NEW.world_id IS NOT NULL
        THEN RAISE(ABORT, 'session invariant violated: account session has world_id') END;
    SELECT CASE WHEN NEW.character_id IS NOT NULL AND NEW.world_id IS NULL
        THEN RAISE(ABORT, 'session invariant violated: character session missing world_id') END;
    SELECT CASE WHEN NEW.character_id IS NOT NULL
         AND (SELECT id FROM characters WHERE id = NEW.character_id) IS NULL
        THEN RAISE(ABORT, 'session invariant violated: character does not exist') END;
    SELECT CASE WHEN NEW.character_id IS NOT NULL
         AND (SELECT user_id FROM characters WHERE id = NEW.character_id) != NEW.user_id
        THEN RAISE(ABORT, 'session invariant violated: character does not belong to user') END;
    SELECT CASE WHEN NEW.character_id IS NOT NULL
         AND NEW.world_id != (SELECT world_id FROM characters WHERE id = NEW.character_id)
        THEN RAISE(ABORT, 'session invariant violated: world mismatch for character') END;
`

// auditSchema is mudtop's own table. It is additive: created on first write
// access, never touching the original's tables. It stores a short prefix of
// session ids only, since ids are bearer credentials.
var auditSchema = []string{
	`CREATE TABLE IF NOT EXISTS ` + AuditTable + ` (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT ''
)`,
	sshKeysSchema,
}

// requiredColumns is what mudtop reads from each table. A database lacking
// any of them is refused with a SchemaError naming it, before any query
// could fail half-way through an action.
var requiredColumns = []struct {
	table   string
	columns []string
}{
	{"users", []string{"id", "username", "password_hash", "role", "is_active", "tombstoned_at", "last_login"}},
	{"sessions", []string{"id", "user_id", "character_id", "world_id", "session_id", "created_at", "last_activity", "expires_at", "client_type"}},
	{"characters", []string{"id", "user_id", "name", "world_id"}},
	{"worlds", []string{"id", "name"}},
	{"world_permissions", []string{"user_id", "world_id", "can_access"}},
}

// createSchema writes the original's schema into an empty database.
func createSchema(ctx context.Context, tx *sql.Tx) error {
	for _, stmt := range slices.Concat(schemaStatements, countIndexSQL, auditSchema) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return wrap("create schema", err)
		}
	}
	return nil
}

// verifySchema checks every table and column mudtop needs.
func verifySchema(ctx context.Context, db *sql.DB) error {
	for _, req := range requiredColumns {
		rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, req.table)
		if err != nil {
			return wrap("read schema", err)
		}
		have := map[string]bool{}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return wrap("read schema", err)
			}
			have[name] = true
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return wrap("read schema", err)
		}
		rows.Close()
		if len(have) == 0 {
			return &SchemaError{Table: req.table}
		}
		for _, col := range req.columns {
			if !have[col] {
				return &SchemaError{Table: req.table, Column: col}
			}
		}
	}
	return nil
}

// ensureAudit creates mudtop's own tables (the audit log and the SSH keys)
// when the database is writable, and adds the audit's origin column to a
// table an older mudtop made. On a read-only database it reports what
// exists, so audit reads degrade to "no entries" (and key logins to "no
// keys") instead of failing the whole monitor.
func ensureAudit(ctx context.Context, db *sql.DB, readOnly bool) (t mudtopTables, err error) {
	if t, err = readMudtopTables(ctx, db); err != nil {
		return t, err
	}
	if (t.audit && t.origin && t.keys) || readOnly {
		return t, nil
	}
	for _, stmt := range auditSchema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			err = wrap("create mudtop tables", err)
			if errors.Is(err, ErrReadOnly) {
				return t, nil
			}
			return t, err
		}
	}
	if t.audit && !t.origin {
		// mudtop's own table, so it may grow: rows written before keep ''.
		if _, err := db.ExecContext(ctx, `ALTER TABLE `+AuditTable+` ADD COLUMN origin TEXT NOT NULL DEFAULT ''`); err != nil {
			return t, wrap("add audit origin", err)
		}
	}
	return mudtopTables{audit: true, origin: true, keys: true}, nil
}

// mudtopTables is which of mudtop's own tables and columns a file has.
type mudtopTables struct{ audit, origin, keys bool }

func readMudtopTables(ctx context.Context, db *sql.DB) (mudtopTables, error) {
	var t mudtopTables
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type='table' AND name IN (?, ?)`, AuditTable, SSHKeysTable)
	if err != nil {
		return t, wrap("read schema", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return t, wrap("read schema", err)
		}
		t.audit = t.audit || name == AuditTable
		t.keys = t.keys || name == SSHKeysTable
	}
	if err := rows.Err(); err != nil {
		return t, wrap("read schema", err)
	}
	if t.audit {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = 'origin'`, AuditTable).Scan(&n); err != nil {
			return t, wrap("read schema", err)
		}
		t.origin = n > 0
	}
	return t, nil
}
