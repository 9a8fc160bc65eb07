package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The orders a page can be read in without sorting the table: each walks
// one of the original's indexes (or the username and (world_id, name)
// UNIQUE ones) so that a page costs about its own rows, and says when it
// does not apply, for ListSessions to run the plain ORDER BY. Every one is
// held to that ORDER BY over the whole join by TestFastPathListMatchesSQL.

// userByName orders by account name without sorting the table: the
// accounts in name order (the original's UNIQUE username index), each
// one's sessions in id order (idx_sessions_user_id), so a page costs its
// own rows. The plain LEFT JOIN differs from that walk only by the sessions
// no account matches, whose name reads as NULL and sorts first ascending,
// last descending, tied with any account whose name is NULL. ok is false
// when such rows could be on the page: ascending, when there are any;
// descending, when the walk runs out before the page is full. *unmatched
// is their number, counted here when negative (the view cache keeps it for
// an unchanged file).
func userByName(ctx context.Context, q Querier, lq ListQuery, unmatched *int) ([]int64, bool, error) {
	var nullNames bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE username IS NULL)`).Scan(&nullNames); err != nil {
		return nil, false, wrap("list sessions", err)
	}
	if nullNames {
		return nil, false, nil
	}
	if !lq.Desc {
		if *unmatched < 0 {
			var err error
			if *unmatched, err = unmatchedSessions(ctx, q); err != nil {
				return nil, false, err
			}
		}
		if *unmatched > 0 {
			return nil, false, nil
		}
	}
	// CROSS JOIN keeps the accounts as the outer loop, the one that walks
	// in name order.
	ids, err := scanIDs(ctx, q, `SELECT s.id FROM users u CROSS JOIN sessions s ON s.user_id = u.id ORDER BY `+
		sortOrder(lq)+`, s.id LIMIT ?1 OFFSET ?2`, lq.Limit, lq.Offset)
	if err != nil {
		return nil, false, err
	}
	if lq.Desc && len(ids) < lq.Limit {
		return nil, false, nil
	}
	return ids, true, nil
}

// unmatchedSessions counts the sessions no account matches in the join
// u.id = s.user_id (a NULL key included).
func unmatchedSessions(ctx context.Context, q Querier) (int, error) {
	return unmatchedKeys(ctx, q, "users", "user_id", true)
}

// unmatchedSessionsIn is unmatchedSessions as one half of a paired read.
func unmatchedSessionsIn(ctx context.Context) func(Querier) (int, error) {
	return func(q Querier) (int, error) { return unmatchedSessions(ctx, q) }
}

// unmatchedKeys counts the sessions whose key col (a constant of this
// file, indexed on sessions) matches no row of table in the join
// t.id = s.col; NULL keys count only when nulls is set. When table's ids
// are one unbroken run (no row ever deleted: the original tombstones
// accounts), a key misses exactly when it is outside the run or not an
// integer (a real such as 5.5, or text or a blob, which sort above every
// number): a few seeks of col's index and one walk of the run's part of
// it, in which a single real turns sum() real. Otherwise it is NOT IN, the
// join's own test, which probes table once per session (12 ms at 100k,
// three times the run check).
func unmatchedKeys(ctx context.Context, q Querier, table, col string, nulls bool) (int, error) {
	var rows int64
	var lo, hi sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM `+table+`), (SELECT min(id) FROM `+table+`), (SELECT max(id) FROM `+table+`)`).Scan(&rows, &lo, &hi); err != nil {
		return 0, wrap("list sessions", err)
	}
	nullCount := "0"
	nullTest := col + " IS NOT NULL AND "
	if nulls {
		nullCount = `(SELECT count(*) FROM sessions WHERE ` + col + ` IS NULL)`
		nullTest = col + " IS NULL OR "
	}
	if rows > 0 && lo.Valid && hi.Valid && hi.Int64-lo.Int64+1 == rows {
		var outside int
		var kind sql.NullString
		err := q.QueryRowContext(ctx, `SELECT `+nullCount+` + (SELECT count(*) FROM sessions WHERE `+col+` < ?1)
 + (SELECT count(*) FROM sessions WHERE `+col+` > ?2), (SELECT typeof(sum(`+col+`)) FROM sessions WHERE `+col+` BETWEEN ?1 AND ?2)`, lo.Int64, hi.Int64).Scan(&outside, &kind)
		// An integer overflow in sum() is an error: the general test then
		// decides.
		if err == nil && (kind.String == "integer" || kind.String == "null") {
			return outside, nil
		}
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE `+nullTest+col+` NOT IN (SELECT id FROM `+table+`)`).Scan(&n)
	return n, wrap("list sessions", err)
}

// roleFirstGroup answers a page that lies within the first role of the
// order, without sorting the join. No index holds users.role, so the
// first role (min ascending, max descending) costs one pass over the
// accounts; its sessions in id order are then a walk of the sessions table
// that stops at the end of the page, short unless the role is rare. The
// plain LEFT JOIN reads a session without an account, or an account
// without a role, as a NULL role, which sorts first ascending: ok is false
// when there are any and the page is ascending, and whenever the first
// role's sessions end before the page does.
func (s *Store) roleFirstGroup(ctx context.Context, q Querier, lq ListQuery) ([]int64, bool, error) {
	edge := "max"
	if !lq.Desc {
		edge = "min"
	}
	// Accounts without a role sort first ascending, with the sessions
	// without an account. The original declares users.role NOT NULL, so
	// SQLite has refused every NULL there and counting them (a sixth of
	// the pass over the accounts) is needed only on a schema that does not.
	nulls := "0"
	if !lq.Desc {
		var notNull bool
		if err := q.QueryRowContext(ctx, `SELECT coalesce((SELECT "notnull" FROM pragma_table_info('users') WHERE name = 'role'), 0)`).Scan(&notNull); err != nil {
			return nil, false, wrap("list sessions", err)
		}
		if !notNull {
			nulls = "count(*) - count(role)"
		}
	}
	var role any
	var nullRoles int
	accounts := func(q Querier) (int, error) {
		err := q.QueryRowContext(ctx, `SELECT `+edge+`(role), `+nulls+` FROM users`).Scan(&role, &nullRoles)
		return 0, wrap("list sessions", err)
	}
	unmatched := 0
	if lq.Desc {
		if _, err := accounts(q); err != nil {
			return nil, false, err
		}
	} else {
		// Ascending needs both passes, the accounts' and the sessions'
		// keys, and neither needs the other: on a busy rollback file they
		// run at once on two connections of one snapshot (pairread.go).
		// accounts alone writes role and nullRoles, and only in q.
		var err error
		var paired, big bool
		if big, err = s.pairWorth(ctx, q, "users"); err != nil {
			return nil, false, err
		}
		if big {
			if _, unmatched, paired, err = pairIn(ctx, s, q, accounts, unmatchedSessionsIn(ctx)); err != nil {
				return nil, false, err
			}
		}
		if !paired {
			if _, err := accounts(q); err != nil {
				return nil, false, err
			}
			if unmatched, err = unmatchedSessions(ctx, q); err != nil {
				return nil, false, err
			}
		}
	}
	if role == nil || nullRoles > 0 || unmatched > 0 {
		return nil, false, nil
	}
	// CROSS JOIN keeps the sessions as the outer loop, in id order, so the
	// walk stops at the page's last row.
	ids, err := scanIDs(ctx, q, `SELECT s.id FROM sessions s CROSS JOIN users u ON u.id = s.user_id WHERE u.role = ?1
 ORDER BY s.id LIMIT ?2 OFFSET ?3`, role, lq.Limit, lq.Offset)
	if err != nil || len(ids) < lq.Limit {
		return nil, false, err
	}
	return ids, true, nil
}

// characterByName orders by character name without sorting the table.
// Names are unique per world only: the original's UNIQUE(world_id, name)
// index is in name order within each world, so each world's first
// characters by name, joined to their sessions (idx_sessions_character_id,
// id order), merged, are the named part of the order, as idleByWorld merges
// by activity. The rest of the plain LEFT JOIN reads as a NULL name and
// sorts first ascending, last descending: the sessions without a
// character, which idx_sessions_character_id holds in id order, and, tied
// with them, sessions whose character is gone or has no name. ok is false
// when those could be on the page out of id order (any such session when
// ascending; descending, when the named part ends on the page), or when
// the merge does not apply.
func characterByName(ctx context.Context, q Querier, lq ListQuery) ([]int64, bool, error) {
	worlds, ok, err := worldsOf(ctx, q, "characters")
	if err != nil || !ok {
		return nil, false, err
	}
	var nullNames int
	countNull := "SELECT " + armsSQL(worlds, `(SELECT count(*) FROM characters WHERE %s AND name IS NULL)`, " + ", "world_id", 1)
	if err := q.QueryRowContext(ctx, countNull, armArgs(worlds)...).Scan(&nullNames); err != nil {
		return nil, false, wrap("list sessions", err)
	}
	if nullNames > 0 {
		return nil, false, nil
	}
	named := func(offset, limit int) ([]int64, error) {
		dir := "ASC"
		if lq.Desc {
			dir = "DESC"
		}
		arm := `SELECT * FROM (SELECT s.id, c.name FROM characters c CROSS JOIN sessions s ON s.character_id = c.id
 WHERE %s ORDER BY c.name ` + dir + `, s.id LIMIT ?1)`
		args := append([]any{offset + limit}, armArgs(worlds)...)
		args = append(args, limit, offset)
		query := armsSQL(worlds, arm, " UNION ALL ", "c.world_id", 2) +
			fmt.Sprintf(` ORDER BY 2 %s, 1 LIMIT ?%d OFFSET ?%d`, dir, len(args)-1, len(args))
		return scanIDs(ctx, q, query, args...)
	}
	if lq.Desc {
		ids, err := named(lq.Offset, lq.Limit)
		if err != nil || len(ids) < lq.Limit {
			return nil, false, err
		}
		return ids, true, nil
	}
	var unmatched, without int
	unmatched, err = unmatchedKeys(ctx, q, "characters", "character_id", false)
	if err != nil {
		return nil, false, err
	}
	if unmatched > 0 {
		return nil, false, nil
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE character_id IS NULL`).Scan(&without); err != nil {
		return nil, false, wrap("list sessions", err)
	}
	var ids []int64
	if lq.Offset < without {
		if ids, err = scanIDs(ctx, q, `SELECT id FROM sessions WHERE character_id IS NULL ORDER BY id LIMIT ?1 OFFSET ?2`, lq.Limit, lq.Offset); err != nil {
			return nil, false, err
		}
	}
	if rest := lq.Limit - len(ids); rest > 0 {
		more, err := named(max(0, lq.Offset-without), rest)
		if err != nil {
			return nil, false, err
		}
		ids = append(ids, more...)
	}
	return ids, true, nil
}

