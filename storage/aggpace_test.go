package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// A busy file must not make every monitor tick pay a full count rebuild:
// when the last rebuild was expensive, the counts are rebuilt only after a
// gap proportional to its cost, and in between the header keeps the last
// complete counts. Cheap rebuilds (small databases) are never paced.
func TestCountRebuildPacing(t *testing.T) {
	ctx := context.Background()
	s, addSession := oneAccountStore(t)
	defer s.Close()
	total := func() int {
		t.Helper()
		var n int
		if err := s.ReadMonitor(ctx, func(q Querier) error {
			a, err := s.Aggregate(ctx, q, storeNow, 30*time.Minute, 5*time.Minute)
			n = a.Total
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	addSession("a")
	if got := total(); got != 1 {
		t.Fatalf("first tick: total %d, want 1", got)
	}

	// Pretend the database is large and the last rebuild was expensive
	// and just happened.
	s.monitor.paceRows = 1
	s.monitor.buildCost, s.monitor.built = 400*time.Millisecond, time.Now()
	addSession("b")
	if got := total(); got != 1 {
		t.Fatalf("paced tick: total %d, want the last complete count 1", got)
	}

	// Once the gap (ten times the cost) has passed, the counts catch up.
	s.monitor.built = time.Now().Add(-5 * time.Second)
	if got := total(); got != 2 {
		t.Fatalf("tick after the gap: total %d, want 2", got)
	}

	// A file that changes before every tick is rebuilt beside the ticks,
	// not in them: the tick that finds the gap passed still shows the last
	// complete count, and a later one the rebuild's.
	s.monitor.buildCost, s.monitor.built = 400*time.Millisecond, time.Now()
	addSession("b2")
	if got := total(); got != 2 {
		t.Fatalf("busy paced tick: total %d, want 2", got)
	}
	s.monitor.built = time.Now().Add(-5 * time.Second)
	addSession("b3")
	if got := total(); got != 2 {
		t.Fatalf("busy tick past the gap: total %d, want the last complete count 2 while the rebuild runs", got)
	}
	waitRebuild(t, s)
	if s.monitor.cache.dataVersion != -1 {
		t.Fatalf("the rebuild beside the ticks left a cache that passes for fresh (data_version %d)", s.monitor.cache.dataVersion)
	}
	s.monitor.buildCost = 400 * time.Millisecond // its own cost was a small file's
	addSession("b4")
	if got := total(); got != 4 {
		t.Fatalf("busy tick after the rebuild: total %d, want its count 4", got)
	}
	// Quiet again and due: rebuilt in the tick's own read, exact.
	s.monitor.built = time.Now().Add(-5 * time.Second)
	if got := total(); got != 5 {
		t.Fatalf("quiet tick past the gap: total %d, want 5", got)
	}
	if s.monitor.rebuild != nil {
		t.Fatal("a quiet file's rebuild ran beside the tick")
	}

	// A cheap rebuild is never paced.
	s.monitor.buildCost, s.monitor.built = time.Millisecond, time.Now()
	addSession("c")
	if got := total(); got != 6 {
		t.Fatalf("cheap rebuild paced: total %d, want 6", got)
	}

	// Nor is a small database, however slow its last rebuild was.
	s.monitor.paceRows = 0
	s.monitor.buildCost, s.monitor.built = 400*time.Millisecond, time.Now()
	addSession("d")
	if got := total(); got != 7 {
		t.Fatalf("small database paced: total %d, want 7", got)
	}
}

// waitRebuild waits, a bounded while, for the count rebuild running beside
// the ticks to be done.
func waitRebuild(t *testing.T, s *Store) {
	t.Helper()
	for range 500 {
		s.monitor.mu.Lock()
		running := s.monitor.rebuild != nil
		s.monitor.mu.Unlock()
		if !running {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the count rebuild beside the ticks did not end in 5 s")
}

// A rebuild beside the ticks that ends after the monitor's connection was
// given up (the file was replaced) leaves no cache for the next one, and
// closing the store waits for one still running.
func TestBackgroundRebuildEndsWithItsConnection(t *testing.T) {
	ctx := context.Background()
	s, _ := oneAccountStore(t)
	tick := func() {
		t.Helper()
		if err := s.ReadMonitor(ctx, func(q Querier) error {
			_, err := s.Aggregate(ctx, q, storeNow, 30*time.Minute, 5*time.Minute)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	start := func(replace bool) *bgRebuild {
		t.Helper()
		s.monitor.mu.Lock()
		defer s.monitor.mu.Unlock()
		s.monitor.startRebuild(s)
		b := s.monitor.rebuild
		if b == nil {
			t.Fatal("no rebuild started")
		}
		if replace {
			// As ReadMonitor does for a replaced file, before the
			// rebuild can take mu to leave its cache.
			s.monitor.closeConn()
		}
		return b
	}
	tick()
	b := start(true)
	<-b.done
	if s.monitor.cache != nil {
		t.Fatal("a rebuild for a connection given up left its cache")
	}
	tick()
	b = start(false)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.done:
	default:
		t.Fatal("Close returned with the rebuild still running")
	}
	if s.monitor.cache != nil || s.monitor.rebuild != nil {
		t.Fatalf("after Close: cache %v, rebuild %v", s.monitor.cache != nil, s.monitor.rebuild != nil)
	}
}

// storeNow is the clock of oneAccountStore's rows.
var storeNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// oneAccountStore is a created store holding one account, alice, and a
// function that gives her a session with token tok.
func oneAccountStore(t *testing.T) (*Store, func(tok string)) {
	t.Helper()
	ctx := context.Background()
	s, err := Create(ctx, filepath.Join(t.TempDir(), "mud.db"))
	if err != nil {
		t.Fatal(err)
	}
	uid, err := s.CreateUser(ctx, s.Q(), NewUser{Username: "alice", PasswordHash: "x", Role: "player", Now: storeNow})
	if err != nil {
		t.Fatal(err)
	}
	return s, func(tok string) {
		t.Helper()
		if err := s.Write(ctx, func(q Querier) error {
			_, err := s.CreateSession(ctx, q, NewSession{UserID: uid, Token: tok, ClientType: "web", Now: storeNow, TTL: time.Hour})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}
