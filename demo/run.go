package demo

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"mudtop/storage"
)

// maxLatencySamples bounds the latencies kept between two status lines, so
// a demo under the monitor (which prints no status) never grows its memory.
const maxLatencySamples = 100_000

// simStats counts what every shard did. Safe for concurrent use.
type simStats struct {
	mu         sync.Mutex
	ops        int64
	errs       int64
	unexpected int64
	busy       int64
	goneN      int64
	byOp       map[string]int64
	window     []time.Duration
}

func newSimStats() *simStats { return &simStats{byOp: map[string]int64{}} }

// record counts one operation; API calls also feed the latency window.
func (st *simStats) record(op string, err error, took time.Duration) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.ops++
	st.byOp[op]++
	if err != nil {
		st.errs++
	}
	if op != opAbandon && len(st.window) < maxLatencySamples {
		st.window = append(st.window, took)
	}
}

func (st *simStats) unexpectedErr() { st.mu.Lock(); st.unexpected++; st.mu.Unlock() }
func (st *simStats) busyErr()       { st.mu.Lock(); st.busy++; st.mu.Unlock() }
func (st *simStats) gone()          { st.mu.Lock(); st.goneN++; st.mu.Unlock() }

// statsView is a copy of the counters at one moment, plus the latency
// percentiles of the operations since the previous view.
type statsView struct {
	Ops, Errors, Unexpected, Busy, Gone int64
	ByOp                                map[string]int64
	P50, P99                            time.Duration
}

// take copies the counters and starts a new latency window.
func (st *simStats) take() statsView {
	st.mu.Lock()
	v := statsView{Ops: st.ops, Errors: st.errs, Unexpected: st.unexpected, Busy: st.busy, Gone: st.goneN,
		ByOp: make(map[string]int64, len(st.byOp))}
	for k, n := range st.byOp {
		v.ByOp[k] = n
	}
	w := st.window
	st.window = make([]time.Duration, 0, len(w))
	st.mu.Unlock()
	if len(w) > 0 {
		slices.Sort(w)
		v.P50 = w[len(w)/2]
		v.P99 = w[min(len(w)-1, len(w)*99/100)]
	}
	return v
}

// shardsFor decides how many simulators share the rate. One is plenty for
// a demo; at soak rates several overlap the commits' fsync waits, which a
// single sequential client could not. Each shard owns its users, so they
// never race over a session.
func shardsFor(rate float64) int {
	return int(clamp(rate/150, 1, 4))
}

// warmUp fills every shard's population at once, before pacing starts.
func warmUp(ctx context.Context, shards []*simulator) {
	var wg sync.WaitGroup
	for _, s := range shards {
		wg.Go(func() { s.warmUp(ctx) })
	}
	wg.Wait()
}

// churnFor keeps the comings and goings (logins, selections' triggers,
// logouts: the operations that commit) near what 200 operations per second
// of demo traffic produce, and lets the rest of a higher rate be validations,
// as on a real server. Each commit waits for an fsync, in rollback-journal
// mode several: a fixed churn is what lets the simulator sustain soak rates
// on such a database. MUDTOP_ACTIVITY_FLUSH_MS=0 still makes every
// validation commit, for maximum write pressure.
func churnFor(rate float64) float64 {
	if rate <= 200 {
		return 1
	}
	return max(200/rate, 0.1)
}

// runShards runs every shard at its share of rate until ctx ends.
func runShards(ctx context.Context, shards []*simulator, rate float64) {
	var wg sync.WaitGroup
	per := rate / float64(len(shards))
	for _, s := range shards {
		wg.Go(func() { pace(ctx, per, s.step) })
	}
	wg.Wait()
}

// pace calls step rate times per second, woken by a ticker (never a busy
// loop): each tick runs the operations that came due since the last one.
// When the database is slower than the rate, at most half a second of
// backlog is kept: enough to make up an fsync stall, not so much that a
// long one is followed by a stampede. Operations run
// on a context that is not cancelled with ctx: stopping waits for the
// operation in flight instead of journaling a spurious "context canceled".
func pace(ctx context.Context, rate float64, step func(context.Context)) {
	if rate <= 0 {
		<-ctx.Done()
		return
	}
	opCtx := context.WithoutCancel(ctx)
	interval := max(time.Duration(float64(time.Second)/rate), 10*time.Millisecond)
	t := time.NewTicker(interval)
	defer t.Stop()
	last, budget := time.Now(), 0.0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			budget = min(budget+rate*now.Sub(last).Seconds(), max(1, rate/2))
			last = now
			for ; budget >= 1; budget-- {
				if ctx.Err() != nil {
					return
				}
				step(opCtx)
			}
		}
	}
}

// statusLine is the headless one-line report: totals, the rate since the
// previous line, live sessions and the latency percentiles of the window.
func statusLine(now time.Time, v, prev statsView, since time.Duration, agg storage.Aggregates) string {
	rate := 0.0
	if since > 0 {
		rate = float64(v.Ops-prev.Ops) / since.Seconds()
	}
	return fmt.Sprintf("mudtop demo %s  ops %d (%.0f/s)  sessions %d (active %d, in world %d, expired %d)  gone %d  errors %d (unexpected %d, busy %d)  p50 %s p99 %s",
		now.UTC().Format("15:04:05"), v.Ops, rate, agg.Total, agg.Active, agg.InWorld, agg.Expired,
		v.Gone, v.Errors, v.Unexpected, v.Busy, fmtLatency(v.P50), fmtLatency(v.P99))
}

func fmtLatency(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
}
