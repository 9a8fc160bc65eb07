package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// tokenCalls is every entry point that takes a session id.
func tokenCalls(svc *Service) map[string]func(ctx context.Context, tok string) error {
	return map[string]func(ctx context.Context, tok string) error{
		"ValidateSession": func(ctx context.Context, tok string) error { _, err := svc.ValidateSession(ctx, tok); return err },
		"WithPermission": func(ctx context.Context, tok string) error {
			_, err := svc.ValidateSessionWithPermission(ctx, tok, PlayGame)
			return err
		},
		"ForGame": func(ctx context.Context, tok string) error {
			_, err := svc.ValidateSessionForGame(ctx, tok)
			return err
		},
		"Logout":          func(ctx context.Context, tok string) error { _, err := svc.Logout(ctx, tok); return err },
		"SelectCharacter": func(ctx context.Context, tok string) error { _, err := svc.SelectCharacter(ctx, tok, 1); return err },
		"CheckOperator":   func(ctx context.Context, tok string) error { _, err := svc.CheckOperator(ctx, tok); return err },
		"Snapshot":        func(ctx context.Context, tok string) error { _, err := svc.Snapshot(ctx, tok, ListQuery{}); return err },
		"KickUser":        func(ctx context.Context, tok string) error { _, err := svc.KickUser(ctx, tok, "alice", ""); return err },
		"ClearAll":        func(ctx context.Context, tok string) error { _, err := svc.ClearAll(ctx, tok, true, ""); return err },
	}
}

// TestHostileSessionIDs: empty, huge, binary and look-alike ids are a
// plain 401 everywhere, never a database error, and change nothing.
func TestHostileSessionIDs(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "superuser")
	real := "0b5e8c1e-7d2a-4f4e-9c51-2a8f3f6f1c11"
	e.session(uid, real)
	ids := []string{
		"", " ", strings.Repeat("a", 1<<20), strings.Repeat("€", 400_000), real + " ", " " + real,
		strings.ToUpper(real), "{" + real + "}", "urn:uuid:" + real, real[:35], real + "\x00", "\x00",
		"\xff\xfe", "' OR '1'='1", "x'; DELETE FROM sessions; --", "%", "_", real[:8] + "%",
		strings.Repeat("a", MaxTokenLength), strings.Repeat("a", MaxTokenLength+1),
	}
	before := e.dump()
	for name, call := range tokenCalls(e.svc) {
		for _, id := range ids {
			err := call(t.Context(), id)
			if Status(err) != 401 {
				t.Errorf("%s(%.20q…): err = %v, want 401", name, id, err)
			}
			var se *StoreError
			if errors.As(err, &se) {
				t.Errorf("%s: hostile id surfaced as a StoreError", name)
			}
		}
	}
	if after := e.dump(); after != before {
		t.Errorf("hostile ids changed sessions:\n%s\n%s", before, after)
	}
	if _, _, ok, err := e.svc.UsernameAndRoleFromSession(t.Context(), strings.Repeat("z", 1<<20)); ok || err != nil {
		t.Errorf("1 MB id lookup: %v %v", ok, err)
	}
}

func TestUnknownRoleHoldsNothing(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("mod", "moderator")
	e.session(uid, "tok")
	id, err := e.svc.ValidateSession(t.Context(), "tok")
	if err != nil || id.Role != "moderator" {
		t.Fatalf("%+v %v", id, err)
	}
	for _, p := range Permissions {
		_, err := e.svc.ValidateSessionWithPermission(t.Context(), "tok", p)
		wantErr(t, err, Forbidden(p))
	}
	// The original's game validation checks no permission: any role plays.
	_, err = e.svc.ValidateSessionForGame(t.Context(), "tok")
	wantErr(t, err, ErrNoCharacter)
}

