package storage_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// benchSizes are the database sizes every storage benchmark runs at.
var benchSizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"100k", 100_000}}

// openGenerated opens a private copy of a generated database.
func openGenerated(b *testing.B, mode string, n int) (*storage.Store, *storagetest.Generated) {
	b.Helper()
	g := storagetest.Generate(b, mode, n)
	s, err := storage.Open(context.Background(), g.Copy(b), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s, g
}

// BenchmarkActiveSessionCount is get_active_session_count on the original's
// own database (rollback journal, none of mudtop's indexes), asked by a
// long-lived process once per "second" while the file is quiet: after the
// first two calls the answer comes from the count cache. The target is 5 ms
// at 100k; the original takes 31 ms.
func BenchmarkActiveSessionCount(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			benchActiveCount(b, storagetest.ModeRollback, size.n, false)
		})
	}
}

// BenchmarkActiveSessionCountBusy is the same count while another
// connection commits before every call (a game server validating): the
// cache never holds, and the original's query runs.
func BenchmarkActiveSessionCountBusy(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			benchActiveCount(b, storagetest.ModeRollback, size.n, true)
		})
	}
}

// BenchmarkActiveSessionCountCreated is the same count on a database mudtop
// created (WAL, mudtop's count indexes): an index-only read, no cache.
func BenchmarkActiveSessionCountCreated(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			benchActiveCount(b, storagetest.ModeWAL, size.n, false)
		})
	}
}

// BenchmarkActiveSessionCountCreatedBusy is that count while another
// connection renews a session (last_activity and the sliding expires_at,
// both indexed) before every call.
func BenchmarkActiveSessionCountCreatedBusy(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			benchActiveCount(b, storagetest.ModeWAL, size.n, true)
		})
	}
}

// BenchmarkActiveSessionCountFloor is the proof that the busy count on the
// original's own schema cannot reach 5 ms at 100k in this SQLite: the
// cheapest read that sees one timestamp of every row (a scan of the
// original's covering index idx_sessions_user_activity with a plain text
// comparison: no date parse, no second column, and the unary + so that the
// column's NUMERIC affinity is not applied to the bound text on every row,
// which alone costs more than the read), while another connection commits
// before every call as in ActiveSessionCountBusy. Any exact count reads at
// least that much, because no index of the original's schema orders rows
// by when SQLite reads them as active.
func BenchmarkActiveSessionCountFloor(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			s, g := openGenerated(b, storagetest.ModeRollback, size.n)
			raw := storagetest.Raw(b, s.Path(), true)
			lo := storage.FormatTime(g.Now.Add(-30 * time.Minute))
			var ds []time.Duration
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				storagetest.Exec(b, raw, `UPDATE sessions SET client_type = ? WHERE id = 1`, []string{"web", "tui"}[i%2])
				b.StartTimer()
				t0 := time.Now()
				var n int
				if err := s.DB().QueryRow(`SELECT count(*) FROM sessions INDEXED BY idx_sessions_user_activity WHERE +last_activity >= ?`, lo).Scan(&n); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
		})
	}
}

func benchActiveCount(b *testing.B, mode string, n int, busy bool) {
	s, g := openGenerated(b, mode, n)
	ctx := context.Background()
	raw := storagetest.Raw(b, s.Path(), true)
	want := -1
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if busy {
			b.StopTimer()
			at := g.Now.Add(time.Duration(i%3600) * time.Second)
			storagetest.Exec(b, raw, `UPDATE sessions SET last_activity = ?, expires_at = ? WHERE id = ?`,
				storage.FormatTime(at), storage.FormatTime(at.Add(8*time.Hour)), 1+i%n)
			b.StartTimer()
		}
		// A new second each call, as a health check polled once a second
		// would see: nothing may be reused from an earlier call's "now".
		now := g.Now.Add(time.Duration(i%3600) * time.Second)
		t0 := time.Now()
		got, err := s.ActiveCount(ctx, s.Q(), now, 30*time.Minute)
		ds = append(ds, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			want = got
		}
	}
	b.ReportMetric(float64(want), "active")
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(ds[(len(ds)-1)*99/100].Microseconds())/1000, "p99-ms")
}

// floorName is the busy filter's test of a name for "kari" (filterhints.go).
func floorName(col string) string {
	return `(CAST(` + col + ` AS TEXT) LIKE '%kari%' ESCAPE '\' OR (instr(` + col + `, char(0)) > 0 AND instr(lower(coalesce(` + col + `, '')), 'kari') > 0))`
}

