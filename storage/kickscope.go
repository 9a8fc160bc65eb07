package storage

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// ScopeQuery is a predicate over sessions, for a kick by scope. Every set
// field must hold; an empty query matches nothing (the caller refuses it
// before asking).
type ScopeQuery struct {
	// Filter is the monitor's filter, matched exactly as ListSessions
	// matches it (the same SQL), so a kick removes what the filter shows.
	Filter string
	// World and Client match world_id and client_type, case-insensitively.
	World, Client string
	// Role matches the user's role lowercased (as the server reads it).
	Role string
	// IdleBefore, when set, matches sessions whose last activity SQLite
	// reads as before it (an unreadable last_activity never matches).
	IdleBefore time.Time
}

// Empty reports whether q names no condition at all.
func (q ScopeQuery) Empty() bool {
	return q.Filter == "" && q.World == "" && q.Client == "" && q.Role == "" && q.IdleBefore.IsZero()
}

// ScopeRow is one session a scope matched: enough to judge the rank rule
// and to remove exactly this session.
type ScopeRow struct {
	RowID     int64
	SessionID string
	UserID    int64
	UserFound bool
	Username  string
	Role      string
}

// ScopeSessions returns every session matching sq, in row id order. It is
// one statement: inside a write transaction, the set it returns is the set
// that exists at that moment.
func (s *Store) ScopeSessions(ctx context.Context, q Querier, sq ScopeQuery) ([]ScopeRow, error) {
	if sq.Empty() {
		return nil, nil
	}
	var conds []string
	var args []any
	if sq.Filter != "" {
		// filterWhere is list.go's " WHERE (...)" over ?1.
		conds = append(conds, strings.TrimPrefix(filterWhere, " WHERE "))
		args = append(args, strings.ToLower(sq.Filter))
	}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "?"+strconv.Itoa(len(args))))
	}
	if sq.World != "" {
		add(`lower(coalesce(CAST(s.world_id AS TEXT), '')) = lower(?)`, sq.World)
	}
	if sq.Client != "" {
		add(`lower(coalesce(CAST(s.client_type AS TEXT), '')) = lower(?)`, sq.Client)
	}
	if sq.Role != "" {
		add(`lower(coalesce(u.role, '')) = lower(?)`, sq.Role)
	}
	if !sq.IdleBefore.IsZero() {
		add(`datetime(s.last_activity) < ?`, FormatTime(sq.IdleBefore))
	}
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.session_id, s.user_id, u.id IS NOT NULL,
 coalesce(u.username, ''), coalesce(u.role, '')`+listFrom+` WHERE `+strings.Join(conds, " AND ")+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, wrap("read scope", err)
	}
	defer rows.Close()
	var out []ScopeRow
	for rows.Next() {
		var r ScopeRow
		if err := rows.Scan(&r.RowID, &r.SessionID, &r.UserID, &r.UserFound, &r.Username, &r.Role); err != nil {
			return nil, wrap("read scope", err)
		}
		out = append(out, r)
	}
	return out, wrap("read scope", rows.Err())
}
