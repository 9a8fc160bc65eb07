package auth

import (
	"context"
	"testing"
	"time"

	"mudtop/storage/storagetest"
)

// Regression, found by the soak (scripts/soak): a flush of coalesced
// activity takes the pending renewals out of memory before its write
// transaction commits. While another process held the lock (up to the busy
// timeout), a lookup saw neither the pending renewal nor a renewed row, judged
// a session that had just been used expired, and deleted it: the game server
// lost a live session. The renewal must stay visible until it is written.
func TestFaultActivityFlushHeldByLockKeepsRenewal(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TTL = 10 * time.Minute
	cfg.ActivityFlush = time.Hour // the loop never fires; the test flushes
	e := newEnv(t, cfg)           // WAL: reads go on while the lock is held
	uid := e.user("alice", "player")
	tok := "11111111-aaaa-4aaa-8aaa-000000000001"
	e.session(uid, tok)
	ctx := context.Background()

	e.clk.Advance(9 * time.Minute)
	if _, err := e.svc.ValidateSession(ctx, tok); err != nil {
		t.Fatalf("validate before the old expiry: %v", err)
	}
	renewed := ts(e.clk.Now().Add(cfg.TTL))

	// Another process takes the write lock, so the flush waits in BEGIN.
	other := storagetest.Raw(t, e.st.Path(), true)
	if _, err := other.Exec(`BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	flushed := make(chan error, 1)
	go func() { flushed <- e.svc.Flush(ctx) }()
	if !waitFor(func() bool {
		e.svc.activity.mu.Lock()
		defer e.svc.activity.mu.Unlock()
		return e.svc.activity.inflight != nil
	}) {
		other.Exec(`ROLLBACK`)
		t.Fatal("the flush never started")
	}

	// Past the stored expiry, inside the renewed one: still valid.
	e.clk.Advance(2 * time.Minute)
	if _, err := e.svc.ValidateSession(ctx, tok); err != nil {
		other.Exec(`ROLLBACK`)
		<-flushed
		t.Fatalf("validate while the renewal is being written: %v (the session was judged by the stale row)", err)
	}
	if _, err := other.Exec(`ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if err := <-flushed; err != nil {
		t.Fatalf("flush after the lock was released: %v", err)
	}
	if !e.has(tok) {
		t.Fatal("the session row was deleted")
	}
	if got := e.text(tok, "expires_at"); got != renewed {
		t.Fatalf("expires_at = %s, want the renewal %s", got, renewed)
	}
}

// waitFor polls cond for up to 5 s (bounded; the condition is about
// goroutines getting scheduled, not about speed).
func waitFor(cond func() bool) bool {
	for i := 0; i < 500; i++ {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}
