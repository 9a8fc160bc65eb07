package auth

import (
	"testing"
	"time"

	"mudtop/storage/storagetest"
)

// coalesced delays activity writes far beyond any test, so only an explicit
// Flush (or Close) writes them.
func coalesced() Config {
	c := DefaultConfig()
	c.ActivityFlush = time.Hour
	return c
}

func TestSlidingRenewal(t *testing.T) {
	for _, mode := range []struct {
		name string
		cfg  Config
	}{{"write-through", writeThrough()}, {"coalesced", coalesced()}} {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, mode.cfg)
			uid := e.user("alice", "player")
			e.session(uid, "tok")
			created := e.text("tok", "created_at")
			now := e.clk.Advance(10 * time.Minute)
			if _, err := e.svc.ValidateSession(t.Context(), "tok"); err != nil {
				t.Fatal(err)
			}
			if mode.cfg.ActivityFlush > 0 {
				// Not yet written: the update waits for the flush.
				if got := e.text("tok", "last_activity"); got != created {
					t.Errorf("coalesced: last_activity written before flush: %q", got)
				}
				if err := e.svc.Flush(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if got := e.text("tok", "last_activity"); got != ts(now) {
				t.Errorf("last_activity = %q, want %q", got, ts(now))
			}
			if got := e.text("tok", "expires_at"); got != ts(now.Add(480*time.Minute)) {
				t.Errorf("expires_at = %q, want now+480m %q", got, ts(now.Add(480*time.Minute)))
			}
			if got := e.text("tok", "created_at"); got != created {
				t.Errorf("created_at changed to %q", got)
			}
		})
	}
}

// TestPendingRenewalKeepsSessionValid: with coalescing, a renewal not yet
// written must still count in this process, or a session used a minute
// before its old expiry would be refused (and deleted) a minute after it.
func TestPendingRenewalKeepsSessionValid(t *testing.T) {
	e := newEnv(t, coalesced())
	uid := e.user("alice", "player")
	e.session(uid, "tok")
	oldExp := e.text("tok", "expires_at")
	e.clk.Advance(479 * time.Minute)
	if _, err := e.svc.ValidateSession(t.Context(), "tok"); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(2 * time.Minute) // past the expiry still stored
	if got := e.text("tok", "expires_at"); got != oldExp {
		t.Fatalf("renewal written early: %q", got)
	}
	if _, err := e.svc.ValidateSession(t.Context(), "tok"); err != nil {
		t.Fatalf("just-used session refused: %v", err)
	}
	if _, _, ok, err := e.svc.UsernameAndRoleFromSession(t.Context(), "tok"); !ok || err != nil {
		t.Errorf("UsernameAndRoleFromSession ok=%v err=%v", ok, err)
	}
	if !e.has("tok") {
		t.Fatal("just-used session deleted")
	}
	if err := e.svc.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := e.text("tok", "expires_at"), ts(e.clk.Now().Add(480*time.Minute)); got != want {
		t.Errorf("after flush expires_at = %q, want %q", got, want)
	}
}

// TestKickedSessionFailsNextValidation: validity is never cached. A session
// removed by another process (a kick from another admin's mudtop, or the
// server) is refused at once even while its renewal is pending, and the
// flush cannot bring it back.
func TestKickedSessionFailsNextValidation(t *testing.T) {
	for _, mode := range []struct {
		name string
		cfg  Config
	}{{"write-through", writeThrough()}, {"coalesced", coalesced()}} {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, mode.cfg)
			uid := e.user("alice", "player")
			e.session(uid, "tok")
			if _, err := e.svc.ValidateSession(t.Context(), "tok"); err != nil {
				t.Fatal(err)
			}
			other := storagetest.Raw(t, e.st.Path(), true)
			storagetest.Exec(t, other, `DELETE FROM sessions WHERE session_id = ?`, "tok")
			_, err := e.svc.ValidateSession(t.Context(), "tok")
			wantErr(t, err, ErrInvalidSession)
			if err := e.svc.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			if e.has("tok") {
				t.Error("flush resurrected a kicked session")
			}
		})
	}
}

