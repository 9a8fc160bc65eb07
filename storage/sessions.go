package storage

import (
	"context"
	"database/sql"
	"time"
)

// SessionAuth is one session row joined with its user: everything a
// validation needs, read with a single statement. Timestamp columns are the
// raw stored text (CAST to TEXT, since the driver would otherwise turn
// TIMESTAMP columns into time.Time and lose what was actually stored).
type SessionAuth struct {
	RowID       int64
	SessionID   string
	UserID      int64
	CharacterID int64 // 0 when NULL, as the original treats both as "none"
	// CharacterOdd is set when character_id holds a key no character's
	// integer id can equal (a real, or a non-empty text or blob: a hand edit
	// past the original's trigger). The original looks the character up by
	// that value and finds none; CharacterID is then 0.
	CharacterOdd bool
	WorldID      sql.NullString
	// ExpiresType is SQLite's typeof(expires_at): null, text, integer, real
	// or blob. The original's Python check depends on it (COMPAT.md §5.2).
	ExpiresType  string
	ExpiresAt    string
	LastActivity string
	// UserFound is false when the session's user row is gone.
	UserFound  bool
	Username   string
	Role       string
	UserActive bool
	Tombstoned bool
}

// sessionUserKey is the session's account id as the original reads it:
// get_session_by_id applies Python's int(), which truncates a real toward
// zero (a hand edit with foreign keys off can store 2.5, which is then
// account 2), as CAST does within int64's range. It is NULL where int()
// fails or the id cannot be bound (text, a blob, a real past int64), and
// the scan into an int64 then fails the lookup, as the original's 500.
const sessionUserKey = `CASE typeof(s.user_id) WHEN 'integer' THEN s.user_id
  WHEN 'real' THEN CASE WHEN abs(s.user_id) < 9223372036854775808.0 THEN CAST(s.user_id AS INTEGER) END END`

const sessionAuthSQL = `
SELECT s.id, s.session_id, coalesce(u.id, ` + sessionUserKey + `) AS user_id,
       CASE typeof(s.character_id) WHEN 'integer' THEN s.character_id ELSE 0 END, s.world_id,
       typeof(s.expires_at), coalesce(CAST(s.expires_at AS TEXT), ''),
       coalesce(CAST(s.last_activity AS TEXT), ''),
       u.id IS NOT NULL, coalesce(u.username, ''), coalesce(u.role, ''),
       coalesce(u.is_active, 1) != 0, u.tombstoned_at IS NOT NULL,
       CASE typeof(s.character_id) WHEN 'null' THEN 0 WHEN 'integer' THEN 0 ELSE length(s.character_id) > 0 END
FROM sessions s LEFT JOIN users u ON u.id = ` + sessionUserKey + `
WHERE s.session_id = ?`

// SessionAuth looks a session up by its token. ok is false when no row has
// that token; a missing user is reported through UserFound, not as an error.
func (s *Store) SessionAuth(ctx context.Context, q Querier, token string) (a SessionAuth, ok bool, err error) {
	err = s.scanAuth(ctx, q, token, &a.RowID, &a.SessionID, &a.UserID, &a.CharacterID, &a.WorldID,
		&a.ExpiresType, &a.ExpiresAt, &a.LastActivity,
		&a.UserFound, &a.Username, &a.Role, &a.UserActive, &a.Tombstoned, &a.CharacterOdd)
	if err == sql.ErrNoRows {
		return SessionAuth{}, false, nil
	}
	if err != nil {
		return SessionAuth{}, false, wrap("read session", err)
	}
	return a, true, nil
}

// Touch is one activity update: last_activity set to At and, when Expires is
// non-empty, expires_at set to it (sliding renewal).
type Touch struct {
	// RowID, when known (from SessionAuth), lets a batched write find the
	// row by rowid; the token must still match.
	RowID        int64
	Token        string
	LastActivity string
	ExpiresAt    string // "" leaves expires_at as it is
}