// TestLockedDatabase: while another process holds an exclusive lock, every
// call fails with ErrBusy inside a *StoreError (never a 401 that would log
// the user out), changes nothing, and works again once the lock is gone.
func TestLockedDatabase(t *testing.T) {
	path := storagetest.NewOriginal(t)
	raw := storagetest.Raw(t, path, true)
	uid := storagetest.AddUser(t, raw, storagetest.User{Name: "root", Role: "superuser"})
	vid := storagetest.AddUser(t, raw, storagetest.User{Name: "alice"})
	clk := storagetest.NewClock(storagetest.Epoch())
	storagetest.AddSession(t, raw, storagetest.Session{UserID: uid, Token: "op", Now: clk.Now(), TTL: time.Hour})
	storagetest.AddSession(t, raw, storagetest.Session{UserID: vid, Token: "v", Now: clk.Now(), TTL: time.Hour})
	st := storagetest.Open(t, path, storage.Options{BusyTimeout: 200 * time.Millisecond})
	svc := New(st, writeThrough(), WithClock(clk.Now))
	t.Cleanup(func() { svc.Close() })
	clk.Advance(time.Minute)
	before := storagetest.Dump(t, raw, "sessions")

	storagetest.Exec(t, raw, `BEGIN EXCLUSIVE`)
	calls := map[string]func() error{
		"ValidateSession": func() error { _, err := svc.ValidateSession(t.Context(), "v"); return err },
		"Login": func() error {
			_, err := svc.Login(t.Context(), "alice", storagetest.Password, "x")
			return err
		},
		"KickUser":      func() error { _, err := svc.KickUser(t.Context(), "op", "alice", ""); return err },
		"ClearAll":      func() error { _, err := svc.ClearAll(t.Context(), "op", false, ""); return err },
		"Snapshot":      func() error { _, err := svc.Snapshot(t.Context(), "op", ListQuery{}); return err },
		"ActiveCount":   func() error { _, err := svc.ActiveSessionCount(t.Context()); return err },
		"Cleanup":       func() error { _, err := svc.CleanupExpiredSessions(t.Context()); return err },
		"RemoveSession": func() error { _, err := svc.RemoveSession(t.Context(), "v"); return err },
	}
	for name, call := range calls {
		err := call()
		var se *StoreError
		if !errors.Is(err, ErrBusy) || !errors.As(err, &se) || Status(err) != 0 {
			t.Errorf("%s under lock: err = %v (%T), want a StoreError wrapping ErrBusy", name, err, err)
		}
	}
	storagetest.Exec(t, raw, `ROLLBACK`)
	if after := storagetest.Dump(t, raw, "sessions"); after != before {
		t.Errorf("calls under lock changed sessions:\n%s\n%s", before, after)
	}
	if _, err := svc.ValidateSession(t.Context(), "v"); err != nil {
		t.Errorf("after release: %v", err)
	}
	if res, err := svc.KickUser(t.Context(), "op", "alice", ""); err != nil || res.Removed != 1 {
		t.Errorf("kick after release: %+v %v", res, err)
	}
}

// TestReadOnlyService: on a read-only store the monitor reads work and
// every action answers ErrReadOnly without touching the file.
func TestReadOnlyService(t *testing.T) {
	path := storagetest.NewOriginal(t)
	raw := storagetest.Raw(t, path, true)
	uid := storagetest.AddUser(t, raw, storagetest.User{Name: "root", Role: "superuser"})
	clk := storagetest.NewClock(storagetest.Epoch())
	storagetest.AddSession(t, raw, storagetest.Session{UserID: uid, Token: "op", Now: clk.Now(), TTL: time.Hour})
	before := storagetest.Dump(t, raw, "sessions")
	st := storagetest.Open(t, path, storage.Options{ReadOnly: true})
	svc := New(st, writeThrough(), WithClock(clk.Now))
	t.Cleanup(func() { svc.Close() })
	clk.Advance(time.Minute)
	snap, err := svc.Snapshot(t.Context(), "op", ListQuery{Limit: 5})
	if err != nil || len(snap.Rows) != 1 {
		t.Fatalf("read-only snapshot: %v (%d rows)", err, len(snap.Rows))
	}
	if n, err := svc.ActiveSessionCount(t.Context()); err != nil || n != 1 {
		t.Errorf("count %d %v", n, err)
	}
	for name, err := range map[string]error{
		"ClearAll":        func() error { _, err := svc.ClearAll(t.Context(), "op", false, ""); return err }(),
		"ValidateSession": func() error { _, err := svc.ValidateSession(t.Context(), "op"); return err }(),
		"Login":           func() error { _, err := svc.Login(t.Context(), "root", storagetest.Password, ""); return err }(),
	} {
		if !errors.Is(err, ErrReadOnly) || Status(err) != 0 {
			t.Errorf("%s on read-only: %v", name, err)
		}
	}
	if after := storagetest.Dump(t, raw, "sessions"); after != before {
		t.Error("read-only service changed sessions")
	}
}

// TestClosedStoreIsStoreError: a broken database is never a 401.
func TestClosedStoreIsStoreError(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "player")
	e.session(uid, "tok-0123456789")
	e.st.Close()
	for name, call := range tokenCalls(e.svc) {
		err := call(t.Context(), "tok-0123456789")
		var se *StoreError
		if !errors.As(err, &se) || Status(err) != 0 {
			t.Errorf("%s on a closed store: %v (%T), want *StoreError", name, err, err)
		}
		// Error texts end up in logs and on screen: never the whole id.
		if err != nil && strings.Contains(err.Error(), "tok-0123456789") {
			t.Errorf("%s: error text holds the session id: %v", name, err)
		}
	}
	if _, err := e.svc.Login(t.Context(), "alice", storagetest.Password, ""); Status(err) != 0 || err == nil {
		t.Errorf("login on a closed store: %v", err)
	}
}
