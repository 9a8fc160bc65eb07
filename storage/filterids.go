package storage

import (
	"context"
	"database/sql"
	"slices"
)

// A filter on a busy file scans the accounts, the characters and the
// sessions (filterhints.go), and on a rollback-journal file two halves of
// that work can be read at once on two connections of one snapshot
// (pairread.go). Each half takes the accounts and the sessions on its side
// of a split point of their ids, one of them the characters too, and
// returns the sessions it matches; a session may match in both (by its
// account in one half, its character in the other), so the halves' ids
// are merged without repeats. Any split point is exact, since the two
// sides cover every id; where it sits only balances the work.

// idHalf is one half of a filter's scans: the ids of the accounts and of
// the sessions below their split points, with the world arm, or at and
// above them, with the characters.
type idHalf struct {
	high            bool
	users, sessions int64 // the split points
}

// filterIDs returns the ids of the sessions filter matches, in q.
func (s *Store) filterIDs(ctx context.Context, q Querier, filter string, worlds []any) ([]int64, error) {
	hints := s.hints.Load()
	if q != Querier(s.db) { // see pairIn
		if lo, hi, ok, err := s.filterHalves(ctx, q); err != nil {
			return nil, err
		} else if ok {
			half := func(h *idHalf) func(Querier) ([]int64, error) {
				query, args := filterIDsSQL(filter, hints, worlds, h)
				return func(q Querier) ([]int64, error) { return scanIDs(ctx, q, query, args...) }
			}
			a, b, ok, err := pairIn(ctx, s, q, half(lo), half(hi))
			if err != nil {
				return nil, err
			}
			if ok {
				ids := append(a, b...)
				slices.Sort(ids)
				return slices.Compact(ids), nil
			}
		}
	}
	query, args := filterIDsSQL(filter, hints, worlds, nil)
	return scanIDs(ctx, q, query, args...)
}

// filterHalves places the split points. The low half tests its bound on
// every row (a comparison costs this SQLite about as much as reading a
// quarter of a row) and the high half reads the characters too, so the
// splits sit past the middle of the ids' spans, where the two measured
// even at 100k. ok is false when the store does not pair or the sessions
// are too few to be worth a second connection (pairMinSpan).
func (s *Store) filterHalves(ctx context.Context, q Querier) (lo, hi *idHalf, ok bool, err error) {
	if !s.pairable() {
		return nil, nil, false, nil
	}
	var b [4]sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM users), (SELECT max(id) FROM users),
 (SELECT min(id) FROM sessions), (SELECT max(id) FROM sessions)`).Scan(&b[0], &b[1], &b[2], &b[3])
	if err != nil {
		return nil, nil, false, wrap("list sessions", err)
	}
	if !b[2].Valid || b[3].Int64-b[2].Int64 < pairMinSpan {
		return nil, nil, false, nil
	}
	if !b[0].Valid || b[1].Int64-b[0].Int64 < pairMinSpan {
		// Few accounts (the original never deletes one, so their ids are
		// about their number), and session ids that may only be sparse:
		// logins and logouts move them along. Count the sessions.
		var n int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&n); err != nil {
			return nil, nil, false, wrap("list sessions", err)
		}
		if n < pairMinSpan {
			return nil, nil, false, nil
		}
	}
	split := func(lo, hi sql.NullInt64) int64 {
		if !lo.Valid || !hi.Valid {
			return 0 // an empty table: any split will do
		}
		return lo.Int64 + (hi.Int64-lo.Int64)/16*lowSixteenths + 1
	}
	u, ss := split(b[0], b[1]), split(b[2], b[3])
	return &idHalf{users: u, sessions: ss}, &idHalf{high: true, users: u, sessions: ss}, true, nil
}

// lowSixteenths is where a filter's split points sit in the ids' spans.
const lowSixteenths = 10
