package auth

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// faultBusyTimeout stands in for the 5 s default, so a lock outlasts it
// quickly (soak.sh holds a real 10 s lock against the default).
const faultBusyTimeout = 200 * time.Millisecond

// lockEnv is an env whose store gives up on a lock after faultBusyTimeout,
// on a database in the given journal mode.
func lockEnv(t *testing.T, mode string, cfg Config) *env {
	t.Helper()
	var path string
	if mode == "wal" {
		path = filepath.Join(t.TempDir(), "mud.db")
		st, err := storage.Create(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
	} else {
		path = storagetest.NewOriginal(t)
	}
	return envOn(t, storagetest.Open(t, path, storage.Options{BusyTimeout: faultBusyTimeout}), cfg)
}

// operatorAndPlayer adds an admin with a session (the monitor's operator)
// and a player with one, and returns the operator's token and the player's
// session as the monitor sees it.
func operatorAndPlayer(t *testing.T, e *env) (string, SessionRef) {
	t.Helper()
	opTok := "0pe2a702-0000-4000-8000-000000000001"
	e.session(e.user("operator", "admin"), opTok)
	pTok := "91a7e200-0000-4000-8000-000000000002"
	row := e.session(e.user("player1", "player"), pTok)
	return opTok, SessionRef{RowID: row, Token: pTok}
}

func auditCount(t *testing.T, e *env) int {
	t.Helper()
	return storagetest.Scalar[int](t, e.db, `SELECT count(*) FROM `+storage.AuditTable)
}

// Another process holding an exclusive transaction past the busy timeout:
// every call reports ErrBusy (a database condition, never a 401), changes
// nothing, and everything works again once the lock is gone. In WAL mode
// readers are not blocked by a writer, so the monitor keeps reading.
func TestFaultDatabaseLockedByAnotherProcess(t *testing.T) {
	for _, mode := range []string{"wal", "rollback"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			e := lockEnv(t, mode, writeThrough())
			opTok, target := operatorAndPlayer(t, e)
			audits := auditCount(t, e)

			other := storagetest.Raw(t, e.st.Path(), true)
			if _, err := other.Exec(`BEGIN EXCLUSIVE`); err != nil {
				t.Fatal(err)
			}
			locked := true
			release := func() {
				if locked {
					locked = false
					if _, err := other.Exec(`ROLLBACK`); err != nil {
						t.Fatal(err)
					}
				}
			}
			defer release()

			_, err := e.svc.Snapshot(ctx, opTok, ListQuery{Limit: 10})
			if mode == "rollback" {
				if !errors.Is(err, ErrBusy) || Status(err) != 0 {
					t.Fatalf("Snapshot under an exclusive lock: %v (status %d); want ErrBusy, no status", err, Status(err))
				}
			} else if err != nil {
				t.Fatalf("Snapshot under a writer's lock in WAL mode: %v; readers must go on", err)
			}
			if _, err := e.svc.KickSession(ctx, opTok, target, "fault test"); !errors.Is(err, ErrBusy) {
				t.Fatalf("KickSession under the lock: %v; want ErrBusy", err)
			}
			if _, err := e.svc.ClearAll(ctx, opTok, false, "fault test"); !errors.Is(err, ErrBusy) {
				t.Fatalf("ClearAll under the lock: %v; want ErrBusy", err)
			}
			if _, err := e.svc.ValidateSession(ctx, target.Token); !errors.Is(err, ErrBusy) || Status(err) != 0 {
				t.Fatalf("ValidateSession under the lock: %v; want ErrBusy, never a 401", err)
			}
			release()

			if !e.has(target.Token) || !e.has(opTok) {
				t.Fatal("a refused action removed a session")
			}
			if n := auditCount(t, e); n != audits {
				t.Fatalf("audit rows %d -> %d while every action was refused", audits, n)
			}
			snap, err := e.svc.Snapshot(ctx, opTok, ListQuery{Limit: 10})
			if err != nil || snap.Counts.Sessions != 2 {
				t.Fatalf("Snapshot after the lock: %+v, %v", snap.Counts, err)
			}
			if res, err := e.svc.KickSession(ctx, opTok, target, "fault test"); err != nil || res.Removed != 1 {
				t.Fatalf("KickSession after the lock: %+v, %v", res, err)
			}
			if e.has(target.Token) {
				t.Fatal("the kick after the lock did not remove the session")
			}
		})
	}
}
