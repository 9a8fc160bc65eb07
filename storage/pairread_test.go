package storage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// TestPairedCountIsOneSnapshot runs the busy count's two halves while
// another connection commits every few milliseconds, each commit moving
// the activity from a session of the low half to one of the high half or
// back: the true count never changes, and halves read from two states of
// the file would be one off. Every paired answer must be the plain
// count's, with and without the activity window, and at least a fifth of
// the calls must read their second half on the second connection.
func TestPairedCountIsOneSnapshot(t *testing.T) {
	g := storagetest.Generate(t, storagetest.ModeRollback, 30_000)
	s := storagetest.Open(t, g.Copy(t), storage.Options{})
	raw := storagetest.Raw(t, s.Path(), true)
	var lowID, highID int64
	if err := raw.QueryRow(`SELECT (SELECT id FROM sessions ORDER BY user_id, id LIMIT 1),
		(SELECT id FROM sessions ORDER BY user_id DESC, id LIMIT 1)`).Scan(&lowID, &highID); err != nil {
		t.Fatal(err)
	}
	now := g.Now
	active, idle := storage.FormatTime(now), storage.FormatTime(now.Add(-2*time.Hour))
	// The active one of the two is seen now and never expires; the other
	// was seen two hours ago and expired an hour ago, so it counts
	// neither with nor without the activity window.
	flip := func(q storage.Querier, on, off int64) error {
		_, err := q.ExecContext(context.Background(), `UPDATE sessions
			SET last_activity = CASE id WHEN ?1 THEN ?3 ELSE ?4 END, expires_at = CASE id WHEN ?1 THEN NULL ELSE ?5 END
			WHERE id IN (?1, ?2)`, on, off, active, idle, storage.FormatTime(now.Add(-time.Hour)))
		return err
	}
	if err := flip(raw, lowID, highID); err != nil {
		t.Fatal(err)
	}
	calls, pause := 150, 2*time.Millisecond
	if raceEnabled {
		calls, pause = 20, 20*time.Millisecond
	}
	for _, window := range []time.Duration{30 * time.Minute, 0} {
		want, err := s.ActiveCount(context.Background(), raw, now, window)
		if err != nil {
			t.Fatal(err)
		}
		// One commit: which of the two is active flips, the total does not.
		stop := committer(pause, func(i int) error {
			if i%2 == 0 {
				return flip(raw, highID, lowID)
			}
			return flip(raw, lowID, highID)
		})
		paired, splits := 0, storage.PairSplits(s)
		for i := 0; i < calls; i++ {
			n, ok, err := storage.ActivePaired(s, now, window)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				paired++
				if n != want {
					t.Errorf("window %v, call %d: paired count %d, want %d (halves from two states of the file)", window, i, n, want)
				}
			}
		}
		commits := stop()
		if commits < int64(calls)/4 {
			t.Fatalf("window %v: only %d commits during the counts: the test did not race", window, commits)
		}
		splits = storage.PairSplits(s) - splits
		if paired != calls || splits < int64(calls)/5 {
			t.Errorf("window %v: %d of %d counts paired, %d on two connections", window, paired, calls, splits)
		}
		t.Logf("window %v: %d of %d paired, %d on two connections, %d commits", window, paired, calls, splits, commits)
	}
}

// TestPairedCountNotOnWAL: readers of a WAL file do not keep writers out,
// so the halves could read two snapshots; the count is never split there.
func TestPairedCountNotOnWAL(t *testing.T) {
	g := storagetest.Generate(t, storagetest.ModeWAL, 5_000)
	s := storagetest.Open(t, g.Copy(t), storage.Options{})
	if _, ok, err := storage.ActivePaired(s, g.Now, 30*time.Minute); ok || err != nil {
		t.Fatalf("paired on a WAL file: ok %v, err %v", ok, err)
	}
}

// TestPairedFilterIsOneSnapshot is the same proof for a busy filter read in
// the monitor's transaction with its halves on two connections: each
// commit renames one account of the low half's ids to match the filter and
// one of the high half's not to, or back, so the sessions matching are
// always exactly one of the two accounts' and a torn read finds both or
// neither.
func TestPairedFilterIsOneSnapshot(t *testing.T) {
	g := storagetest.Generate(t, storagetest.ModeRollback, 30_000)
	s := storagetest.Open(t, g.Copy(t), storage.Options{})
	raw := storagetest.Raw(t, s.Path(), true)
	ctx := context.Background()
	var low, high int64
	if err := raw.QueryRow(`SELECT min(user_id), max(user_id) FROM sessions`).Scan(&low, &high); err != nil {
		t.Fatal(err)
	}
	nLow := storagetest.Scalar[int](t, raw, `SELECT count(*) FROM sessions WHERE user_id = ?`, low)
	nHigh := storagetest.Scalar[int](t, raw, `SELECT count(*) FROM sessions WHERE user_id = ?`, high)
	rename := func(on, off int64) error {
		_, err := raw.Exec(`UPDATE users SET username = CASE id WHEN ?1 THEN 'zqxj-' || id ELSE 'plain-' || id END WHERE id IN (?1, ?2)`, on, off)
		return err
	}
	if err := rename(low, high); err != nil {
		t.Fatal(err)
	}
	lq := storage.ListQuery{Filter: "ZQXJ", Limit: 50}
	list := func() int {
		var n int
		err := s.ReadMonitor(ctx, func(q storage.Querier) error {
			var err error
			_, n, err = s.ListSessions(ctx, q, lq)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := list(); n != nLow {
		t.Fatalf("quiet: %d sessions match, want the low account's %d", n, nLow)
	}
	calls, pause := 60, 2*time.Millisecond
	if raceEnabled {
		calls, pause = 10, 20*time.Millisecond
	}
	stop := committer(pause, func(i int) error {
		if i%2 == 0 {
			return rename(high, low)
		}
		return rename(low, high)
	})
	splits := storage.PairSplits(s)
	for i := 0; i < calls; i++ {
		if n := list(); n != nLow && n != nHigh {
			t.Errorf("call %d: %d sessions match, want %d or %d (halves from two states of the file)", i, n, nLow, nHigh)
		}
	}
	stop()
	if d := storage.PairSplits(s) - splits; d < int64(calls)/5 {
		t.Errorf("%d of %d filters read a half on a second connection", d, calls)
	}
}

// committer runs commit(0), commit(1), ... on its own goroutine until the
// returned stop is called, which waits for it and says how many commits
// succeeded. Between commits it takes a breath, as a server's writes come:
// back to back, each keeps the second read from locking (the first then
// reads both halves) and the tests would hardly ever use the second
// connection.
func committer(pause time.Duration, commit func(i int) error) (stop func() int64) {
	done := make(chan struct{})
	var n atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if commit(i) == nil {
				n.Add(1)
			}
			time.Sleep(pause)
		}
	}()
	return func() int64 {
		close(done)
		wg.Wait()
		return n.Load()
	}
}
