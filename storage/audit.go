package storage

import (
	"context"
	"time"
)

// AuditEntry is one guarded action as recorded in mudtop's audit table.
// Target holds names and at most a short prefix of a session id, never a
// whole id: ids are bearer credentials.
type AuditEntry struct {
	ID        int64
	At        string
	Actor     string
	ActorRole string
	Action    string
	Target    string
	Result    string
	Removed   int
	Reason    string
	// Origin says where the action came from when not from a local
	// terminal: "ssh 203.0.113.9:50122 publickey SHA256:…".
	Origin string
}

// WriteAudit appends an audit row inside the caller's transaction. On a
// database without the audit table (read-only and foreign) it does nothing:
// such a database cannot take the action being audited anyway.
func (s *Store) WriteAudit(ctx context.Context, q Querier, at time.Time, e AuditEntry) error {
	if !s.hasAudit {
		return nil
	}
	if !s.hasOrigin {
		return ErrReadOnly // only a read-only file keeps the old table
	}
	_, err := q.ExecContext(ctx, `INSERT INTO `+AuditTable+`
		(at, actor, actor_role, action, target, result, removed, reason, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		FormatTime(at), e.Actor, e.ActorRole, e.Action, e.Target, e.Result, e.Removed, e.Reason, e.Origin)
	return wrap("write audit", err)
}

// RecentAudit returns the newest audit rows first.
func (s *Store) RecentAudit(ctx context.Context, q Querier, limit int) ([]AuditEntry, error) {
	if !s.hasAudit {
		return nil, nil
	}
	origin := "''"
	if s.hasOrigin {
		origin = "origin"
	}
	rows, err := q.QueryContext(ctx, `SELECT id, at, actor, actor_role, action, target, result, removed, reason, `+origin+`
		FROM `+AuditTable+` ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, wrap("read audit", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.ActorRole, &e.Action, &e.Target, &e.Result, &e.Removed, &e.Reason, &e.Origin); err != nil {
			return nil, wrap("read audit", err)
		}
		out = append(out, e)
	}
	return out, wrap("read audit", rows.Err())
}
