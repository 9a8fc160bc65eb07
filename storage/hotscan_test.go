package storage_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// TestLookupDriverPathMatchesDatabaseSQL checks the validation lookup on a
// pinned connection (straight to the driver, mapped or not) against the same
// lookup through database/sql inside a transaction, row by row, on a
// database holding every odd shape: timestamps of every form, gone users,
// and ids and worlds stored with the wrong type, which the driver path hands
// back to database/sql. Same values, same errors.
func TestLookupDriverPathMatchesDatabaseSQL(t *testing.T) {
	ctx := context.Background()
	for _, mmap := range []int64{0, -1} {
		t.Run(fmt.Sprint("mmap=", mmap), func(t *testing.T) {
			path := storagetest.NewOriginal(t)
			s := storagetest.Open(t, path, storage.Options{LookupMmap: mmap})
			now := storagetest.Epoch()
			oddDB(t, s, path, now, 200, 5)
			raw := storagetest.Raw(t, path, false)
			// The original's schema has no CHECKs on types: an id can be
			// text or real, a world an integer or a blob.
			uid := storagetest.AddUser(t, raw, storagetest.User{Name: "typed"})
			for i, row := range [][2]any{
				{fmt.Sprint(uid), nil}, {"abc", nil}, {1.5, nil}, {float64(uid), nil},
				{uid, int64(7)}, {uid, []byte("blobworld")}, {uid, 2.5},
			} {
				storagetest.Exec(t, raw, `PRAGMA ignore_check_constraints = 1`)
				storagetest.Exec(t, raw, `DROP TRIGGER IF EXISTS enforce_session_invariants_insert`)
				storagetest.Exec(t, raw, `INSERT INTO sessions (user_id, world_id, session_id, last_activity, expires_at) VALUES (?, ?, ?, ?, ?)`,
					row[0], row[1], fmt.Sprint("typed-", i), storage.FormatTime(now), storage.FormatTime(now.Add(3600e9)))
			}
			var tokens []string
			rows, err := raw.QueryContext(ctx, `SELECT session_id FROM sessions`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var tok string
				if err := rows.Scan(&tok); err != nil {
					t.Fatal(err)
				}
				tokens = append(tokens, tok)
			}
			rows.Close()
			tokens = append(tokens, "no-such-token")
			odd := 0
			for _, tok := range tokens {
				// Twice on the pool: the first call may pin the connection.
				for range 2 {
					got, gotOK, gotErr := s.SessionAuth(ctx, s.Q(), tok)
					var want storage.SessionAuth
					var wantOK bool
					var wantErr error
					if err := s.Read(ctx, func(q storage.Querier) error {
						want, wantOK, wantErr = s.SessionAuth(ctx, q, tok)
						return nil
					}); err != nil {
						t.Fatal(err)
					}
					if (gotErr != nil) != (wantErr != nil) || gotOK != wantOK || !reflect.DeepEqual(got, want) {
						t.Fatalf("%q: pinned %+v %v %v\n database/sql %+v %v %v", tok, got, gotOK, gotErr, want, wantOK, wantErr)
					}
					if gotErr != nil {
						odd++
					}
				}
			}
			// The text and real user ids fail to convert, both ways.
			if odd == 0 {
				t.Error("no lookup failed: the typed rows did not reach the fallback")
			}
		})
	}
}

// A lookup for a request already cancelled runs nothing and says so, on the
// driver path as through database/sql.
func TestLookupCancelledContext(t *testing.T) {
	s := storagetest.New(t)
	ctx := context.Background()
	// Pin a connection first, so the cancelled call takes the driver path.
	if _, _, err := s.SessionAuth(ctx, s.Q(), "warm-up"); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, ok, err := s.SessionAuth(cancelled, s.Q(), "any")
	if ok || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled lookup: ok=%v err=%v, want context.Canceled", ok, err)
	}
}
