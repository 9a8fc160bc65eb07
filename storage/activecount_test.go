package storage_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// originalActive and originalUnexpired are the original's row tests.
const (
	originalActive    = `datetime(last_activity) >= datetime(?2)`
	originalUnexpired = `(expires_at IS NULL OR datetime(expires_at) > datetime(?1))`
)

// TestUnixepochComparesAsDatetime holds the count's unixepoch() row tests
// to the original's datetime() ones, value by value: every odd stored shape
// (in a column of the original's TIMESTAMP type and in one of no type, so
// that no conversion on insert hides a shape) at instants on, just before
// and just after each bound, with NULL kept apart from false.
func TestUnixepochComparesAsDatetime(t *testing.T) {
	db := storagetest.Raw(t, t.TempDir()+"/t.db", false)
	storagetest.Exec(t, db, `CREATE TABLE typed (last_activity TIMESTAMP, expires_at TIMESTAMP)`)
	storagetest.Exec(t, db, `CREATE TABLE untyped (last_activity, expires_at)`)
	base := time.Date(2031, 3, 1, 0, 20, 0, 0, time.UTC)
	var bounds []string
	for _, off := range []time.Duration{-time.Second, 0, time.Second, 500 * time.Millisecond} {
		at := base.Add(off)
		bounds = append(bounds, storage.FormatTime(at))
		for _, v := range oddTimes(at) {
			for _, table := range []string{"typed", "untyped"} {
				storagetest.Exec(t, db, `INSERT INTO `+table+` VALUES (?, ?)`, v, v)
			}
		}
	}
	for i := -100; i <= 100; i++ {
		v := storage.FormatTime(base.Add(time.Duration(i) * 7 * time.Minute))
		storagetest.Exec(t, db, `INSERT INTO typed VALUES (?, ?)`, v, v)
	}
	// The wall clock's own second, for the stored 'now' and 'subsec'.
	bounds = append(bounds, storage.FormatTime(time.Now()))
	pairs := [][2]string{{originalActive, storage.ActiveCond}, {originalUnexpired, storage.UnexpiredCond}}
	for _, table := range []string{"typed", "untyped"} {
		for _, b := range bounds {
			for _, p := range pairs {
				q := fmt.Sprintf(`SELECT count(*), coalesce(max(CASE WHEN (%s) IS NOT (%s) THEN quote(last_activity) END), '') FROM %s`, p[0], p[1], table)
				var n int
				var bad string
				if err := db.QueryRow(q, b, b).Scan(&n, &bad); err != nil {
					t.Fatal(err)
				}
				if bad != "" {
					t.Errorf("%s at %s: %s and %s differ on %s", table, b, p[0], p[1], bad)
				}
			}
		}
	}
	subsecTie(t, db)
}

// subsecTie runs the expiry test on a stored 'subsec' against the wall
// clock's own second until SQLite's clock has been seen on a whole second
// (ms .000), the instant at which datetime()'s text is greater than the
// bound and unixepoch()'s real is equal to it. Each statement reads the
// clock once, so the value and the bound are of the same instant.
func subsecTie(t *testing.T, db *sql.DB) {
	t.Helper()
	q := fmt.Sprintf(`SELECT strftime('%%f', 'now') LIKE '%%.000', (%s) IS NOT (%s)
		FROM (SELECT 'subsec' AS expires_at), (SELECT datetime('now') AS b)`,
		strings.ReplaceAll(originalUnexpired, "?1", "b"), strings.ReplaceAll(storage.UnexpiredCond, "?1", "b"))
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var whole, differ bool
		if err := db.QueryRow(q).Scan(&whole, &differ); err != nil {
			t.Fatal(err)
		}
		if differ {
			t.Fatal("a stored 'subsec' at the bound's second: the count's expiry test differs from the original's")
		}
		if whole {
			return
		}
	}
	t.Fatal("SQLite's clock never read a whole second in 5 s of trying")
}