func TestTTLZeroNeverExpires(t *testing.T) {
	cfg := writeThrough()
	cfg.TTL = 0
	e := newEnv(t, cfg)
	e.user("alice", "player")
	res, err := e.svc.Login(t.Context(), "alice", storagetest.Password, "browser")
	if err != nil {
		t.Fatal(err)
	}
	if got := storagetest.Typeof(t, e.db, res.SessionID, "expires_at"); got != "null" {
		t.Fatalf("TTL 0: expires_at typeof = %s, want null", got)
	}
	now := e.clk.Advance(1000 * 24 * time.Hour)
	if _, err := e.svc.ValidateSession(t.Context(), res.SessionID); err != nil {
		t.Fatalf("TTL 0 session refused after 1000 days: %v", err)
	}
	if got := storagetest.Typeof(t, e.db, res.SessionID, "expires_at"); got != "null" {
		t.Errorf("TTL 0: validation slid expires_at (%s)", got)
	}
	if got := e.text(res.SessionID, "last_activity"); got != ts(now) {
		t.Errorf("last_activity = %q, want %q", got, ts(now))
	}
}

func TestSlidingOff(t *testing.T) {
	cfg := writeThrough()
	cfg.SlidingExpiration = false
	e := newEnv(t, cfg)
	uid := e.user("alice", "player")
	e.session(uid, "tok")
	exp := e.text("tok", "expires_at")
	now := e.clk.Advance(100 * time.Minute)
	if _, err := e.svc.ValidateSession(t.Context(), "tok"); err != nil {
		t.Fatal(err)
	}
	if got := e.text("tok", "expires_at"); got != exp {
		t.Errorf("sliding off: expires_at moved to %q", got)
	}
	if got := e.text("tok", "last_activity"); got != ts(now) {
		t.Errorf("last_activity = %q, want %q", got, ts(now))
	}
	// And it expires at created_at + TTL however much it is used.
	e.clk.Set(storagetest.Epoch().Add(480 * time.Minute))
	_, err := e.svc.ValidateSession(t.Context(), "tok")
	wantErr(t, err, ErrInvalidSession)
	if e.has("tok") {
		t.Error("expired row kept after lookup")
	}
}

// TestSameSecondNotWritten: a validation in the second the row already
// holds changes nothing and so writes nothing (no commit, no fsync). A
// trigger on a scratch table counts the UPDATEs that reach SQLite.
func TestSameSecondNotWritten(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "player")
	e.session(uid, "tok")
	storagetest.Exec(t, e.db, `CREATE TABLE upd_log (n INTEGER)`)
	storagetest.Exec(t, e.db, `CREATE TRIGGER count_upd AFTER UPDATE ON sessions BEGIN INSERT INTO upd_log VALUES (1); END`)
	updates := func() int { return storagetest.Scalar[int](t, e.db, `SELECT count(*) FROM upd_log`) }
	for range 3 {
		if _, err := e.svc.ValidateSession(t.Context(), "tok"); err != nil {
			t.Fatal(err)
		}
	}
	if n := updates(); n != 0 {
		t.Errorf("validations in the creation second wrote %d updates, want 0", n)
	}
	e.clk.Advance(999 * time.Millisecond) // still the same second
	if _, err := e.svc.ValidateSession(t.Context(), "tok"); err != nil {
		t.Fatal(err)
	}
	if n := updates(); n != 0 {
		t.Errorf("same-second validation wrote %d updates", n)
	}
	e.clk.Advance(time.Millisecond)
	if _, err := e.svc.ValidateSession(t.Context(), "tok"); err != nil {
		t.Fatal(err)
	}
	if n := updates(); n != 1 {
		t.Errorf("next-second validation wrote %d updates, want 1", n)
	}
}

func TestExpiredDeletedOnLookup(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "player")
	e.session(uid, "a")
	e.session(uid, "b")
	e.clk.Advance(480*time.Minute - time.Nanosecond)
	if _, err := e.svc.ValidateSession(t.Context(), "a"); err != nil {
		t.Fatalf("valid a nanosecond before expiry: %v", err)
	}
	e.clk.Set(storagetest.Epoch().Add(480 * time.Minute))
	// b was not renewed: it expires at the first instant of its second.
	_, _, ok, err := e.svc.UsernameAndRoleFromSession(t.Context(), "b")
	if ok || err != nil {
		t.Fatalf("expired b: ok=%v err=%v", ok, err)
	}
	if e.has("b") {
		t.Error("UsernameAndRoleFromSession kept an expired row (the original deletes it)")
	}
	if !e.has("a") {
		t.Error("renewed a was removed")
	}
}

