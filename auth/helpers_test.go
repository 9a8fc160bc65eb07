package auth

import (
	"database/sql"
	"errors"
	"os/exec"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// env is one test's world: a real SQLite file, a fake clock and a service.
type env struct {
	t   testing.TB
	st  *storage.Store
	db  *sql.DB
	clk *storagetest.Clock
	svc *Service
	cfg Config
}

// writeThrough is the original's behaviour: every activity update written
// at once. Most tests use it so the database shows each step.
func writeThrough() Config {
	c := DefaultConfig()
	c.ActivityFlush = 0
	return c
}

func newEnv(t testing.TB, cfg Config) *env {
	t.Helper()
	return envOn(t, storagetest.New(t), cfg)
}

// newOriginalEnv runs the service on a database made as the original
// makes it (rollback journal), opened with storage.Open.
func newOriginalEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	return envOn(t, storagetest.Open(t, storagetest.NewOriginal(t), storage.Options{}), cfg)
}

func envOn(t testing.TB, st *storage.Store, cfg Config) *env {
	t.Helper()
	clk := storagetest.NewClock(storagetest.Epoch())
	svc := New(st, cfg, WithClock(clk.Now))
	t.Cleanup(func() { svc.Close() })
	return &env{t: t, st: st, db: st.DB(), clk: clk, svc: svc, cfg: cfg}
}

func (e *env) user(name, role string) int64 {
	e.t.Helper()
	return storagetest.AddUser(e.t, e.db, storagetest.User{Name: name, Role: role, At: e.clk.Now()})
}

// session inserts a session for uid created now with the env's TTL.
func (e *env) session(uid int64, token string) int64 {
	e.t.Helper()
	return storagetest.AddSession(e.t, e.db, storagetest.Session{UserID: uid, Token: token, ClientType: "browser", Now: e.clk.Now(), TTL: e.cfg.TTL})
}

func (e *env) has(token string) bool {
	e.t.Helper()
	return storagetest.HasSession(e.t, e.db, token)
}

func (e *env) text(token, col string) string {
	e.t.Helper()
	return storagetest.Text(e.t, e.db, token, col)
}

func (e *env) dump() string {
	e.t.Helper()
	return storagetest.Dump(e.t, e.db, "sessions")
}

// wantErr asserts err is exactly the refusal want (status and detail).
func wantErr(t *testing.T, err error, want *Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v (%T), want %d %q", err, err, want.Status, want.Detail)
	}
}

func ts(t time.Time) string { return storage.FormatTime(t) }

func asStoreErr(err error, se **StoreError) bool { return errors.As(err, se) }

func asErr(err error, e **Error) bool { return errors.As(err, e) }

func asExit(err error, ee **exec.ExitError) bool { return errors.As(err, ee) }
