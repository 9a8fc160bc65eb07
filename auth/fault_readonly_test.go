package auth

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// checkReadOnly asserts what a read-only database must give: the monitor's
// reads work, every action fails with ErrReadOnly (never a 401 or 500-ish
// store error of another kind) and nothing changes.
func checkReadOnly(t *testing.T, e *env, opTok string, target SessionRef) {
	t.Helper()
	ctx := context.Background()
	snap, err := e.svc.Snapshot(ctx, opTok, ListQuery{Limit: 10})
	if err != nil || snap.Counts.Sessions != 2 || len(snap.Rows) != 2 {
		t.Fatalf("Snapshot on a read-only database: %+v, %v", snap.Counts, err)
	}
	if _, err := e.svc.KickSession(ctx, opTok, target, "fault test"); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("KickSession: %v; want ErrReadOnly", err)
	}
	if _, err := e.svc.KickUser(ctx, opTok, "player1", "fault test"); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("KickUser: %v; want ErrReadOnly", err)
	}
	if _, err := e.svc.Login(ctx, "player1", storagetest.Password, "test"); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Login: %v; want ErrReadOnly", err)
	}
	snap, err = e.svc.Snapshot(ctx, opTok, ListQuery{Limit: 10})
	if err != nil || snap.Counts.Sessions != 2 {
		t.Fatalf("after refused actions: %+v, %v; want both sessions still there", snap.Counts, err)
	}
}

// seedReadOnly writes the operator and the player through a writable store
// and closes it, returning the path.
func seedReadOnly(t *testing.T) (string, string, SessionRef) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mud.db")
	st, err := storage.Create(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	w := envOn(t, st, writeThrough())
	opTok, target := operatorAndPlayer(t, w)
	if _, err := st.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	w.svc.Close()
	st.Close()
	return path, opTok, target
}

// --read-only: storage.Options{ReadOnly: true} opens the file read-only on
// purpose, whatever the permissions.
func TestFaultReadOnlyOnPurpose(t *testing.T) {
	path, opTok, target := seedReadOnly(t)
	e := envOn(t, storagetest.Open(t, path, storage.Options{ReadOnly: true}), writeThrough())
	checkReadOnly(t, e, opTok, target)
}

// A file the process cannot write, opened without asking for read-only.
// Permission bits do not stop root, so as root the file is made immutable
// (chattr +i), which stops everyone.
func TestFaultReadOnlyFile(t *testing.T) {
	path, opTok, target := seedReadOnly(t)
	undo := makeUnwritable(t, path)
	defer undo()
	st, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		t.Fatalf("open an unwritable database for reading: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	checkReadOnly(t, envOn(t, st, writeThrough()), opTok, target)
}

// A writable file in a directory nobody may write: SQLite cannot create
// its rollback journal, so writes fail while reads work.
func TestFaultReadOnlyDirectory(t *testing.T) {
	path, opTok, target := seedReadOnly(t)
	// The rollback journal lives beside the file; switch the file to the
	// original's mode so each write needs a new journal file there.
	db := storagetest.Raw(t, path, true)
	if _, err := db.Exec(`PRAGMA journal_mode=DELETE`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	undo := makeUnwritable(t, filepath.Dir(path))
	defer undo()
	st, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		t.Fatalf("open a database in a read-only directory: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	checkReadOnly(t, envOn(t, st, writeThrough()), opTok, target)
}

// makeUnwritable takes write permission away from path for everyone, or
// skips the test saying why it cannot.
func makeUnwritable(t *testing.T, path string) (undo func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		mode := fi.Mode().Perm()
		if err := os.Chmod(path, mode&^0o222); err != nil {
			t.Fatal(err)
		}
		undo = func() { os.Chmod(path, mode) }
		t.Cleanup(undo)
		return undo
	}
	chattr, err := exec.LookPath("chattr")
	if err != nil {
		t.Skip("running as root, where permission bits do not stop writes, and chattr is not installed")
	}
	if out, err := exec.Command(chattr, "+i", path).CombinedOutput(); err != nil {
		t.Skipf("running as root and chattr +i failed (filesystem without immutable files?): %v %s", err, out)
	}
	done := false
	undo = func() {
		if !done {
			done = true
			if out, err := exec.Command(chattr, "-i", path).CombinedOutput(); err != nil {
				t.Errorf("chattr -i %s: %v %s", path, err, out)
			}
		}
	}
	t.Cleanup(undo)
	return undo
}