// TestUsernameAndRoleNoActivity: the no-activity lookups never extend a
// session (COMPAT.md §6), in either mode.
func TestUsernameAndRoleNoActivity(t *testing.T) {
	for _, cfg := range []Config{writeThrough(), coalesced()} {
		e := newEnv(t, cfg)
		uid := e.user("alice", "Admin")
		e.session(uid, "tok")
		before := e.dump()
		e.clk.Advance(5 * time.Minute)
		u, r, ok, err := e.svc.UsernameAndRoleFromSession(t.Context(), "tok")
		if u != "alice" || r != "Admin" || !ok || err != nil {
			t.Errorf("= %q %q %v %v; want alice Admin (verbatim role)", u, r, ok, err)
		}
		if u, ok, err := e.svc.UsernameFromSession(t.Context(), "tok"); u != "alice" || !ok || err != nil {
			t.Errorf("UsernameFromSession = %q %v %v", u, ok, err)
		}
		if err := e.svc.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		if after := e.dump(); after != before {
			t.Errorf("lookup without activity changed the row:\n%s\n%s", before, after)
		}
		if _, _, ok, _ := e.svc.UsernameAndRoleFromSession(t.Context(), "nope"); ok {
			t.Error("unknown token found")
		}
	}
}

// TestActivityBeforeUserCheck is the original's quirk (COMPAT.md §5.3 step
// 2): a session whose user row is gone answers 401 "Invalid session user",
// yet its activity was recorded first and the row is not deleted.
func TestActivityBeforeUserCheck(t *testing.T) {
	for _, mode := range []struct {
		name string
		cfg  Config
	}{{"write-through", writeThrough()}, {"coalesced", coalesced()}} {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, mode.cfg)
			uid := e.user("ghost", "admin")
			e.session(uid, "tok")
			raw := storagetest.Raw(t, e.st.Path(), false)
			storagetest.Exec(t, raw, `DELETE FROM users WHERE id = ?`, uid)
			now := e.clk.Advance(3 * time.Minute)
			_, err := e.svc.ValidateSession(t.Context(), "tok")
			wantErr(t, err, ErrInvalidSessionUser)
			if err := e.svc.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			if !e.has("tok") {
				t.Fatal("orphaned session deleted (the original keeps it)")
			}
			if got := e.text("tok", "last_activity"); got != ts(now) {
				t.Errorf("last_activity = %q, want the touch at %q", got, ts(now))
			}
			if _, _, ok, err := e.svc.UsernameAndRoleFromSession(t.Context(), "tok"); ok || err != nil {
				t.Errorf("orphan: UsernameAndRoleFromSession ok=%v err=%v", ok, err)
			}
		})
	}
}

// TestPermissionDeniedStillTouches: validate_session_with_permission
// commits the activity update before its 403.
func TestPermissionDeniedStillTouches(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("pat", "player")
	e.session(uid, "tok")
	now := e.clk.Advance(time.Minute)
	_, err := e.svc.ValidateSessionWithPermission(t.Context(), "tok", KickUsers)
	wantErr(t, err, Forbidden(KickUsers))
	if err.Error() != "Insufficient permissions. Required: kick_users" {
		t.Errorf("detail %q", err.Error())
	}
	if got := e.text("tok", "last_activity"); got != ts(now) {
		t.Errorf("last_activity = %q, want %q", got, ts(now))
	}
	id, err := e.svc.ValidateSessionWithPermission(t.Context(), "tok", PlayGame)
	if err != nil || id.Username != "pat" {
		t.Errorf("play_game: %+v %v", id, err)
	}
	_, err = e.svc.ValidateSessionWithPermission(t.Context(), "missing", PlayGame)
	wantErr(t, err, ErrInvalidSession) // 401 before 403
}

