package auth

import (
	"context"
	"time"

	"mudtop/storage"
)

// operator checks the monitor's operator inside a read transaction: the
// session valid by the original's rules, the account active, and p held. It
// never records activity (watching is not using the game) and never writes,
// so an expired operator session is refused but left for the server to
// remove.
func (s *Service) operator(ctx context.Context, q storage.Querier, token string, p Permission) (Identity, error) {
	if token == "" || len(token) > MaxTokenLength {
		return Identity{}, ErrInvalidSession
	}
	a, ok, err := s.store.SessionAuth(ctx, q, token)
	if err != nil {
		return Identity{}, err
	}
	typ, text := a.ExpiresType, a.ExpiresAt
	if pending, has := s.activity.pendingExpiry(token); has {
		typ, text = "text", pending
	}
	if !ok || judgeExpiry(typ, text, s.clock()) != verdictValid {
		return Identity{}, ErrInvalidSession
	}
	id, err := identity(a)
	if err != nil {
		return id, err
	}
	if !a.UserActive || a.Tombstoned {
		return id, ErrDeactivated
	}
	if !HasPermission(id.Role, p) {
		return id, Forbidden(p)
	}
	return id, nil
}

// CheckOperator answers whether token may watch the monitor (view_logs),
// without counting as activity.
func (s *Service) CheckOperator(ctx context.Context, token string) (Identity, error) {
	var id Identity
	err := s.store.Read(ctx, func(q storage.Querier) error {
		var err error
		id, err = s.operator(ctx, q, token, ViewLogs)
		return err
	})
	return id, storeErr("check operator", err)
}

// Snapshot is one monitor tick, read in one short read transaction: the
// operator check (view_logs, no activity), the header counts, one sorted and
// filtered page of sessions, and the selected row's detail.
func (s *Service) Snapshot(ctx context.Context, operatorToken string, lq ListQuery) (Snapshot, error) {
	now := s.clock()
	snap := Snapshot{Now: now, Settings: s.cfg, Offset: lq.Offset}
	// On the monitor's own connection, where the header counts and the
	// slow views are reused while the file has not changed
	// (storage/aggcache.go, storage/viewcache.go). A shared poll's viewers
	// read pages only: while the file is quiet, through that connection
	// too, one after another, each answered from memory in a millisecond
	// or two whatever its sort and filter; while it is busy, in parallel on
	// the pool, where one viewer's slow SQL does not hold up the others.
	read := s.store.ReadMonitor
	if lq.Share != nil && lq.PageOnly && !s.store.MonitorQuiet() {
		read = s.store.Read
	}
	err := read(ctx, func(q storage.Querier) error {
		op, err := s.operator(ctx, q, operatorToken, ViewLogs)
		if err != nil {
			return err
		}
		snap.Operator = op
		if lq.PageOnly {
			snap.CountsPending = true
			return s.page(ctx, q, op, operatorToken, lq, now, &snap)
		}
		if snap.Counts, err = s.counts(ctx, q, now); err != nil {
			return err
		}
		return s.page(ctx, q, op, operatorToken, lq, now, &snap)
	})
	return snap, storeErr("read sessions", err)
}

// counts reads the header counts on q.
func (s *Service) counts(ctx context.Context, q storage.Querier, now time.Time) (Counts, error) {
	s.countReads.Add(1)
	agg, err := s.store.Aggregate(ctx, q, now, s.cfg.ActiveWindow, ExpiringSoonWindow)
	if err != nil {
		return Counts{}, err
	}
	c := Counts{
		Sessions: agg.Total, Active: agg.Active, InWorld: agg.InWorld,
		ExpiringSoon: agg.ExpiringSoon, NeverExpires: agg.NeverExpires, Expired: agg.Expired,
		Idle:   max(agg.Total-agg.Active-agg.Expired, 0),
		ByRole: agg.ByRole, ByWorld: agg.ByWorld, ByClient: agg.ByClient,
		Issued: agg.Issued,
	}
	return c, nil
}

// Counts reads the header counts alone, in one short read transaction on
// the monitor's connection. It is the one read per tick that mudtop serve's
// shared poll makes for every viewer, so it checks no operator: each
// viewer's own page read (Snapshot with PageOnly) checks its operator.
func (s *Service) Counts(ctx context.Context) (Counts, time.Time, error) {
	now := s.clock()
	var c Counts
	err := s.store.ReadMonitor(ctx, func(q storage.Querier) error {
		var err error
		c, err = s.counts(ctx, q, now)
		return err
	})
	return c, now, storeErr("count sessions", err)
}

// CountReads is how many times the header counts have been read (by
// Snapshot or Counts) since the service started: the figure that shows a
// shared poll reads them once per tick, however many watch.
func (s *Service) CountReads() int64 { return s.countReads.Load() }

// page reads the sorted, filtered page and the selected row's detail into
// snap, inside the snapshot's transaction.
func (s *Service) page(ctx context.Context, q storage.Querier, op Identity, operatorToken string, lq ListQuery, now time.Time, snap *Snapshot) error {
	slq := storage.ListQuery{Filter: lq.Filter, Sort: lq.Sort, Desc: lq.Desc, Offset: lq.Offset, Limit: lq.Limit}
	var rows []storage.SessionRow
	var matching int
	var err error
	if lq.Share != nil {
		rows, matching, err = lq.Share.list(ctx, s, q, slq)
	} else {
		rows, matching, err = s.store.ListSessions(ctx, q, slq)
	}
	if err != nil {
		return err
	}
	snap.Matching = matching
	snap.Rows = make([]SessionInfo, len(rows))
	for i, r := range rows {
		snap.Rows[i] = s.info(r, operatorToken, now)
	}
	if lq.Selected != 0 {
		d, ok, err := s.detail(ctx, q, op, operatorToken, lq.Selected, now)
		if err != nil {
			return err
		}
		if ok {
			snap.Selected = &d
		}
	}
	return nil
}

