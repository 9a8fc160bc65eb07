package auth_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"mudtop/auth"
	"mudtop/storage"
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
	svc, g := benchServiceClock(b, mode, n, auth.DefaultConfig(), clk.Now, storage.MonitorOptions(false))
	raw := storagetest.Raw(b, svc.Store().Path(), true)
	ctx := context.Background()
	var lat latencies
	b.ReportAllocs()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		if busy {
			serverCommits(b, raw, i)
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

// BenchmarkSharedViews is one tick of mudtop serve's shared poll at 100k
// on the original's file: the header counts read once, then 20 viewers'
// pages, each with its own sort, direction and, for some, a filter, read
// at once (PageShare), as 20 SSH viewers ask. The figure is the tick's
// time to its last page. "quiet": nothing commits, so the pages come from
// the monitor connection's view cache; "busy": the server commits before
// every tick, and each distinct view is one SQL read on the pool.
func BenchmarkSharedViews(b *testing.B) {
	for _, busy := range []bool{false, true} {
		name := "quiet/20"
		if busy {
			name = "busy/20"
		}
		b.Run(name, func(b *testing.B) {
			clk := storagetest.NewClock(storagetest.BenchNow())
			svc, g := benchServiceClock(b, storagetest.ModeRollback, 100_000, auth.DefaultConfig(), clk.Now, storage.MonitorOptions(false))
			raw := storagetest.Raw(b, svc.Store().Path(), true)
			ctx := context.Background()
			views := make([]auth.ListQuery, 20)
			for i := range views {
				views[i] = auth.ListQuery{Limit: 50, Sort: auth.SortColumn(i % auth.SortColumns), Desc: i/auth.SortColumns%2 == 1, PageOnly: true}
				if i%5 == 4 {
					views[i].Filter = []string{"kari", "web", "admin", "deep"}[i/5]
				}
			}
			var lat latencies
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				if busy {
					serverCommits(b, raw, i)
				}
				clk.Advance(time.Second)
				t0 := time.Now()
				if _, _, err := svc.Counts(ctx); err != nil {
					b.Fatal(err)
				}
				share := auth.NewPageShare()
				var wg sync.WaitGroup
				errs := make(chan error, len(views))
				for _, lq := range views {
					lq.Share = share
					wg.Go(func() {
						snap, err := svc.Snapshot(ctx, g.OperatorToken, lq)
						if err == nil && snap.Matching > 0 && len(snap.Rows) == 0 {
							err = fmt.Errorf("empty page for %+v", lq)
						}
						errs <- err
					})
				}
				wg.Wait()
				lat.add(time.Since(t0))
				close(errs)
				for err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			lat.report(b, time.Since(start))
		})
	}
}

// serverCommits is the game server's commit before tick i, off the clock:
// one session's activity renewed, so no cache of the previous tick holds.
func serverCommits(b *testing.B, raw *sql.DB, i int) {
	b.StopTimer()
	storagetest.Exec(b, raw, `UPDATE sessions SET last_activity = ? WHERE id = 1`, fmt.Sprintf("2026-11-25 12:%02d:%02d", i/60%60, i%60))
	b.StartTimer()
}
