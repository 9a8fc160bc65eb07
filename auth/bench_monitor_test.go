package auth_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mudtop/auth"
	"mudtop/storage/storagetest"
)

// BenchmarkMonitorTick is the monitor's read per poll on the original's own
// database (rollback journal, only the original's indexes): the operator
// check, the header counts, the first page of 50 sessions by idle time and
// the selected row's detail, in one read transaction. Targets: 25 ms median
// at 100k, 3 ms at 1k.
func BenchmarkMonitorTick(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1k", 1_000}, {"100k", 100_000}} {
		b.Run(size.name, func(b *testing.B) {
			benchTick(b, storagetest.ModeRollback, size.n, auth.ListQuery{Limit: 50, Sort: auth.SortIdle, Selected: 1})
		})
	}
}

// BenchmarkMonitorTickCreated is the same on a database mudtop created.
func BenchmarkMonitorTickCreated(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1k", 1_000}, {"100k", 100_000}} {
		b.Run(size.name, func(b *testing.B) {
			benchTick(b, storagetest.ModeWAL, size.n, auth.ListQuery{Limit: 50, Sort: auth.SortIdle, Selected: 1})
		})
	}
}

// BenchmarkMonitorTickBusy is the 100k tick while another connection
// commits before every tick, as a game server validating sessions does: the
// cost of a tick on a live server. The count cache then goes stale at every
// tick; its rebuild is paced (storage/aggcache.go), so most ticks read only
// the page and a few pay the full pass.
func BenchmarkMonitorTickBusy(b *testing.B) {
	b.Run("100k", func(b *testing.B) {
		benchTickBusy(b, storagetest.ModeRollback, 100_000, auth.ListQuery{Limit: 50, Sort: auth.SortIdle, Selected: 1}, true)
	})
}

// BenchmarkMonitorTickViews is the 100k tick under every sort column, both
// directions, and a filter, on the original's database.
func BenchmarkMonitorTickViews(b *testing.B) {
	for sort := range auth.SortColumns {
		for _, desc := range []bool{false, true} {
			name := sortName(auth.SortColumn(sort), desc)
			b.Run("100k/"+name, func(b *testing.B) {
				benchTick(b, storagetest.ModeRollback, 100_000, auth.ListQuery{Limit: 50, Sort: auth.SortColumn(sort), Desc: desc, Selected: 1})
			})
		}
	}
	b.Run("100k/filter", func(b *testing.B) {
		benchTick(b, storagetest.ModeRollback, 100_000, auth.ListQuery{Limit: 50, Sort: auth.SortIdle, Filter: "kari", Selected: 1})
	})
}

// BenchmarkMonitorTickViewsBusy is every view of MonitorTickViews while
// another connection commits before every tick, as a live game server does:
// nothing may be reused from the previous tick's file, so this is what an
// administrator hunting a login flood waits for.
func BenchmarkMonitorTickViewsBusy(b *testing.B) {
	for sort := range auth.SortColumns {
		for _, desc := range []bool{false, true} {
			name := sortName(auth.SortColumn(sort), desc)
			b.Run("100k/"+name, func(b *testing.B) {
				benchTickBusy(b, storagetest.ModeRollback, 100_000, auth.ListQuery{Limit: 50, Sort: auth.SortColumn(sort), Desc: desc, Selected: 1}, true)
			})
		}
	}
	b.Run("100k/filter", func(b *testing.B) {
		benchTickBusy(b, storagetest.ModeRollback, 100_000, auth.ListQuery{Limit: 50, Sort: auth.SortIdle, Filter: "kari", Selected: 1}, true)
	})
}

func sortName(s auth.SortColumn, desc bool) string {
	name := [...]string{"idle", "user", "role", "character", "world", "client", "age", "expires"}[s]
	if desc {
		name += "-desc"
	}
	return name
}

func benchTick(b *testing.B, mode string, n int, lq auth.ListQuery) {
	benchTickBusy(b, mode, n, lq, false)
}

func benchTickBusy(b *testing.B, mode string, n int, lq auth.ListQuery, busy bool) {
	clk := storagetest.NewClock(storagetest.BenchNow())
	svc, g := benchServiceClock(b, mode, n, auth.DefaultConfig(), clk.Now)
	raw := storagetest.Raw(b, svc.Store().Path(), true)
	ctx := context.Background()
	var lat latencies
	b.ReportAllocs()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		if busy {
			b.StopTimer()
			storagetest.Exec(b, raw, `UPDATE sessions SET last_activity = ? WHERE id = 1`, fmt.Sprintf("2026-11-25 12:%02d:%02d", i/60%60, i%60))
			b.StartTimer()
		}
		clk.Advance(time.Second) // one poll a second: "now" moves every tick
		t0 := time.Now()
		snap, err := svc.Snapshot(ctx, g.OperatorToken, lq)
		if err != nil {
			b.Fatal(err)
		}
		lat.add(time.Since(t0))
		if len(snap.Rows) == 0 {
			b.Fatal("empty page")
		}
	}
	lat.report(b, time.Since(start))
}
