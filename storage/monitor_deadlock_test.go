package storage_test

import (
	"context"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// Regression: the monitor's read prepared a new statement on another pooled
// connection while its own connection held the read lock. On a
// rollback-journal file, a writer committing at that moment holds its
// pending lock waiting for the read to end, and the prepare waits for the
// writer: both sat until the busy timeout (five seconds of "database is
// busy", seen with 20 SSH viewers). A new query inside the read now runs
// on the read's own connection.
func TestMonitorReadNeverWaitsOnAWriterWaitingForIt(t *testing.T) {
	ctx := context.Background()
	path := storagetest.NewOriginal(t)
	st := storagetest.Open(t, path, storage.Options{BusyTimeout: 2 * time.Second})
	uid := storagetest.AddUser(t, st.DB(), storagetest.User{Name: "alice", Role: "player"})
	writer := storagetest.Open(t, path, storage.Options{BusyTimeout: 2 * time.Second})
	// No idle connections: a prepare on the pool then opens a fresh one,
	// which must read the schema, as a connection the pool has just
	// replaced does.
	st.DB().SetMaxIdleConns(0)

	wrote := make(chan error, 1)
	start := time.Now()
	err := st.ReadMonitor(ctx, func(q storage.Querier) error {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		go func() {
			wrote <- writer.Write(ctx, func(w storage.Querier) error {
				_, err := w.ExecContext(ctx, `UPDATE users SET last_login = '2026-12-01 00:00:00' WHERE id = ?`, uid)
				return err
			})
		}()
		time.Sleep(300 * time.Millisecond) // the writer is at its commit, waiting for us
		// A query text this read has not run before.
		return q.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'player' AND id > ?`, 0).Scan(&n)
	})
	if err != nil {
		t.Fatalf("monitor read: %v", err)
	}
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Fatalf("the read took %v: it waited on the writer", took)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("writer: %v", err)
	}
}
