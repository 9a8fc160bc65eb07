package storage

import (
	"context"
	"database/sql"
	"math"
	"slices"
)

// A filter on a busy file scans the accounts, the characters and the
// sessions (filterhints.go), and on a rollback-journal file the halves of
// each of those scans can be read at once on two connections of one
// snapshot (pairread.go). Each half takes one half of every table's ids
// and returns the sessions it matches; a session may match in both (by its
// account in one half, its character in the other), so the halves' ids are
// merged without repeats. Any split is exact, since the halves' ranges
// cover every id; the middle of each table's ids only balances the work.

// idHalf is one half's inclusive id range in each table the filter scans.
type idHalf struct {
	first                  bool // reads the world arm too (a seek, not a scan)
	users, chars, sessions [2]int64
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

// filterHalves splits each scanned table's ids at the middle of their
// span. ok is false when the store does not pair or the sessions are too
// few to be worth a second connection.
func (s *Store) filterHalves(ctx context.Context, q Querier) (lo, hi *idHalf, ok bool, err error) {
	if !s.pairable() {
		return nil, nil, false, nil
	}
	var b [6]sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM users), (SELECT max(id) FROM users),
 (SELECT min(id) FROM characters), (SELECT max(id) FROM characters),
 (SELECT min(id) FROM sessions), (SELECT max(id) FROM sessions)`).Scan(&b[0], &b[1], &b[2], &b[3], &b[4], &b[5])
	if err != nil {
		return nil, nil, false, wrap("list sessions", err)
	}
	if !b[4].Valid || b[5].Int64-b[4].Int64 < pairMinSpan {
		return nil, nil, false, nil
	}
	lo, hi = &idHalf{first: true}, &idHalf{}
	for i, r := range []struct{ lo, hi *[2]int64 }{{&lo.users, &hi.users}, {&lo.chars, &hi.chars}, {&lo.sessions, &hi.sessions}} {
		mid := int64(0) // an empty table: any split will do
		if b[2*i].Valid && b[2*i+1].Valid {
			mid = b[2*i].Int64 + (b[2*i+1].Int64-b[2*i].Int64)/2 + 1
		}
		*r.lo = [2]int64{math.MinInt64, mid - 1}
		*r.hi = [2]int64{mid, math.MaxInt64}
	}
	return lo, hi, true, nil
}