// TouchSession writes one activity update. It reports whether a row matched;
// like the original's UPDATE it never fires the invariant triggers.
func (s *Store) TouchSession(ctx context.Context, q Querier, t Touch) (bool, error) {
	var res sql.Result
	var err error
	if t.ExpiresAt != "" {
		res, err = s.stmts.exec(ctx, q, stmtTouchSlide, t.LastActivity, t.ExpiresAt, t.Token)
	} else {
		res, err = s.stmts.exec(ctx, q, stmtTouch, t.LastActivity, t.Token)
	}
	if err != nil {
		return false, wrap("update session activity", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DeleteSession removes one session by token, as remove_session_by_id.
func (s *Store) DeleteSession(ctx context.Context, q Querier, token string) (bool, error) {
	res, err := s.stmts.exec(ctx, q, stmtDeleteToken, token)
	if err != nil {
		return false, wrap("remove session", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DeleteSessionExact removes a session only if the row id still carries the
// same token, so an action aimed at what the operator saw can never remove
// a different session that reused a position or an id.
func (s *Store) DeleteSessionExact(ctx context.Context, q Querier, rowID int64, token string) (bool, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE id = ? AND session_id = ?`, rowID, token)
	if err != nil {
		return false, wrap("remove session", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DeleteUserSessions removes every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, q Querier, userID int64) (int, error) {
	res, err := s.stmts.exec(ctx, q, stmtDeleteUserSessions, userID)
	if err != nil {
		return 0, wrap("remove user sessions", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DeleteCharacterSessions removes every session bound to a character.
func (s *Store) DeleteCharacterSessions(ctx context.Context, q Querier, characterID int64) (int, error) {
	return execCount(ctx, q, "remove character sessions", `DELETE FROM sessions WHERE character_id = ?`, characterID)
}

// DeleteAllSessions removes every session, except the one with keepToken
// when it is non-empty.
func (s *Store) DeleteAllSessions(ctx context.Context, q Querier, keepToken string) (int, error) {
	if keepToken == "" {
		return execCount(ctx, q, "clear sessions", `DELETE FROM sessions`)
	}
	return execCount(ctx, q, "clear sessions", `DELETE FROM sessions WHERE session_id != ?`, keepToken)
}

// DeleteExpired removes rows SQLite reads as expired at now, exactly as the
// original's cleanup_expired_sessions: rows it cannot parse are kept.
func (s *Store) DeleteExpired(ctx context.Context, q Querier, now time.Time) (int, error) {
	return execCount(ctx, q, "cleanup expired sessions",
		`DELETE FROM sessions WHERE expires_at IS NOT NULL AND datetime(expires_at) <= datetime(?)`, FormatTime(now))
}

// NewSession is a session row to insert.
type NewSession struct {
	UserID      int64
	Token       string
	ClientType  string
	CharacterID int64  // 0: account session
	WorldID     string // ignored when CharacterID is 0
	Now         time.Time
	// TTL of zero or less stores expires_at NULL (never expires).
	TTL time.Duration
	// ReplaceExisting deletes the user's other sessions first, in the same
	// transaction (the original's allow_multiple_sessions=false).
	ReplaceExisting bool
}

// CreateSession inserts a session and stamps users.last_login, as the
// original's create_session does, inside the caller's transaction. It
// returns how many earlier sessions of the user it removed.
func (s *Store) CreateSession(ctx context.Context, q Querier, n NewSession) (replaced int, err error) {
	if n.ReplaceExisting {
		if replaced, err = s.DeleteUserSessions(ctx, q, n.UserID); err != nil {
			return 0, err
		}
	}
	now := FormatTime(n.Now)
	var expires any
	if n.TTL > 0 {
		expires = FormatTime(n.Now.Add(n.TTL))
	}
	var charID, world any
	if n.CharacterID != 0 {
		charID, world = n.CharacterID, n.WorldID
	}
	if _, err := s.stmts.exec(ctx, q, stmtInsertSession,
		n.UserID, charID, world, n.Token, now, now, expires, n.ClientType); err != nil {
		return 0, wrap("create session", err)
	}
	if _, err := s.stmts.exec(ctx, q, stmtLastLogin, now, n.UserID); err != nil {
		return 0, wrap("create session", err)
	}
	return replaced, nil
}

// SetSessionCharacter binds a session to a character and world, through the
// original's update trigger (which enforces ownership and world).
func (s *Store) SetSessionCharacter(ctx context.Context, q Querier, token string, characterID int64, worldID string) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE sessions SET character_id = ?, world_id = ? WHERE session_id = ?`, characterID, worldID, token)
	if err != nil {
		return false, wrap("set session character", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ActiveCount counts sessions exactly as the original's
// get_active_session_count, with now bound instead of SQLite's clock: not
// expired by SQLite's reading of expires_at and, when window > 0, active
// within it.
//
// On a database mudtop created, with a window, the count is read from
// mudtop's count indexes (countindex.go). Otherwise, outside a caller's
// transaction, a long-lived process (the monitor, a health endpoint) gets
// the answer from the monitor's count cache while the file is unchanged
// (aggcache.go): the same result, computed in memory.
func (s *Store) ActiveCount(ctx context.Context, q Querier, now time.Time, window time.Duration) (int, error) {
	if s.countIdx && window > 0 {
		// Index-only, a few ms at 100k however busy the file: no cache to
		// keep or rebuild.
		var n int
		from := now.Add(-window)
		err := s.stmts.row(ctx, q, stmtActiveIndexed, FormatTime(now), FormatTime(from), now.Unix()-from.Unix()).Scan(&n)
		if err != nil {
			return 0, wrap("count active sessions", err)
		}
		return n, nil
	}
	if q == Querier(s.db) {
		if n, ok, err := s.activeFromCache(ctx, now, window); err != nil || ok {
			return n, err
		}
	}
	if q == Querier(s.db) {
		if n, ok, err := s.activePaired(ctx, now, window); err != nil || ok {
			return n, err
		}
	}
	var n int
	var err error
	if window > 0 {
		err = s.stmts.row(ctx, q, stmtActiveWindow, FormatTime(now), FormatTime(now.Add(-window))).Scan(&n)
	} else {
		err = s.stmts.row(ctx, q, stmtActiveAll, FormatTime(now)).Scan(&n)
	}
	if err != nil {
		return 0, wrap("count active sessions", err)
	}
	return n, nil
}

// activePaired is the count in two halves at once, split by user_id, on
// one snapshot (pairread.go): each half scans its range of the original's
// covering index idx_sessions_user_activity. The split point is the middle
// of the keys' span, so each half gets about half the rows while account
// ids are spread as the original hands them out; a skewed file only pairs
// less well. ok is false when the file does not pair (WAL, one core, a
// span too short to be worth a second connection, keys that are not all
// integers) and the caller counts in one pass.
func (s *Store) activePaired(ctx context.Context, now time.Time, window time.Duration) (n int, ok bool, err error) {
	low, high := stmtActiveAllLow, stmtActiveAllHigh
	if window > 0 {
		low, high = stmtActiveWindowLow, stmtActiveWindowHigh
	}
	nowArg, fromArg := FormatTime(now), FormatTime(now.Add(-window))
	nLow, nHigh, ok, err := pairRead(ctx, s, func(q Querier) (mine, theirs func(Querier) (int, error), err error) {
		var lo, hi any
		if err := q.QueryRowContext(ctx, `SELECT (SELECT min(user_id) FROM sessions), (SELECT max(user_id) FROM sessions)`).Scan(&lo, &hi); err != nil {
			return nil, nil, wrap("count active sessions", err)
		}
		a, okA := lo.(int64)
		b, okB := hi.(int64)
		if !okA || !okB || b-a < pairMinSpan {
			return nil, nil, nil
		}
		mid := a + (b-a)/2 + 1
		count := func(id int) func(Querier) (int, error) {
			return func(q Querier) (int, error) {
				var n int
				if err := s.stmts.row(ctx, q, id, nowArg, fromArg, mid).Scan(&n); err != nil {
					return 0, wrap("count active sessions", err)
				}
				return n, nil
			}
		}
		return count(low), count(high), nil
	})
	return nLow + nHigh, ok, err
}

// pairMinSpan is the span of keys below which a count or a filter is not
// split: a few thousand sessions are read in well under a millisecond,
// less than a second connection's transaction costs. (A variable only so
// that the differential tests can pair their small files.)
var pairMinSpan int64 = 2048

func execCount(ctx context.Context, q Querier, op, query string, args ...any) (int, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, wrap(op, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
