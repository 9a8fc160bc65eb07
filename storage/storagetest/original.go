package storagetest

// OriginalSchema is what the original server's init_database runs for the
// tables mudtop touches, in its order and with its statement text
// (COMPAT.md §2), plus chat_messages, which its hot-path index list needs.
// It is kept apart from storage's own copy on purpose: a test comparing
// sqlite_master of the two proves storage.Create matches the original
// rather than itself. The original never sets journal_mode, so a database
// made from these statements stays in rollback-journal mode.
var OriginalSchema = []string{
	`
        CREATE TABLE IF NOT EXISTS users (
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
        )
    `,
	`
        CREATE TABLE IF NOT EXISTS characters (
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
        )
    `,
	`UPDATE characters SET state_seed = 0 WHERE state_seed IS NULL`,
	`
        CREATE TABLE IF NOT EXISTS sessions (
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
        )
    `,
	`
        CREATE TABLE IF NOT EXISTS chat_messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            character_id INTEGER,
            user_id INTEGER,
            message TEXT NOT NULL,
            world_id TEXT NOT NULL,
            room TEXT NOT NULL,
            recipient_character_id INTEGER,
            timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
            FOREIGN KEY(character_id) REFERENCES characters(id) ON DELETE SET NULL,
            FOREIGN KEY(user_id) REFERENCES users(id) ON DELETE SET NULL,
            FOREIGN KEY(recipient_character_id) REFERENCES characters(id) ON DELETE SET NULL
        )
    `,
	`CREATE INDEX IF NOT EXISTS idx_chat_messages_world_room ON chat_messages(world_id, room)`,
	`
        CREATE TABLE IF NOT EXISTS worlds (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT,
            is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
            config_json TEXT NOT NULL DEFAULT '{}',
            created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
        )
    `,
	`
        CREATE TABLE IF NOT EXISTS world_permissions (
            user_id INTEGER NOT NULL,
            world_id TEXT NOT NULL,
            can_access INTEGER NOT NULL DEFAULT 1 CHECK (can_access IN (0, 1)),
            created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
            PRIMARY KEY (user_id, world_id),
            FOREIGN KEY(user_id) REFERENCES users(id) ON DELETE CASCADE,
            FOREIGN KEY(world_id) REFERENCES worlds(id) ON DELETE CASCADE
        )
    `,
	`
        INSERT OR IGNORE INTO worlds (id, name, description, is_active, config_json)
        VALUES ('pipeworks_web', 'pipeworks_web', '', 1, '{}')
        `,
	`CREATE INDEX IF NOT EXISTS idx_characters_user_world ON characters(user_id, world_id)`,
	`CREATE INDEX IF NOT EXISTS idx_characters_user_world_created_at ON characters(user_id, world_id, created_at)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_user_id ON sessions(user_id)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_character_id ON sessions(character_id)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_world_id ON sessions(world_id)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_user_activity ON sessions(user_id, expires_at, last_activity)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_world_activity ON sessions(world_id, character_id, expires_at, last_activity)`,
	`CREATE INDEX IF NOT EXISTS idx_sessions_world_last_activity ON sessions(world_id, last_activity DESC)`,
	`CREATE INDEX IF NOT EXISTS idx_chat_messages_world_room_timestamp ON chat_messages(world_id, room, timestamp)`,
	`DROP TRIGGER IF EXISTS enforce_session_invariants_insert`,
	`DROP TRIGGER IF EXISTS enforce_session_invariants_update`,
	`
        CREATE TRIGGER enforce_session_invariants_insert
        BEFORE INSERT ON sessions
        BEGIN` + originalChecks + `END;
    `,
	`
        CREATE TRIGGER enforce_session_invariants_update
        BEFORE UPDATE OF user_id, character_id, world_id ON sessions
        BEGIN` + originalChecks + `END;
    `,
}

// originalChecks is the body both of the original's invariant triggers run.
const originalChecks = `
            SELECT
                CASE
                    WHEN NEW.character_id IS NULL AND NEW.world_id IS NOT NULL
                    THEN RAISE(ABORT, 'session invariant violated: account session has world_id')
                END;

            SELECT
                CASE
                    WHEN NEW.character_id IS NOT NULL AND NEW.world_id IS NULL
                    THEN RAISE(ABORT, 'session invariant violated: character session missing world_id')
                END;

            SELECT
                CASE
                    WHEN NEW.character_id IS NOT NULL
                     AND (SELECT id FROM characters WHERE id = NEW.character_id) IS NULL
                    THEN RAISE(ABORT, 'session invariant violated: character does not exist')
                END;

            SELECT
                CASE
                    WHEN NEW.character_id IS NOT NULL
                     AND (
                        SELECT user_id
                        FROM characters
                        WHERE id = NEW.character_id
                     ) != NEW.user_id
                    THEN RAISE(ABORT, 'session invariant violated: character does not belong to user')
                END;

            SELECT
                CASE
                    WHEN NEW.character_id IS NOT NULL
                     AND NEW.world_id != (
                        SELECT world_id
                        FROM characters
                        WHERE id = NEW.character_id
                     )
                    THEN RAISE(ABORT, 'session invariant violated: world mismatch for character')
                END;
        `

// The original's own session statements (COMPAT.md §4), with SQLite's clock
// as it runs them. Tests use them to write rows exactly as the original
// does, wall clock and all, and to check mudtop's rows against them.
const (
	// OriginalInsertSession is create_session's INSERT with a TTL: bind
	// user_id, character_id, world_id, session_id, "+<ttl> minutes",
	// client_type (already normalised).
	OriginalInsertSession = `
                    INSERT INTO sessions (
                        user_id,
                        character_id,
                        world_id,
                        session_id,
                        created_at,
                        last_activity,
                        expires_at,
                        client_type
                    )
                    VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, datetime('now', ?), ?)
                    `
	// OriginalInsertSessionNoTTL is create_session's INSERT when ttl <= 0.
	OriginalInsertSessionNoTTL = `
                    INSERT INTO sessions (
                        user_id,
                        character_id,
                        world_id,
                        session_id,
                        created_at,
                        last_activity,
                        expires_at,
                        client_type
                    )
                    VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, NULL, ?)
                    `
	// OriginalStampLogin is create_session's last_login update.
	OriginalStampLogin = `UPDATE users SET last_login = CURRENT_TIMESTAMP WHERE id = ?`
	// OriginalTouchSlide is update_session_activity with sliding on: bind
	// "+<ttl> minutes", session_id.
	OriginalTouchSlide = `
                    UPDATE sessions
                    SET last_activity = CURRENT_TIMESTAMP,
                        expires_at = datetime('now', ?)
                    WHERE session_id = ?
                    `
	// OriginalInsertUser is create_user's INSERT for a legacy account: bind
	// username, password_hash, role.
	OriginalInsertUser = `
                INSERT INTO users (
                    username,
                    password_hash,
                    email_hash,
                    role,
                    is_guest,
                    guest_expires_at,
                    account_origin
                )
                VALUES (?, ?, NULL, ?, 0, NULL, 'legacy')
                `
	// OriginalInsertCharacter is create_character_for_user's INSERT: bind
	// user_id, name, world_id.
	OriginalInsertCharacter = `
                INSERT INTO characters (user_id, name, world_id, is_guest_created)
                VALUES (?, ?, ?, 0)
                `
)