// worldsOf lists table's distinct world ids through its index on
// world_id, NULL first, one seek each; ok is false past maxWorldArms.
// table is a constant of this file.
func worldsOf(ctx context.Context, q Querier, table string) ([]any, bool, error) {
	worlds := []any{nil}
	var prev any
	for {
		var w any
		var err error
		if prev == nil {
			err = q.QueryRowContext(ctx, `SELECT min(world_id) FROM `+table).Scan(&w)
		} else {
			err = q.QueryRowContext(ctx, `SELECT min(world_id) FROM `+table+` WHERE world_id > ?`, prev).Scan(&w)
		}
		if err != nil {
			return nil, false, wrap("list sessions", err)
		}
		if w == nil {
			return worlds, true, nil
		}
		if len(worlds) > maxWorldArms {
			return nil, false, nil
		}
		worlds = append(worlds, w)
		prev = w
	}
}

// armsSQL joins one copy of arm per world with sep, each with its world
// condition on col in place of its %s: col IS NULL, or col = ?N with the
// non-NULL worlds numbered from first, as armArgs lists them.
func armsSQL(worlds []any, arm, sep, col string, first int) string {
	var b strings.Builder
	n := first
	for i, w := range worlds {
		if i > 0 {
			b.WriteString(sep)
		}
		cond := col + " IS NULL"
		if w != nil {
			cond = fmt.Sprintf("%s = ?%d", col, n)
			n++
		}
		fmt.Fprintf(&b, arm, cond)
	}
	return b.String()
}

