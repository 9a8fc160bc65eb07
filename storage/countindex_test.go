package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// TestIndexedCountMatchesOriginal checks the index-only count of a database
// mudtop created against the original's own query, over every odd shape of
// both columns (including values SQLite reads as the wall clock), for
// windows from a second to days, at instants on and between stored values,
// alone and inside a transaction, and as other connections write.
func TestIndexedCountMatchesOriginal(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2031, 3, 1, 0, 20, 0, 0, time.UTC)
	path := t.TempDir() + "/mud.db"
	s := storagetest.NewAt(t, path)
	oddDB(t, s, path, now, 500, 7)
	raw := storagetest.Raw(t, path, false)
	// Sessions whose expiry sits on, just inside and just outside the
	// window's reach of their activity, the rows B exists for.
	uid := storagetest.AddUser(t, raw, storagetest.User{Name: "edge"})
	for i, gap := range []time.Duration{0, time.Second, 29 * time.Minute, 30 * time.Minute, 31 * time.Minute, -time.Hour, 8 * time.Hour} {
		for j, act := range []time.Duration{0, -time.Second, -15 * time.Minute, -30 * time.Minute, -31 * time.Minute} {
			at := now.Add(act)
			storagetest.Exec(t, raw, `INSERT INTO sessions (user_id, session_id, last_activity, expires_at) VALUES (?, ?, ?, ?)`,
				uid, fmt.Sprintf("edge-%d-%d", i, j), storage.FormatTime(at), storage.FormatTime(at.Add(gap)))
		}
	}
	check := func(t *testing.T, at time.Time, window time.Duration) {
		t.Helper()
		want := referenceCounts(t, s, at, window)
		got, err := s.ActiveCount(ctx, s.Q(), at, window)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("at %s window %v: indexed count %d, original's query %d", at.Format(time.RFC3339Nano), window, got, want)
		}
		if err := s.Read(ctx, func(q storage.Querier) error {
			got, err = s.ActiveCount(ctx, q, at, window)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("at %s window %v, in a transaction: indexed count %d, original's query %d", at.Format(time.RFC3339Nano), window, got, want)
		}
	}
	nonzero := 0
	for tick := range 12 {
		for _, off := range []time.Duration{0, 500 * time.Millisecond, time.Duration(tick*97) * time.Second, -time.Hour} {
			at := now.Add(off)
			for _, window := range []time.Duration{time.Second, 1500 * time.Millisecond, 90 * time.Second, 30 * time.Minute, 8 * time.Hour, 72 * time.Hour} {
				check(t, at, window)
				if n, _ := s.ActiveCount(ctx, s.Q(), at, window); n > 0 {
					nonzero++
				}
			}
		}
		// Writes as the server makes them (a renewal, a login, a
		// logout) and as a hand edit might.
		at := storage.FormatTime(now.Add(time.Duration(tick) * time.Minute))
		switch tick % 4 {
		case 0:
			storagetest.Exec(t, raw, `UPDATE sessions SET last_activity = ?, expires_at = datetime(?, '+30 minutes') WHERE id = (SELECT min(id) + ? FROM sessions)`, at, at, tick)
		case 1:
			storagetest.Exec(t, raw, `INSERT INTO sessions (user_id, session_id, last_activity, expires_at) VALUES (?, ?, ?, ?)`, uid, fmt.Sprint("new-", tick), at, "now")
		case 2:
			storagetest.Exec(t, raw, `DELETE FROM sessions WHERE id = (SELECT max(id) FROM sessions WHERE session_id LIKE 'edge-%')`)
		case 3:
			storagetest.Exec(t, raw, `UPDATE sessions SET expires_at = 'subsec', last_activity = ? WHERE id = (SELECT min(id) + ? FROM sessions)`, at, tick)
		}
	}
	// A comparison of zeros would prove nothing.
	if nonzero < 100 {
		t.Errorf("only %d of the counts were above zero", nonzero)
	}
}
