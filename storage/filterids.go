package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// A filter on a busy file scans the accounts, the characters and the
// sessions (filterhints.go), and on a rollback-journal file two halves of
// that work can be read at once on two connections of one snapshot
// (pairread.go). The halves are cut by work, not by table: the first takes
// the accounts from a split point of their ids up, and the sessions from
// theirs; the second the accounts and the sessions below those points, the
// characters and the worlds. On the shape a login flood leaves (about one
// account per session) the accounts alone are half the work, so the first
// half is the accounts and the second everything else, and neither tests a
// bound on any row; where the accounts are few (a bot swarm of a few
// accounts' sessions), the sessions are cut to even the halves, and where
// they are most of the work, the accounts are. A session may match in both
// halves (by its account in one, its character in the other), so the
// halves' ids are merged without repeats. Any split point is exact, since
// the two sides cover every id; where it sits only balances the work.

// idSpan is the part of a table's ids one half of a filter reads.
type idSpan struct {
	kind spanKind
	at   int64 // the split point of spanFrom and spanBelow
}

type spanKind uint8

const (
	spanNone  spanKind = iota
	spanAll            // every id
	spanFrom           // id >= at: a seek, then the rest of the table
	spanBelow          // id < at: SQLite tests the bound on every row
)

// idHalf is one half of a filter's scans, or with every span whole
// (wholeFilter) the filter on one connection.
type idHalf struct {
	users, sessions idSpan
	// others is the characters and the world arm: they are read whole, by
	// one half. The characters' names come from the narrow UNIQUE(world_id,
	// name) index, which no id range can cut short, and the world arm
	// seeks rather than scans.
	others bool
}

// String is the half as tests and notes name it.
func (h *idHalf) String() string {
	return fmt.Sprintf("users %v, sessions %v, others %v", h.users, h.sessions, h.others)
}

// String is the span as a bound: all, none, >= at or < at.
func (sp idSpan) String() string {
	switch sp.kind {
	case spanAll:
		return "all"
	case spanFrom:
		return fmt.Sprintf(">= %d", sp.at)
	case spanBelow:
		return fmt.Sprintf("< %d", sp.at)
	}
	return "none"
}

// wholeFilter reads every table: the filter on one connection.
var wholeFilter = &idHalf{users: idSpan{kind: spanAll}, sessions: idSpan{kind: spanAll}, others: true}

// filterIDs returns the ids of the sessions filter matches, in q.
func (s *Store) filterIDs(ctx context.Context, q Querier, filter string, worlds []any) ([]int64, error) {
	hints := s.hints.Load()
	if q != Querier(s.db) { // see pairIn
		if first, second, ok, err := s.filterHalves(ctx, q); err != nil {
			return nil, err
		} else if ok {
			half := func(h *idHalf) func(Querier) ([]int64, error) {
				query, args := filterIDsSQL(filter, hints, worlds, h)
				return func(q Querier) ([]int64, error) { return scanIDs(ctx, q, query, args...) }
			}
			a, b, ok, err := pairIn(ctx, s, q, half(first), half(second))
			if err != nil {
				return nil, err
			}
			if ok {
				return sortedUnique(append(a, b...)), nil
			}
		}
	}
	query, args := filterIDsSQL(filter, hints, worlds, wholeFilter)
	ids, err := scanIDs(ctx, q, query, args...)
	return sortedUnique(ids), err
}

// sortedUnique sorts ids and drops the repeats of a session matched by
// more than one arm (filterIDsSQL's UNION ALL) or in both halves.
func sortedUnique(ids []int64) []int64 {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Relative costs of testing one row of each table for a filter, as
// measured at 100k sessions in this SQLite: an account (a wide row, its
// name and its role) 17, a character (its name, off an index) 10, a
// session (its client type) 10. Variables, so that a test can move the
// cut to each table in turn.
var costUser, costCharacter, costSession float64 = 17, 10, 10

// filterHalves places the split points. ok is false when the store does
// not pair or the sessions are too few to be worth a second connection
// (pairMinSpan).
func (s *Store) filterHalves(ctx context.Context, q Querier) (first, second *idHalf, ok bool, err error) {
	if !s.pairable() {
		return nil, nil, false, nil
	}
	var b [6]sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM users), (SELECT max(id) FROM users),
 (SELECT min(id) FROM sessions), (SELECT max(id) FROM sessions),
 (SELECT min(id) FROM characters), (SELECT max(id) FROM characters)`).Scan(&b[0], &b[1], &b[2], &b[3], &b[4], &b[5])
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
	first, second = splitFilter(b[0], b[1], b[2], b[3], b[4], b[5])
	return first, second, true, nil
}

// splitFilter cuts a filter's work in two halves of about equal cost, the
// tables' rows estimated by their id spans (the bounds min and max of the
// accounts, the sessions and the characters; NULL for an empty table).
// The estimates are floats: a foreign file's ids may span more than an
// int64 holds.
func splitFilter(uMin, uMax, sMin, sMax, cMin, cMax sql.NullInt64) (first, second *idHalf) {
	rows := func(lo, hi sql.NullInt64) float64 {
		if !lo.Valid || !hi.Valid {
			return 0
		}
		return float64(hi.Int64) - float64(lo.Int64) + 1
	}
	u := rows(uMin, uMax) * costUser
	half := (u + rows(sMin, sMax)*costSession + rows(cMin, cMax)*costCharacter) / 2
	first, second = &idHalf{}, &idHalf{others: true}
	// cut gives the first half n rows' worth of a table's ids, the second
	// the rest: the smaller part is the one below the split point, the
	// part whose every row SQLite tests against it.
	cut := func(f, s *idSpan, lo, hi sql.NullInt64, perRow, want float64) {
		n, all := want/perRow, rows(lo, hi)
		switch {
		case n < 1 || all == 0:
			s.kind = spanAll
		case n >= all:
			f.kind = spanAll
		case 2*n < all:
			at := splitAt(lo.Int64, n)
			*f, *s = idSpan{kind: spanBelow, at: at}, idSpan{kind: spanFrom, at: at}
		default:
			at := splitAt(lo.Int64, all-n)
			*f, *s = idSpan{kind: spanFrom, at: at}, idSpan{kind: spanBelow, at: at}
		}
	}
	if u >= half {
		cut(&first.users, &second.users, uMin, uMax, costUser, half)
		second.sessions.kind = spanAll
		return first, second
	}
	first.users.kind = spanAll
	cut(&first.sessions, &second.sessions, sMin, sMax, costSession, half-u)
	return first, second
}

// splitAt is the id n rows above a table's lowest, lo: for 0 < n below
// the table's span, an id inside it. The two spans it cuts cover every id
// whatever it is, so a float's rounding (or the cap that keeps the
// conversion defined) costs balance, never exactness.
func splitAt(lo int64, n float64) int64 {
	return lo + int64(min(n, 1<<62))
}
