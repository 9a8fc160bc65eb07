package auth_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"mudtop/auth"
	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// benchService opens a private copy of a generated database and a service
// on it with the default configuration (1 s activity write-behind). Its
// clock starts at the generator's Now and then runs with real time, as a
// server's would: validations in a new second write a new activity stamp.
func benchService(b *testing.B, mode string, n int, cfg auth.Config) (*auth.Service, *storagetest.Generated) {
	b.Helper()
	start := time.Now()
	now := storagetest.BenchNow()
	return benchServiceClock(b, mode, n, cfg, func() time.Time { return now.Add(time.Since(start)) }, storage.Options{})
}

// benchServiceClock is benchService with the clock and the store's options
// chosen by the caller: the monitor's benchmarks open the file as the
// monitor does (storage.MonitorOptions), the server's as a game server.
func benchServiceClock(b *testing.B, mode string, n int, cfg auth.Config, clock auth.Clock, opt storage.Options) (*auth.Service, *storagetest.Generated) {
	b.Helper()
	g := storagetest.Generate(b, mode, n)
	st, err := storage.Open(context.Background(), g.Copy(b), opt)
	if err != nil {
		b.Fatal(err)
	}
	svc := auth.New(st, cfg, auth.WithClock(clock))
	b.Cleanup(func() {
		svc.Close()
		st.Close()
	})
	return svc, g
}

// latencies collects per-operation durations so a benchmark can report
// percentiles, which a mean (ns/op) hides. Safe for concurrent use.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d ...time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

// report adds p50, p99 (in ms) and throughput to the benchmark's output.
func (l *latencies) report(b *testing.B, elapsed time.Duration) {
	if len(l.d) == 0 {
		return
	}
	slices.Sort(l.d)
	pct := func(p float64) float64 {
		return float64(l.d[int(p*float64(len(l.d)-1))].Nanoseconds()) / 1e6
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(l.d))/elapsed.Seconds(), "ops/s")
}

// pick returns random valid tokens, reproducibly.
func picker(g *storagetest.Generated, seed uint64) func() string {
	rng := rand.New(rand.NewPCG(seed, 7))
	return func() string { return g.Valid[rng.IntN(len(g.Valid))] }
}
