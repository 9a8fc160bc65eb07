package auth

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"mudtop/storage/storagetest"
)

func TestLoginRefusals(t *testing.T) {
	e := newEnv(t, writeThrough())
	e.user("alice", "player")
	storagetest.AddUser(t, e.db, storagetest.User{Name: "banned", Inactive: true})
	storagetest.AddUser(t, e.db, storagetest.User{Name: "gone", Tombstoned: true})
	storagetest.AddUser(t, e.db, storagetest.User{Name: "ghostly", TombstonedOnly: true})
	storagetest.Exec(t, e.db, `INSERT INTO users (username, password_hash, role) VALUES ('norole', ?, '')`, storagetest.Hash4)
	cases := []struct {
		name, user, pass string
		want             *Error
	}{
		{"wrong password", "alice", "hunter2", ErrBadCredentials},
		{"unknown user", "mallory", storagetest.Password, ErrBadCredentials}, // same text: no user enumeration
		{"inactive", "banned", storagetest.Password, ErrDeactivated},
		{"tombstoned", "gone", storagetest.Password, ErrDeactivated},
		{"tombstoned, is_active left 1", "ghostly", storagetest.Password, ErrDeactivated},
		{"inactive, wrong password", "banned", "nope", ErrBadCredentials}, // no account-state oracle without the password
		{"one char", "a", "x", ErrUsernameLength},
		{"one char padded", "  a  ", "x", ErrUsernameLength},
		{"21 chars", strings.Repeat("a", 21), "x", ErrUsernameLength},
		{"empty", "", "", ErrUsernameLength},
		{"empty role", "norole", storagetest.Password, &Error{401, "Invalid user role"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.user == "mallory" && raceEnabled {
				t.Skip("verifies the cost-12 dummy hash: seconds under -race")
			}
			before := e.dump()
			_, err := e.svc.Login(t.Context(), c.user, c.pass, "browser")
			wantErr(t, err, c.want)
			if after := e.dump(); after != before {
				t.Errorf("refused login changed sessions")
			}
		})
	}
	if ErrBadCredentials.Detail != "Invalid username or password" || ErrDeactivated.Detail != "Account is deactivated" ||
		ErrUsernameLength.Status != 400 || ErrUsernameLength.Detail != "Username must be 2-20 characters" {
		t.Error("refusal texts drifted from the original's")
	}
}

func TestLoginSuccess(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "Admin")
	e.user(strings.Repeat("b", 20), "player")
	res, err := e.svc.Login(t.Context(), "  alice ", storagetest.Password, "  TUI ")
	if err != nil {
		t.Fatal(err)
	}
	if res.UserID != uid || res.Username != "alice" || res.Role != "Admin" {
		t.Errorf("identity %+v", res.Identity)
	}
	u, err := uuid.Parse(res.SessionID)
	if err != nil || u.Version() != 4 || u.String() != res.SessionID {
		t.Errorf("session id %q is not a canonical v4 UUID (%v)", res.SessionID, err)
	}
	now := ts(e.clk.Now())
	if got := e.text(res.SessionID, "client_type"); got != "tui" {
		t.Errorf("client_type = %q, want tui", got)
	}
	if got := e.text(res.SessionID, "created_at"); got != now {
		t.Errorf("created_at = %q", got)
	}
	if got := e.text(res.SessionID, "expires_at"); got != ts(e.clk.Now().Add(480*time.Minute)) {
		t.Errorf("expires_at = %q", got)
	}
	if got := storagetest.Scalar[string](t, e.db, `SELECT CAST(last_login AS TEXT) FROM users WHERE id = ?`, uid); got != now {
		t.Errorf("last_login = %q, want %q", got, now)
	}
	if _, err := e.svc.Login(t.Context(), strings.Repeat("b", 20), storagetest.Password, ""); err != nil {
		t.Errorf("20-char username refused: %v", err)
	}
	// Python's strip() also removes \x1c-\x1f (Go's TrimSpace keeps them):
	// the original logs "\x1falice" in as alice, and so must mudtop.
	r, err := e.svc.Login(t.Context(), "\x1f\u3000alice\x1c", storagetest.Password, "\x1eTUI\x1d")
	if err != nil || r.Username != "alice" {
		t.Errorf("login with Python whitespace around the name: %+v %v", r, err)
	} else if got := e.text(r.SessionID, "client_type"); got != "tui" {
		t.Errorf("client_type = %q, want tui", got)
	}
	// The route's client-type rule: header default and blank both become
	// 'unknown' (the repository alone would store '' for blanks).
	for _, ct := range []string{"", "   ", "\t"} {
		r, err := e.svc.Login(t.Context(), "alice", storagetest.Password, ct)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.text(r.SessionID, "client_type"); got != "unknown" {
			t.Errorf("client %q stored as %q, want unknown", ct, got)
		}
	}
}