// TestDeactivatedSessionsStillValidate: the original's validate_session
// does not look at is_active or tombstoned_at; only login and mudtop's
// guarded actions do.
func TestDeactivatedSessionsStillValidate(t *testing.T) {
	e := newEnv(t, writeThrough())
	a := storagetest.AddUser(t, e.db, storagetest.User{Name: "banned", Inactive: true})
	b := storagetest.AddUser(t, e.db, storagetest.User{Name: "gone", Tombstoned: true})
	e.session(a, "ta")
	e.session(b, "tb")
	for _, tok := range []string{"ta", "tb"} {
		if _, err := e.svc.ValidateSession(t.Context(), tok); err != nil {
			t.Errorf("%s: %v", tok, err)
		}
	}
}

func TestLogoutRemovesSession(t *testing.T) {
	e := newEnv(t, coalesced())
	uid := e.user("alice", "player")
	e.session(uid, "tok")
	e.clk.Advance(time.Minute)
	id, err := e.svc.Logout(t.Context(), "tok")
	if err != nil || id.Username != "alice" {
		t.Fatalf("logout = %+v %v", id, err)
	}
	if err := e.svc.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if e.has("tok") {
		t.Error("session survived logout (or the flush brought it back)")
	}
	_, err = e.svc.Logout(t.Context(), "tok")
	wantErr(t, err, ErrInvalidSession)
	if ok, err := e.svc.RemoveSession(t.Context(), "tok"); ok || err != nil {
		t.Errorf("RemoveSession of a missing session = %v, %v; want false, nil", ok, err)
	}
}

func TestClearAllSessionsUnguarded(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "player")
	e.session(uid, "a")
	e.session(uid, "b")
	if n, err := e.svc.ClearAllSessions(t.Context()); n != 2 || err != nil {
		t.Errorf("ClearAllSessions = %d, %v", n, err)
	}
	if n, err := e.svc.ClearAllSessions(t.Context()); n != 0 || err != nil {
		t.Errorf("second ClearAllSessions = %d, %v", n, err)
	}
}

// TestActiveCountFollowsTheClock: the count is a function of the rows and
// of now. Repeated counts on an unchanged file (which a cache may answer)
// must still see sessions expire and go idle as time passes, and see rows
// changed by another process.
func TestActiveCountFollowsTheClock(t *testing.T) {
	for _, orig := range []bool{false, true} {
		e := newEnv(t, writeThrough())
		if orig {
			e = newOriginalEnv(t, writeThrough())
		}
		uid := e.user("alice", "admin")
		e.session(uid, "a")
		e.session(uid, "b")
		storagetest.SetColumn(t, e.db, "b", "expires_at", ts(e.clk.Now().Add(10*time.Minute)))
		count := func() int {
			t.Helper()
			n, err := e.svc.ActiveSessionCount(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			// The monitor's header must agree with the count every time.
			snap, err := e.svc.Snapshot(t.Context(), "a", ListQuery{Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			if snap.Counts.Active != n {
				t.Errorf("orig=%v: Snapshot Active %d, ActiveSessionCount %d", orig, snap.Counts.Active, n)
			}
			return n
		}
		for range 3 {
			if n := count(); n != 2 {
				t.Fatalf("orig=%v: count = %d, want 2", orig, n)
			}
		}
		e.clk.Advance(10 * time.Minute) // b expires at this instant
		for range 3 {
			if n := count(); n != 1 {
				t.Fatalf("orig=%v: after b's expiry count = %d, want 1", orig, n)
			}
		}
		e.clk.Advance(20*time.Minute + time.Second) // a idle for 30m01s
		for range 3 {
			if n := count(); n != 0 {
				t.Fatalf("orig=%v: after the window count = %d, want 0", orig, n)
			}
		}
		other := storagetest.Raw(t, e.st.Path(), true)
		storagetest.Exec(t, other, `UPDATE sessions SET last_activity = ? WHERE session_id = 'a'`, ts(e.clk.Now()))
		if n := count(); n != 1 {
			t.Fatalf("orig=%v: after another process's touch count = %d, want 1", orig, n)
		}
	}
}