// SessionDetail reads one session's detail for the operator.
func (s *Service) SessionDetail(ctx context.Context, operatorToken string, rowID int64) (Detail, bool, error) {
	var d Detail
	var ok bool
	err := s.store.Read(ctx, func(q storage.Querier) error {
		op, err := s.operator(ctx, q, operatorToken, ViewLogs)
		if err != nil {
			return err
		}
		d, ok, err = s.detail(ctx, q, op, operatorToken, rowID, s.clock())
		return err
	})
	return d, ok, storeErr("read session", err)
}

func (s *Service) detail(ctx context.Context, q storage.Querier, op Identity, opToken string, rowID int64, now time.Time) (Detail, bool, error) {
	r, ok, err := s.store.SessionByRowID(ctx, q, rowID)
	if err != nil || !ok {
		return Detail{}, ok, err
	}
	d := Detail{Session: s.info(r, opToken, now)}
	for _, p := range Permissions {
		if HasPermission(r.Role, p) {
			d.Holds = append(d.Holds, p)
		} else {
			d.Lacks = append(d.Lacks, p)
		}
	}
	if d.WorldGrants, err = s.store.WorldGrants(ctx, q, r.UserID); err != nil {
		return d, false, err
	}
	switch {
	case !HasPermission(op.Role, KickUsers):
		d.Why = Forbidden(KickUsers).Detail
	case r.SessionID != opToken && !(r.UserFound && r.UserID == op.UserID) && !CanManageRole(op.Role, r.Role):
		d.Why = Outranked(op.Role, r.Role).Detail
	default:
		d.CanKick = true
	}
	return d, true, nil
}

// RecentAudit returns the newest guarded actions, for an operator with
// view_logs.
func (s *Service) RecentAudit(ctx context.Context, operatorToken string, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.store.Read(ctx, func(q storage.Querier) error {
		if _, err := s.operator(ctx, q, operatorToken, ViewLogs); err != nil {
			return err
		}
		var err error
		out, err = s.store.RecentAudit(ctx, q, limit)
		return err
	})
	return out, storeErr("read audit", err)
}

// info turns a raw row into what the monitor shows, judging its state with
// the server's own settings.
func (s *Service) info(r storage.SessionRow, opToken string, now time.Time) SessionInfo {
	in := SessionInfo{
		Ref:    SessionRef{RowID: r.RowID, Token: r.SessionID},
		UserID: r.UserID, Username: r.Username, Role: r.Role,
		CharacterID: r.CharacterID, CharacterName: r.CharacterName,
		WorldID: r.WorldID, ClientType: r.ClientType,
		CreatedAt:    sqliteTime(r.CreatedAt),
		LastActivity: sqliteTime(r.LastActivity),
		RawExpires:   r.ExpiresAt,
		NeverExpires: r.ExpiresType == "null",
		InWorld:      r.CharacterID != 0,
		Own:          r.SessionID == opToken,
		UserActive:   r.UserActive,
		UserSessions: r.UserSessions,
	}
	if r.ExpiresType == "text" {
		in.ExpiresAt = sqliteTime(r.ExpiresAt)
	}
	in.State = s.state(r, in, now)
	in.Anomalies = s.anomalies(r, in, now)
	return in
}

func (s *Service) state(r storage.SessionRow, in SessionInfo, now time.Time) State {
	switch judgeExpiry(r.ExpiresType, r.ExpiresAt, now) {
	case verdictExpired, verdictBroken:
		return StateExpired
	}
	if !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(now.Add(ExpiringSoonWindow)) {
		return StateExpiringSoon
	}
	if s.cfg.ActiveWindow > 0 && (in.LastActivity.IsZero() || in.LastActivity.Before(now.Add(-s.cfg.ActiveWindow))) {
		return StateIdle
	}
	if in.NeverExpires {
		return StateNeverExpires
	}
	return StateActive
}

func (s *Service) anomalies(r storage.SessionRow, in SessionInfo, now time.Time) []Anomaly {
	var out []Anomaly
	add := func(cond bool, a Anomaly) {
		if cond {
			out = append(out, a)
		}
	}
	add(!r.UserFound, AnomalyMissingUser)
	add(!s.cfg.AllowMultipleSessions && r.UserSessions > 1, AnomalyMultiSession)
	add(r.CharacterSessions > 1, AnomalySharedCharacter)
	add(r.UserFound && !r.UserActive, AnomalyInactiveUser)
	add(r.Tombstoned, AnomalyTombstonedUser)
	add(r.UserFound && !IsKnownRole(r.Role), AnomalyUnknownRole)
	add(in.LastActivity.After(now.Add(time.Minute)), AnomalyFutureActivity)
	add(judgeExpiry(r.ExpiresType, r.ExpiresAt, now) == verdictBroken, AnomalyBadExpiry)
	return out
}
