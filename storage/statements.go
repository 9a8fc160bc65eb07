package storage

import (
	"context"
	"database/sql"
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
	stmtCount
)

var stmtSQL = [stmtCount]string{
	stmtSessionAuth:  sessionAuthSQL,
	stmtTouch:        `UPDATE sessions SET last_activity = ? WHERE session_id = ?`,
	stmtTouchSlide:   `UPDATE sessions SET last_activity = ?, expires_at = ? WHERE session_id = ?`,
	stmtDeleteToken:  `DELETE FROM sessions WHERE session_id = ?`,
	stmtActiveWindow: activeWindowSQL,
	stmtActiveAll:    `SELECT count(*) FROM sessions WHERE expires_at IS NULL OR datetime(expires_at) > datetime(?1)`,
}

// activeWindowSQL is the original's count with 'now' bound as ?1 and the
// window's lower edge as ?2.
const activeWindowSQL = `SELECT count(*) FROM sessions
WHERE (expires_at IS NULL OR datetime(expires_at) > datetime(?1))
  AND datetime(last_activity) >= datetime(?2)`

type statements struct {
	list [stmtCount]*sql.Stmt
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
	if tx, ok := q.(*sql.Tx); ok {
		return tx.StmtContext(ctx, s)
	}
	return s
}

func (st *statements) row(ctx context.Context, q Querier, id int, args ...any) *sql.Row {
	return st.pick(ctx, q, id).QueryRowContext(ctx, args...)
}

func (st *statements) exec(ctx context.Context, q Querier, id int, args ...any) (sql.Result, error) {
	return st.pick(ctx, q, id).ExecContext(ctx, args...)
}
