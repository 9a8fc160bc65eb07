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
	s, err := Create(ctx, filepath.Join(t.TempDir(), "mud.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	uid, err := s.CreateUser(ctx, s.Q(), NewUser{Username: "alice", PasswordHash: "x", Role: "player", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	addSession := func(tok string) {
		t.Helper()
		if err := s.Write(ctx, func(q Querier) error {
			_, err := s.CreateSession(ctx, q, NewSession{UserID: uid, Token: tok, ClientType: "web", Now: now, TTL: time.Hour})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	total := func() int {
		t.Helper()
		var n int
		if err := s.ReadMonitor(ctx, func(q Querier) error {
			a, err := s.Aggregate(ctx, q, now, 30*time.Minute, 5*time.Minute)
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

	// A cheap rebuild is never paced.
	s.monitor.buildCost, s.monitor.built = time.Millisecond, time.Now()
	addSession("c")
	if got := total(); got != 3 {
		t.Fatalf("cheap rebuild paced: total %d, want 3", got)
	}

	// Nor is a small database, however slow its last rebuild was.
	s.monitor.paceRows = 0
	s.monitor.buildCost, s.monitor.built = 400*time.Millisecond, time.Now()
	addSession("d")
	if got := total(); got != 4 {
		t.Fatalf("small database paced: total %d, want 4", got)
	}
}
