package auth

import (
	"testing"
	"time"

	"mudtop/storage/storagetest"
)

// edgeRows is COMPAT.md §5.2's table of stored expires_at values, every row
// verified against the original, plus mudtop's one documented deviation
// (integer expiry: 401 and the row kept, where the original crashes with an
// unhandled 500 and also keeps it).
var edgeRows = []struct {
	name       string
	value      any
	valid      bool // ValidateSession succeeds
	deleted    bool // ...and the lookup removed the row
	counted    bool // ActiveSessionCount includes it
	cleanedUp  bool // CleanupExpiredSessions removes it
	wantBroken bool // mudtop's deviation: refused but kept
}{
	{"NULL", nil, true, false, true, false, false},
	{"empty", "", true, false, false, false, false},
	{"T separator", "2099-01-01T00:00:00", false, true, true, false, false},
	{"fraction", "2099-01-01 00:00:00.250", false, true, true, false, false},
	{"Z suffix", "2099-01-01 00:00:00Z", false, true, true, false, false},
	{"no seconds", "2099-01-01 00:00", false, true, true, false, false},
	{"not a date", "not-a-date", false, true, false, false, false},
	{"unpadded", "2099-1-2 3:04:05", true, false, false, false, false},
	{"two spaces", "2099-01-02  03:04:05", true, false, true, false, false},
	{"past", "2000-01-01 00:00:00", false, true, false, true, false},
	{"integer 4102444800", int64(4102444800), false, false, false, false, true},
	{"integer 0", int64(0), true, false, false, true, false},
	{"real 0.0", 0.0, true, false, false, true, false},
}

func TestExpiryEdgeTable(t *testing.T) {
	for _, r := range edgeRows {
		t.Run(r.name, func(t *testing.T) {
			setup := func() *env {
				e := newEnv(t, writeThrough())
				uid := e.user("alice", "player")
				e.session(uid, "tok")
				storagetest.SetColumn(t, e.db, "tok", "expires_at", r.value)
				return e
			}

			e := setup()
			id, err := e.svc.ValidateSession(t.Context(), "tok")
			if r.valid {
				if err != nil || id.Username != "alice" {
					t.Fatalf("validate = %+v, %v; want alice", id, err)
				}
				if !e.has("tok") {
					t.Error("valid session removed")
				}
				// The slide always leaves a real expiry behind (the
				// original's '' row included).
				if got, want := e.text("tok", "expires_at"), ts(e.clk.Now().Add(e.cfg.TTL)); got != want {
					t.Errorf("after validate expires_at = %q, want %q", got, want)
				}
			} else {
				wantErr(t, err, ErrInvalidSession)
				if Status(err) != 401 {
					t.Errorf("status %d", Status(err))
				}
				if got := e.has("tok"); got == r.deleted {
					t.Errorf("row present after refusal = %v, want deleted = %v", got, r.deleted)
				}
			}
			if r.wantBroken {
				var se *StoreError
				if asStoreErr(err, &se) {
					t.Errorf("integer expiry surfaced as a StoreError: %v", err)
				}
				if got := storagetest.Typeof(t, e.db, "tok", "expires_at"); got != "integer" {
					t.Errorf("integer expiry rewritten to %s", got)
				}
			}

			e = setup()
			n, err := e.svc.ActiveSessionCount(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[r.counted]; n != want {
				t.Errorf("ActiveSessionCount = %d, want %d", n, want)
			}
			if !e.has("tok") {
				t.Error("counting removed the row")
			}

			e = setup()
			n, err = e.svc.CleanupExpiredSessions(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[r.cleanedUp]; n != want || e.has("tok") == r.cleanedUp {
				t.Errorf("CleanupExpiredSessions removed %d (row present %v), want removed %v", n, e.has("tok"), r.cleanedUp)
			}
		})
	}
}

// TestBrokenExpiryAlsoRefusedByLookups: the integer row is refused by the
// no-activity lookups and the monitor's operator check as well, and none of
// them deletes it.
func TestBrokenExpiryAlsoRefusedByLookups(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("root", "superuser")
	e.session(uid, "tok")
	storagetest.SetColumn(t, e.db, "tok", "expires_at", int64(4102444800))
	if _, _, ok, err := e.svc.UsernameAndRoleFromSession(t.Context(), "tok"); ok || err != nil {
		t.Errorf("UsernameAndRoleFromSession ok=%v err=%v", ok, err)
	}
	_, err := e.svc.CheckOperator(t.Context(), "tok")
	wantErr(t, err, ErrInvalidSession)
	_, err = e.svc.ClearAll(t.Context(), "tok", true, "")
	wantErr(t, err, ErrInvalidSession)
	if !e.has("tok") {
		t.Error("integer-expiry row removed")
	}
}

// TestActiveWindowBoundary: the window uses >=, so activity exactly
// window-old still counts and one second older does not; the expiry side
// is strict.
func TestActiveWindowBoundary(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "player")
	now := e.clk.Now()
	set := func(tok string, last, exp time.Time) {
		e.session(uid, tok)
		storagetest.SetColumn(t, e.db, tok, "last_activity", ts(last))
		storagetest.SetColumn(t, e.db, tok, "expires_at", ts(exp))
	}
	set("edge", now.Add(-30*time.Minute), now.Add(time.Hour))              // counted
	set("older", now.Add(-30*time.Minute-time.Second), now.Add(time.Hour)) // not
	set("expiring-now", now, now)                                          // expires_at = now: not
	set("next-second", now, now.Add(time.Second))                          // counted
	n, err := e.svc.ActiveSessionCount(t.Context())
	if err != nil || n != 2 {
		t.Errorf("ActiveSessionCount = %d, %v; want 2", n, err)
	}
	// Window off: every unexpired session counts, whatever its activity.
	e2 := envOn(t, e.st, func() Config { c := writeThrough(); c.ActiveWindow = 0; return c }())
	e2.clk.Set(now)
	if n, err := e2.svc.ActiveSessionCount(t.Context()); err != nil || n != 3 {
		t.Errorf("window off: count = %d, %v; want 3", n, err)
	}
	// NULL or unreadable last_activity is never inside the window.
	storagetest.SetColumn(t, e.db, "edge", "last_activity", nil)
	storagetest.SetColumn(t, e.db, "next-second", "last_activity", "yesterday")
	if n, err := e.svc.ActiveSessionCount(t.Context()); err != nil || n != 0 {
		t.Errorf("count with NULL/garbage last_activity = %d, %v; want 0", n, err)
	}
}
