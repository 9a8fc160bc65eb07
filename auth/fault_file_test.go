package auth

import (
	"context"
	"errors"
	"os"
	"testing"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// The monitor's read path (Snapshot, whatever connection it reads on) must
// notice its database file deleted, replaced or truncated: an error, never
// a stale success and never a 401 (the operator did nothing wrong), and the
// right answer again once the file is back.
func TestFaultSnapshotFileDeletedReplacedTruncated(t *testing.T) {
	ctx := context.Background()
	e := newOriginalEnv(t, writeThrough())
	opTok, _ := operatorAndPlayer(t, e)
	path := e.st.Path()
	poll := func() (Snapshot, error) { return e.svc.Snapshot(ctx, opTok, ListQuery{Limit: 10}) }
	if snap, err := poll(); err != nil || snap.Counts.Sessions != 2 {
		t.Fatalf("first poll: %+v, %v", snap.Counts, err)
	}
	backup, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wantFailure := func(what string, is error) {
		t.Helper()
		for i := 0; i < 2; i++ {
			snap, err := poll()
			if err == nil {
				t.Fatalf("poll %d after the file was %s: %+v, no error (stale data shown as fresh)", i, what, snap.Counts)
			}
			if Status(err) != 0 {
				t.Fatalf("poll after the file was %s: %v is a %d; the operator's session is not at fault", what, err, Status(err))
			}
			if is != nil && !errors.Is(err, is) {
				t.Fatalf("poll after the file was %s: %v; want %v", what, err, is)
			}
		}
	}
	wantSessions := func(what string, n int) {
		t.Helper()
		snap, err := poll()
		if err != nil || snap.Counts.Sessions != n {
			t.Fatalf("poll after the file was %s: %+v, %v; want %d sessions", what, snap.Counts, err, n)
		}
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	wantFailure("deleted", storage.ErrNoDatabase)
	restore(t, path, backup)
	wantSessions("restored", 2)

	// Replaced by a copy holding one more session: the new file is read.
	if err := os.WriteFile(path+".new", backup, 0o600); err != nil {
		t.Fatal(err)
	}
	other := storagetest.Raw(t, path+".new", true)
	uid := storagetest.AddUser(t, other, storagetest.User{Name: "newcomer"})
	storagetest.AddSession(t, other, storagetest.Session{UserID: uid, Token: "2e91ace0-0000-4000-8000-000000000005",
		ClientType: "browser", Now: e.clk.Now(), TTL: e.cfg.TTL})
	other.Close()
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	wantSessions("replaced", 3)

	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	wantFailure("truncated", nil)
	if err := os.WriteFile(path, backup, 0o600); err != nil { // same inode, as cp does
		t.Fatal(err)
	}
	wantSessions("copied back", 2)
}

func restore(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path+".restore", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".restore", path); err != nil {
		t.Fatal(err)
	}
}
