package storage

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// The hot statements are prepared once per store: parsing SQL costs more
// than running these lookups, and validation sits on every request's path.
const (
	stmtSessionAuth = iota
	stmtTouch
	stmtTouchSlide
	stmtDeleteToken
	stmtActiveWindow
	stmtActiveAll
	stmtActiveIndexed
	stmtActiveWindowLow
	stmtActiveWindowHigh
	stmtActiveAllLow
	stmtActiveAllHigh
	stmtTouchRow
	stmtTouchRowSlide
	stmtInsertSession
	stmtDeleteUserSessions
	stmtLastLogin
	stmtCount
)

var stmtSQL = [stmtCount]string{
	stmtSessionAuth:   sessionAuthSQL,
	stmtTouch:         `UPDATE sessions SET last_activity = ? WHERE session_id = ?`,
	stmtTouchSlide:    `UPDATE sessions SET last_activity = ?, expires_at = ? WHERE session_id = ?`,
	stmtDeleteToken:   `DELETE FROM sessions WHERE session_id = ?`,
	stmtActiveWindow:  activeWindowSQL,
	stmtActiveAll:     activeAllSQL,
	stmtActiveIndexed: activeIndexedSQL,
	// The halves of activePaired: ?3 is the split point among user_id.
	stmtActiveWindowLow:  activeLowSQL(activeCond + ` AND ` + unexpiredCond),
	stmtActiveWindowHigh: activeHighSQL(activeCond + ` AND ` + unexpiredCond),
	stmtActiveAllLow:     activeLowSQL(unexpiredCond),
	stmtActiveAllHigh:    activeHighSQL(unexpiredCond),
	// By rowid, and still only while the row carries the same token (ids
	// are AUTOINCREMENT, never reused, but a kick and a new login could
	// otherwise meet in between): a rowid lookup skips the descent of the
	// session_id index.
	stmtTouchRow:      `UPDATE sessions SET last_activity = ?1 WHERE id = ?3 AND session_id = ?2`,
	stmtTouchRowSlide: `UPDATE sessions SET last_activity = ?1, expires_at = ?4 WHERE id = ?3 AND session_id = ?2`,
	// A login's three writes. Compiling an INSERT or DELETE on sessions
	// compiles the upkeep of every index, mudtop's expression indexes
	// included, which took longer than running it.
	stmtInsertSession: `INSERT INTO sessions
		(user_id, character_id, world_id, session_id, created_at, last_activity, expires_at, client_type)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	stmtDeleteUserSessions: `DELETE FROM sessions WHERE user_id = ?`,
	stmtLastLogin:          `UPDATE users SET last_login = ? WHERE id = ?`,
}

// activeWindowSQL is the original's count with 'now' bound as ?1 and the
// window's lower edge as ?2, both canonical text. The activity test comes
// first because it fails for most rows (an idle or expired session), which
// spares their expiry its parse.
const activeWindowSQL = `SELECT count(*) FROM sessions WHERE ` + activeCond + ` AND ` + unexpiredCond

// activeAllSQL is the count without an activity window.
const activeAllSQL = `SELECT count(*) FROM sessions WHERE ` + unexpiredCond

// activeLowSQL and activeHighSQL split a count at ?3 among the sessions'
// user_id. Every non-NULL value is either below ?3 or not (SQLite orders
// all values, of any type), and the NULLs, which are neither, go with the
// low half. The unused ?2 of the count without a window is bound all the
// same, so both pairs take the same three arguments.
func activeLowSQL(cond string) string {
	return `SELECT (SELECT count(*) FROM sessions WHERE user_id < ?3 AND ` + cond + `)
 + (SELECT count(*) FROM sessions WHERE user_id IS NULL AND ` + cond + `)`
}

func activeHighSQL(cond string) string {
	return `SELECT count(*) FROM sessions WHERE user_id >= ?3 AND ` + cond
}

// activeCond and unexpiredCond are the original's
//
//	datetime(last_activity) >= datetime(?2)
//	(expires_at IS NULL OR datetime(expires_at) > datetime(?1))
//
// at about half the cost: unixepoch() shares datetime()'s parse (one is NULL
// exactly when the other is) but skips formatting the instant as text. Both
// truncate to the second, and against a canonical constant the order of
// datetime()'s text is the order of unixepoch()'s numbers, with one
// exception: a stored 'subsec' reads as the wall clock with milliseconds,
// which datetime() writes out even when they are .000, so its text is then
// greater than the same second's while unixepoch()'s real is equal. The
// last term gives that tie to the row, as the original's text comparison
// does. TestUnixepochComparesAsDatetime checks every stored shape.
const (
	activeCond    = `unixepoch(last_activity) >= unixepoch(?2)`
	unexpiredCond = `(expires_at IS NULL OR unixepoch(expires_at) > unixepoch(?1)
  OR (unixepoch(expires_at) = unixepoch(?1) AND typeof(unixepoch(expires_at)) = 'real'))`
)

type statements struct {
	list [stmtCount]*sql.Stmt
	hot  hotPool
}

// hotMax is how many pool connections the validation lookup may pin. Two
// cores keep four busy; the rest of the pool stays for writes, the monitor
// and everything else.
const hotMax = 4

// hotPool pins a few pool connections for the lookup every validation
// makes, each with the statement prepared on it. Through the shared pool,
// every query takes database/sql's pool lock and the statement's lock twice
// (find a connection, find its copy of the statement, give both back), and
// with eight goroutines on two cores those locks, not SQLite, were the
// bottleneck. Each lookup is still its own autocommit statement, so it sees
// every commit made before it (no validity is ever cached).
type hotPool struct {
	mmap int64     // PRAGMA mmap_size for pinned connections; 0 leaves it off
	once sync.Once // makes idle
	idle chan *hotConn
	mu   sync.Mutex
	n    int // pinned connections in existence
	shut bool
}

type hotConn struct {
	conn *sql.Conn
	stmt *sql.Stmt
	gen  uint64 // the file generation the connection was opened in
	// The same lookup on the driver itself (hotscan.go); raw is nil where
	// the driver cannot, and the lookup then goes through stmt.
	raw  driver.Stmt
	vals []driver.Value
	args []driver.NamedValue
}

// get returns an idle pinned connection of generation gen, pinning a new one
// while fewer than hotMax exist; nil when all are busy (the caller then uses
// the shared pool).
func (h *hotPool) get(ctx context.Context, db *sql.DB, gen uint64) *hotConn {
	h.init()
	for {
		select {
		case c := <-h.idle:
			if c.gen == gen {
				return c
			}
			h.drop(c) // opened on a file since replaced
			continue
		default:
		}
		break
	}
	// Never pin more than half of a capped pool: writes, the monitor and
	// the activity flush need connections too.
	limit := hotMax
	if maxOpen := db.Stats().MaxOpenConnections; maxOpen > 0 {
		limit = min(limit, maxOpen/2)
	}
	h.mu.Lock()
	if h.shut || h.n >= limit {
		h.mu.Unlock()
		return nil
	}
	h.n++
	h.mu.Unlock()
	conn, err := db.Conn(ctx)
	if err == nil {
		if h.mmap > 0 {
			// Best effort: unmapped, the lookup still works, only slower.
			conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA mmap_size=%d`, h.mmap))
		}
		var st *sql.Stmt
		if st, err = conn.PrepareContext(ctx, sessionAuthSQL); err == nil {
			c := &hotConn{conn: conn, stmt: st, gen: gen}
			c.prepareRaw(ctx) // best effort: without it, stmt serves
			return c
		}
		if h.mmap > 0 {
			// Back to the shared pool, where nothing else maps the file.
			conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA mmap_size=0`)
		}
		conn.Close()
	}
	h.mu.Lock()
	h.n--
	h.mu.Unlock()
	return nil
}

func (h *hotPool) init() { h.once.Do(func() { h.idle = make(chan *hotConn, hotMax) }) }

// put hands a connection back for the next lookup.
func (h *hotPool) put(c *hotConn) {
	h.mu.Lock()
	shut := h.shut
	h.mu.Unlock()
	if !shut {
		select {
		case h.idle <- c:
			return
		default:
		}
	}
	h.drop(c)
}

func (h *hotPool) drop(c *hotConn) {
	c.closeRaw()
	c.stmt.Close()
	c.conn.Close()
	h.mu.Lock()
	h.n--
	h.mu.Unlock()
}

func (h *hotPool) close() {
	h.init()
	h.mu.Lock()
	h.shut = true
	h.mu.Unlock()
	for {
		select {
		case c := <-h.idle:
			h.drop(c)
		default:
			return
		}
	}
}

func (s *Store) prepare(ctx context.Context) error {
	for i, q := range stmtSQL {
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			s.stmts.close()
			return wrap("prepare", err)
		}
		s.stmts.list[i] = st
	}
	return nil
}

func (st *statements) close() {
	st.hot.close()
	for i, s := range st.list {
		if s != nil {
			s.Close()
			st.list[i] = nil
		}
	}
}

// pick returns the prepared statement bound to q: the pool's own, or a
// transaction-specific copy when q is a transaction.
func (st *statements) pick(ctx context.Context, q Querier, id int) *sql.Stmt {
	s := st.list[id]
	switch tx := q.(type) {
	case *sql.Tx:
		return tx.StmtContext(ctx, s)
	case *monitorTx:
		return tx.tx.StmtContext(ctx, s)
	}
	return s
}

// scanAuth runs the validation lookup and scans its one row into dest
// (sql.ErrNoRows when none), on a pinned connection when q is the pool.
func (s *Store) scanAuth(ctx context.Context, q Querier, token string, dest ...any) error {
	if q == Querier(s.db) {
		if c := s.stmts.hot.get(ctx, s.db, s.watch.gen.Load()); c != nil {
			err := c.scanRaw(ctx, token, dest)
			if err == errOddRow {
				err = c.stmt.QueryRowContext(ctx, token).Scan(dest...)
			}
			s.stmts.hot.put(c)
			return err
		}
	}
	return s.stmts.row(ctx, q, stmtSessionAuth, token).Scan(dest...)
}

func (st *statements) row(ctx context.Context, q Querier, id int, args ...any) *sql.Row {
	return st.pick(ctx, q, id).QueryRowContext(ctx, args...)
}

func (st *statements) exec(ctx context.Context, q Querier, id int, args ...any) (sql.Result, error) {
	return st.pick(ctx, q, id).ExecContext(ctx, args...)
}

// TouchSessions writes a batch of activity updates in one write transaction
// (the write-behind of auth's activity flush). Rows are visited in rowid
// order, so the pages an update dirties are neighbours and each is written
// once, and the two UPDATEs are bound to the transaction once for the
// whole batch. A session removed meanwhile matches no row: an UPDATE can
// never bring it back.
//
// cache_spill is turned off for the transaction: a batch can dirty more
// pages than the page cache holds, and spilling them mid-transaction would
// take the exclusive lock early, stalling every reader (on a rollback-journal
// database) until the commit instead of only during it.
func (s *Store) TouchSessions(ctx context.Context, batch []Touch) error {
	if len(batch) == 0 {
		return nil
	}
	slices.SortFunc(batch, func(a, b Touch) int {
		if c := cmp.Compare(a.RowID, b.RowID); c != 0 {
			return c
		}
		return strings.Compare(a.Token, b.Token)
	})
	return s.Write(ctx, func(q Querier) error {
		if _, err := q.ExecContext(ctx, `PRAGMA cache_spill = 0`); err != nil {
			return wrap("update session activity", err)
		}
		defer q.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_spill = 1`)
		var bound [stmtCount]*sql.Stmt
		stmt := func(id int) *sql.Stmt {
			if bound[id] == nil {
				bound[id] = s.stmts.pick(ctx, q, id)
			}
			return bound[id]
		}
		for _, t := range batch {
			var err error
			switch {
			case t.RowID != 0 && t.ExpiresAt != "":
				_, err = stmt(stmtTouchRowSlide).ExecContext(ctx, t.LastActivity, t.Token, t.RowID, t.ExpiresAt)
			case t.RowID != 0:
				_, err = stmt(stmtTouchRow).ExecContext(ctx, t.LastActivity, t.Token, t.RowID)
			case t.ExpiresAt != "":
				_, err = stmt(stmtTouchSlide).ExecContext(ctx, t.LastActivity, t.ExpiresAt, t.Token)
			default:
				_, err = stmt(stmtTouch).ExecContext(ctx, t.LastActivity, t.Token)
			}
			if err != nil {
				return wrap("update session activity", err)
			}
		}
		return nil
	})
}
