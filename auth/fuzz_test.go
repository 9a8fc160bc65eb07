package auth

import (
	"errors"
	"testing"

	"mudtop/storage/storagetest"
)

// FuzzSessionID: whatever a client sends as a session id, the answer is a
// plain 401 (never a panic, never a database error that would read as an
// outage) and nothing in the database changes.
func FuzzSessionID(f *testing.F) {
	e := newEnv(f, writeThrough())
	uid := e.user("root", "superuser")
	const real = "0b5e8c1e-7d2a-4f4e-9c51-2a8f3f6f1c11"
	e.session(uid, real)
	for _, s := range []string{"", real + "x", real[:8], "' OR 1=1 --", "\x00", "\xff", "%", "_", "{" + real + "}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if id == real {
			return
		}
		var se *StoreError
		_, err := e.svc.ValidateSession(t.Context(), id)
		if Status(err) != 401 || errors.As(err, &se) {
			t.Fatalf("ValidateSession(%q) = %v", id, err)
		}
		if _, err := e.svc.ValidateSessionForGame(t.Context(), id); Status(err) != 401 {
			t.Fatalf("ValidateSessionForGame(%q) = %v", id, err)
		}
		if _, err := e.svc.CheckOperator(t.Context(), id); Status(err) != 401 {
			t.Fatalf("CheckOperator(%q) = %v", id, err)
		}
		if _, _, ok, err := e.svc.UsernameAndRoleFromSession(t.Context(), id); ok || err != nil {
			t.Fatalf("UsernameAndRoleFromSession(%q) = %v, %v", id, ok, err)
		}
		if n := storagetest.CountSessions(t, e.db); n != 1 {
			t.Fatalf("%d sessions after %q", n, id)
		}
	})
}