func TestLoginSessionIDsDistinct(t *testing.T) {
	cfg := writeThrough()
	cfg.AllowMultipleSessions = true
	e := newEnv(t, cfg)
	e.user("alice", "player")
	seen := map[string]bool{}
	for range 20 {
		r, err := e.svc.Login(t.Context(), "alice", storagetest.Password, "x")
		if err != nil {
			t.Fatal(err)
		}
		if seen[r.SessionID] {
			t.Fatalf("session id %s issued twice", ShortID(r.SessionID))
		}
		if u, err := uuid.Parse(r.SessionID); err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("not a v4 UUID: %v", err)
		}
		seen[r.SessionID] = true
	}
	if n := storagetest.CountSessions(t, e.db); n != 20 {
		t.Errorf("allow-multiple: %d sessions, want 20", n)
	}
}

// TestSingleSessionRule: with allow_multiple_sessions off a login removes
// every other session of that user (account and in-world, expired or not)
// and nobody else's.
func TestSingleSessionRule(t *testing.T) {
	e := newEnv(t, writeThrough())
	a := e.user("alice", "player")
	b := e.user("bob", "player")
	c := storagetest.AddCharacter(t, e.db, a, "Ali", "pipeworks_web")
	e.session(a, "a-account")
	storagetest.AddSession(t, e.db, storagetest.Session{UserID: a, Token: "a-world", CharacterID: c, WorldID: "pipeworks_web", Now: e.clk.Now(), TTL: time.Hour})
	storagetest.AddSession(t, e.db, storagetest.Session{UserID: a, Token: "a-expired", Now: e.clk.Now().Add(-48 * time.Hour), TTL: time.Hour})
	e.session(b, "b-1")
	res, err := e.svc.Login(t.Context(), "alice", storagetest.Password, "browser")
	if err != nil {
		t.Fatal(err)
	}
	if res.Replaced != 3 {
		t.Errorf("Replaced = %d, want 3", res.Replaced)
	}
	for _, tok := range []string{"a-account", "a-world", "a-expired"} {
		if e.has(tok) {
			t.Errorf("%s survived the single-session rule", tok)
		}
	}
	if !e.has("b-1") || !e.has(res.SessionID) {
		t.Error("login removed the wrong sessions")
	}
	if n := storagetest.CountSessions(t, e.db); n != 2 {
		t.Errorf("%d sessions, want 2", n)
	}
}

func TestAllowMultipleKeepsSessions(t *testing.T) {
	cfg := writeThrough()
	cfg.AllowMultipleSessions = true
	e := newEnv(t, cfg)
	a := e.user("alice", "player")
	e.session(a, "a-old")
	res, err := e.svc.Login(t.Context(), "alice", storagetest.Password, "browser")
	if err != nil || res.Replaced != 0 {
		t.Fatalf("login: %+v %v", res, err)
	}
	if !e.has("a-old") {
		t.Error("allow-multiple removed the earlier session")
	}
}