// floorHinted is its test of a hinted column, every value of the file
// among the hints, none of which holds "kari".
func floorHinted(col string, values ...string) string {
	c := `CASE ` + col + ` COLLATE BINARY`
	for _, v := range values {
		c += ` WHEN '` + v + `' THEN 0`
	}
	return c + ` ELSE instr(lower(coalesce(CAST(` + col + ` AS TEXT), '')), 'kari') > 0 END`
}

// BenchmarkViewFloor is the proof that some of the monitor's views cannot
// reach 25 ms on a busy 100k file of the original's schema in this SQLite:
// the cheapest read that sees the one column each view must judge for every
// row, with no sort, no join and no output but one value, while another
// connection commits before every call (as MonitorTickViewsBusy does, so no
// cache of an earlier tick may answer). No index of the original's covers
// client_type or users.role, so a page sorted or filtered by either must
// read it off every row: the sort by client reads "client", the sort by
// role "role" (descending) or "role-asc" (ascending, which must also know
// whether any session has no account, whose NULL role sorts first: every
// session's account key, here only counted across the accounts' id range,
// not even tested for a real), a filter "filter" (each session's client type, each
// account's name and role, each character's name); the sort by expiry reads expires_at off every session ("expires",
// from the narrowest index that holds it). The sort by user has no floor
// here: the username index gives its order (list.go). "filter-paired" is
// the filter's floor when two connections read at once, as mudtop's busy
// filter does on a rollback file (storage/pairread.go): the accounts on one,
// the sessions' clients and the characters' names on the other, the two
// halves of its reads that came out closest; "filter-tested-paired" adds
// the cheapest exact test of every value it reads, the floor of a filter
// that must answer as instr(lower()) would.
func BenchmarkViewFloor(b *testing.B) {
	floors := []struct{ name, query, second string }{
		{"client", `SELECT max(client_type) FROM sessions`, ""},
		{"role", `SELECT max(role) FROM users`, ""},
		{"role-asc", `SELECT length((SELECT min(role) FROM users)) +
 (SELECT count(*) FROM sessions WHERE user_id BETWEEN (SELECT min(id) FROM users) AND (SELECT max(id) FROM users))`, ""},
		{"expires", `SELECT max(expires_at) FROM sessions INDEXED BY idx_sessions_user_activity`, ""},
		// A filter tests every session's client type, and every account's
		// name and role and every character's name for the substring.
		{"filter", `SELECT length((SELECT max(client_type) FROM sessions)) + (SELECT sum(length(username) + length(role)) FROM users) +
 (SELECT sum(length(name)) FROM characters)`, ""},
		{"filter-paired", `SELECT sum(length(username) + length(role)) FROM users`,
			`SELECT length((SELECT max(client_type) FROM sessions)) + (SELECT sum(length(name)) FROM characters)`},
		// The same reads with the cheapest exact test of each value for
		// "kari", counted, not collected: LIKE and the NUL check on the
		// names, and the roles and clients the file holds answered by a
		// CASE, as if the hints knew every value (filterhints.go).
		{"filter-tested-paired", `SELECT count(*) FROM users WHERE ` + floorName("username") + ` OR ` +
			floorHinted("role", "player", "worldbuilder", "admin", "superuser"),
			`SELECT (SELECT count(*) FROM sessions WHERE ` + floorHinted("client_type", "web", "tui", "mobile", "unknown", "cli") +
				`) + (SELECT count(*) FROM characters WHERE ` + floorName("name") + `)`},
	}
	for _, f := range floors {
		b.Run("100k/"+f.name, func(b *testing.B) {
			s, _ := openGenerated(b, storagetest.ModeRollback, 100_000)
			raw := storagetest.Raw(b, s.Path(), true)
			ctx := context.Background()
			conns := [2]*sql.Conn{}
			for i := range conns {
				c, err := s.DB().Conn(ctx)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				conns[i] = c
			}
			read := func(c *sql.Conn, query string) error {
				var v any
				return c.QueryRowContext(ctx, query).Scan(&v)
			}
			var ds []time.Duration
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				storagetest.Exec(b, raw, `UPDATE sessions SET last_activity = ? WHERE id = 1`, storage.FormatTime(storagetest.BenchNow().Add(time.Duration(i)*time.Second)))
				b.StartTimer()
				t0 := time.Now()
				done := make(chan error, 1)
				if f.second != "" {
					go func() { done <- read(conns[1], f.second) }()
				} else {
					done <- nil
				}
				if err := read(conns[0], f.query); err != nil {
					b.Fatal(err)
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(ds[(len(ds)-1)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