// armArgs are the non-NULL world ids, in armsSQL's numbering.
func armArgs(worlds []any) []any {
	var args []any
	for _, w := range worlds {
		if w != nil {
			args = append(args, w)
		}
	}
	return args
}

// maxWorldArms bounds the per-world merge below; past it, one ordered scan
// is as cheap.
const maxWorldArms = 64

// idleByWorld orders by last activity without sorting the table: the
// original's idx_sessions_world_last_activity(world_id, last_activity DESC)
// is in that order within each world, so the first offset+limit entries of
// each world (NULL included), merged, are the page. Ties fall to rowid order
// inside the index as in the ORDER BY. ok is false when the merge does not
// apply (too many worlds, or the index is missing).
func idleByWorld(ctx context.Context, q Querier, lq ListQuery) ([]int64, bool, error) {
	worlds, ok, err := worldsOf(ctx, q, "sessions")
	if err != nil || !ok {
		return nil, false, err
	}
	// Reversed, the oldest activity comes first; ties stay in rowid order,
	// as flip() leaves the ", s.id" of the plain query alone.
	dir, tie := "DESC", "ASC"
	if lq.Desc {
		dir = "ASC"
	}
	arm := `SELECT * FROM (SELECT id, last_activity FROM sessions INDEXED BY idx_sessions_world_last_activity
 WHERE %s ORDER BY last_activity ` + dir + `, id ` + tie + ` LIMIT ?1)`
	args := append([]any{lq.Offset + lq.Limit}, armArgs(worlds)...)
	args = append(args, lq.Limit, lq.Offset)
	query := armsSQL(worlds, arm, " UNION ALL ", "world_id", 2) +
		fmt.Sprintf(` ORDER BY 2 %s, 1 %s LIMIT ?%d OFFSET ?%d`, dir, tie, len(args)-1, len(args))
	ids, err := scanIDs(ctx, q, query, args...)
	if err != nil {
		if strings.Contains(err.Error(), "no such index") {
			return nil, false, nil
		}
		return nil, false, err
	}
	return ids, true, nil
}