// TestLoginDelay protects against password guessing: after three failures
// in a row for one username, attempts for it are refused (429) without
// checking the password, for a delay that doubles; a success resets it;
// other usernames are not affected.
func TestLoginDelay(t *testing.T) {
	e := newEnv(t, writeThrough())
	e.user("alice", "player")
	e.user("bob", "player")
	login := func(user, pass string) error {
		_, err := e.svc.Login(t.Context(), user, pass, "x")
		return err
	}
	for i := range 3 {
		if err := login("alice", "wrong"); !isErr(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	err := login("alice", storagetest.Password)
	if Status(err) != 429 || err.Error() != "Too many failed logins. Try again in 1 s." {
		t.Fatalf("4th attempt with the right password = %v, want 429 for 1 s", err)
	}
	if err := login("ALICE", storagetest.Password); Status(err) != 429 {
		t.Errorf("the delay is per username, case-insensitively: %v", err)
	}
	if err := login("bob", storagetest.Password); err != nil {
		t.Errorf("bob delayed by alice's failures: %v", err)
	}
	e.clk.Advance(time.Second)
	if err := login("alice", "wrong"); !isErr(err, ErrBadCredentials) {
		t.Fatalf("after the delay: %v", err)
	}
	// Four failures: the delay doubles to 2 s.
	e.clk.Advance(1999 * time.Millisecond)
	if err := login("alice", storagetest.Password); Status(err) != 429 {
		t.Fatalf("inside the 2 s delay: %v", err)
	}
	e.clk.Advance(time.Millisecond)
	if err := login("alice", storagetest.Password); err != nil {
		t.Fatalf("after the 2 s delay: %v", err)
	}
	// Reset: three more failures are free again.
	for i := range 3 {
		if err := login("alice", "wrong"); !isErr(err, ErrBadCredentials) {
			t.Fatalf("after reset, failure %d: %v", i+1, err)
		}
	}
	// The cap: many failures never lock an account out for more than 30 s.
	for range 40 {
		e.clk.Advance(31 * time.Second)
		_ = login("alice", "wrong")
	}
	e.clk.Advance(30 * time.Second)
	if err := login("alice", storagetest.Password); err != nil {
		t.Errorf("after 30 s at the cap: %v", err)
	}
}

func isErr(err error, want *Error) bool {
	var e *Error
	return asErr(err, &e) && e.Status == want.Status && e.Detail == want.Detail
}

// TestHashPassword: hashes mudtop writes (mudtop init) are bcrypt at the
// original's cost, and its own login accepts them.
func TestHashPassword(t *testing.T) {
	if raceEnabled {
		t.Skip("cost-12 bcrypt takes seconds under -race")
	}
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost != BcryptCost || BcryptCost != 12 || len(h) != 60 || !strings.HasPrefix(h, "$2") {
		t.Errorf("hash %q cost %d %v", h[:7], cost, err)
	}
	e := newEnv(t, writeThrough())
	storagetest.AddUser(t, e.db, storagetest.User{Name: "carol", Hash: h})
	if _, err := e.svc.Login(t.Context(), "carol", "correct horse", ""); err != nil {
		t.Errorf("login with a mudtop hash: %v", err)
	}
	if _, err := HashPassword(strings.Repeat("x", 73)); err == nil {
		t.Error("a password over bcrypt's 72 bytes was hashed (it would be silently truncated)")
	}
}

// The limiter's memory is bounded: a guesser cycling through usernames must
// not grow it without end, while a fresh run of failures is still slowed.
func TestLoginLimiterForgetsIdleNames(t *testing.T) {
	l := newLoginLimiter()
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := range limiterMaxEntries {
		l.fail(fmt.Sprintf("user%d", i), start)
	}
	later := start.Add(limiterForgetAfter + time.Minute)
	for range 3 {
		l.fail("eve", later)
	}
	if n := len(l.state); n != 1 {
		t.Fatalf("limiter holds %d names after pruning, want 1 (eve)", n)
	}
	if l.wait("eve", later) == 0 {
		t.Fatal("eve's three failures in a row no longer delay her")
	}
}
