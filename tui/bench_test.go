package tui

import (
	"context"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// benchModel is a monitor at 200x60 on a private copy of a generated
// database, with its first poll answered (ticks off).
func benchModel(b *testing.B, path string, g *storagetest.Generated) (Model, *storage.Store, *auth.Service) {
	b.Helper()
	st, err := storage.Open(context.Background(), path, storage.MonitorOptions(false))
	if err != nil {
		b.Fatal(err)
	}
	clk := storagetest.NewClock(g.Now)
	svc := auth.New(st, auth.DefaultConfig(), auth.WithClock(clk.Now))
	m := New(svc, g.OperatorToken, testKeys(), testTheme, Options{DBLabel: "bench.db"})
	m.tick = func(time.Duration, int) tea.Cmd { return nil }
	m = run(m, tea.WindowSizeMsg{Width: 200, Height: 60}, m.Init())
	return m, st, svc
}

// BenchmarkView renders one frame at 200x60 with 100k sessions loaded (the
// target is 2 ms). The theme is the tests' colourless one: package main's
// palette cannot be imported here.
func BenchmarkView(b *testing.B) {
	b.Run("100k", func(b *testing.B) {
		g := storagetest.Generate(b, storagetest.ModeRollback, 100_000)
		m, st, svc := benchModel(b, g.Copy(b), g)
		defer st.Close()
		defer svc.Close()
		if !m.poll.loaded {
			b.Fatal("first poll did not load")
		}
		b.ReportAllocs()
		for b.Loop() {
			_ = m.View()
		}
	})
}

// BenchmarkStartup is mudtop's start on a 100k-session database of the
// original's, up to the first full frame: open (schema check), service,
// model, the first poll and the first View. The first poll reads the page
// alone (the header says "counting sessions…"); "100k-counts" goes on to
// the frame with the counts, which the next read brings with the count
// cache cold. The target is 300 ms. The database file is copied before the
// clock starts; process start and terminal set-up are not included.
func BenchmarkStartup(b *testing.B) {
	g := storagetest.Generate(b, storagetest.ModeRollback, 100_000)
	path := g.Copy(b)
	for _, withCounts := range []bool{false, true} {
		name := "100k"
		if withCounts {
			name = "100k-counts"
		}
		b.Run(name, func(b *testing.B) {
			var ds []time.Duration
			for b.Loop() {
				t0 := time.Now()
				m, st, svc := startModel(b, path, g, withCounts)
				v := m.View()
				ds = append(ds, time.Since(t0))
				if !m.poll.loaded || v.Content == "" || m.header.pending == withCounts {
					b.Fatal("no first frame")
				}
				b.StopTimer()
				svc.Close()
				st.Close()
				b.StartTimer()
			}
			reportLatencies(b, ds)
		})
	}
}

// startModel runs a monitor's start by hand: the size, the first tick,
// its read, and (withCounts) the full read that follows.
func startModel(b *testing.B, path string, g *storagetest.Generated, withCounts bool) (Model, *storage.Store, *auth.Service) {
	b.Helper()
	st, err := storage.Open(context.Background(), path, storage.MonitorOptions(false))
	if err != nil {
		b.Fatal(err)
	}
	clk := storagetest.NewClock(g.Now)
	svc := auth.New(st, auth.DefaultConfig(), auth.WithClock(clk.Now))
	m := New(svc, g.OperatorToken, testKeys(), testTheme, Options{DBLabel: "bench.db"})
	m.tick = func(time.Duration, int) tea.Cmd { return nil }
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	nm, read := nm.Update(tickMsg{gen: nm.(Model).poll.tickGen})
	nm, next := nm.Update(read())
	if withCounts {
		nm, _ = nm.Update(next())
	}
	return nm.(Model), st, svc
}

// reportLatencies adds p50 and p99 (in ms) of the per-iteration durations ds
// to the benchmark's output, and the throughput they add up to: a mean
// (ns/op) hides a slow first frame.
func reportLatencies(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	var total time.Duration
	for _, d := range ds {
		total += d
	}
	slices.Sort(ds)
	pct := func(p float64) float64 {
		return float64(ds[int(p*float64(len(ds)-1))].Nanoseconds()) / 1e6
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(ds))/total.Seconds(), "ops/s")
}
