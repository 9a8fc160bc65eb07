package storage

import (
	"context"
	"strings"
)

// The count indexes make get_active_session_count an index-only read on
// databases mudtop creates, whatever the file's churn. The original's schema
// has no index that gives the SQLite reading of last_activity in order, so on
// its own databases every count reads every row (see the README). Indexes are
// the one thing mudtop may add, and only to files it created: on a foreign
// database Open never adds them.
//
// The count is split in parts, each a covering index range scan:
//
//	A = rows whose datetime(last_activity) is inside the window
//	B = rows of A whose expires_at is set but not after now
//	W = rows holding 'now' or 'subsec' in either column (below), read as
//	    the original reads them
//
// and the answer is A - B + W. B's rows all have a gap between expiry and
// activity of at most the window (expiry <= now and activity >= now-window),
// or an expires_at SQLite cannot read, so the second index is ordered by that
// gap (unreadable expiries sort first) and B reads only the few rows with a
// gap that small. Sliding sessions carry a gap of the TTL, hours, and are
// never read by B.
//
// SQLite allows datetime() and strftime() in an index (3.20 and later) but
// fails the write when one of them is asked for the wall clock: a stored
// 'now', 'subsec' or 'subsecond' in either column. The original's schema
// accepts such a write, so the indexed expressions never read a value whose
// first letter is n or s (no date starts with one; the original reads all
// others as NULL anyway), and a third, partial index holds just those rows
// (normally none) for W. The original server keeps writing the file exactly
// as before, and every count equals its own query (countindex_test.go).
const (
	activityIndex = "mudtop_sessions_activity"
	gapIndex      = "mudtop_sessions_expiry_gap"
	wallIndex     = "mudtop_sessions_wallclock"
)

// wallclock is true for a value SQLite's date functions might read as the
// current time. lower() also turns a blob into text.
func wallclock(col string) string {
	return `lower(substr(` + col + `, 1, 1)) IN ('n', 's')`
}

// guarded wraps a date function of col so that it never runs on a value it
// might read as the wall clock.
func guarded(col, fn string) string {
	return `(CASE WHEN ` + wallclock(col) + ` THEN NULL ELSE ` + strings.ReplaceAll(fn, "$", col) + ` END)`
}

var (
	activityExpr = guarded("last_activity", "datetime($)")
	expiryExpr   = guarded("expires_at", "datetime($)")
	// gapExpr is expires_at minus last_activity in whole seconds, as SQLite
	// reads both: NULL when expires_at is NULL (never expires, so never in
	// B), and the smallest integer when either side cannot be read, so such
	// rows sort first.
	gapExpr = `(CASE WHEN expires_at IS NULL THEN NULL ELSE coalesce(` +
		guarded("expires_at", "CAST(strftime('%s', $) AS INTEGER)") + ` - ` +
		guarded("last_activity", "CAST(strftime('%s', $) AS INTEGER)") +
		`, -9223372036854775807) END)`
	wallExpr = `(` + wallclock("last_activity") + ` OR ` + wallclock("expires_at") + `)`
)

// countIndexSQL creates the three indexes; Create runs it.
//
// The activity index is partial (rows whose last_activity SQLite can read) for the sake of
// every other count: SQLite counts all rows of a table through its
// narrowest index, guesses an expression column one byte wide, breaks the
// tie with the original's idx_sessions_character_id by taking the newer
// index, and then reads fifteen times the pages (1.2 ms instead of 0.08 at
// 100k, each monitor tick). It never counts through a partial index. Query A
// states the index's condition so that the planner may use it.
var countIndexSQL = []string{
	`CREATE INDEX IF NOT EXISTS ` + activityIndex + ` ON sessions(` + activityExpr + `) WHERE ` + activityExpr + ` IS NOT NULL`,
	`CREATE INDEX IF NOT EXISTS ` + gapIndex + ` ON sessions(` + gapExpr + `, ` + activityExpr + `, ` + expiryExpr + `)`,
	`CREATE INDEX IF NOT EXISTS ` + wallIndex + ` ON sessions(last_activity, expires_at) WHERE ` + wallExpr,
}

// activeIndexedSQL is A - B + W. ?1 is now, ?2 now minus the window (both in
// SQLite's canonical text, which datetime() leaves as is) and ?3 the seconds
// between the two. Every expression matches an index column, so all three
// scans are covering. The equality with the original's query does not
// depend on the indexes, only its speed does.
var activeIndexedSQL = `SELECT
 (SELECT count(*) FROM sessions WHERE ` + activityExpr + ` IS NOT NULL AND ` + activityExpr + ` >= ?2)
 - (SELECT count(*) FROM sessions WHERE ` + gapExpr + ` <= ?3
      AND ` + activityExpr + ` >= ?2
      AND (` + expiryExpr + ` > ?1) IS NOT TRUE)
 + (SELECT count(*) FROM sessions WHERE ` + wallExpr + `
      AND (expires_at IS NULL OR datetime(expires_at) > datetime(?1))
      AND datetime(last_activity) >= datetime(?2))`

// hasCountIndexes reports whether all three count indexes are in the file.
func hasCountIndexes(ctx context.Context, q Querier) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN (?, ?, ?)`,
		activityIndex, gapIndex, wallIndex).Scan(&n)
	if err != nil {
		return false, wrap("read schema", err)
	}
	return n == 3, nil
}
