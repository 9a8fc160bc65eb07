package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

func newGuardedWorld(t *testing.T, opRole, targetRole string) *guardedWorld {
	t.Helper()
	cfg := writeThrough()
	cfg.AllowMultipleSessions = true
	w := &guardedWorld{env: newEnv(t, cfg)}
	now := w.clk.Now()
	w.opID = storagetest.AddUser(t, w.db, storagetest.User{Name: "oper", At: now})
	w.vID = storagetest.AddUser(t, w.db, storagetest.User{Name: "victim", At: now})
	w.byID = storagetest.AddUser(t, w.db, storagetest.User{Name: "bystander", At: now})
	w.vChar = storagetest.AddCharacter(t, w.db, w.vID, "Vic", world)
	w.sessionsQ = storagetest.DumpQuery(t, w.db, "sessions")
	w.auditQ = storagetest.DumpQuery(t, w.db, storage.AuditTable)
	w.reset(t, opRole, targetRole)
	return w
}

// reset recasts the world in one transaction of prepared statements: the
// matrix needs hundreds of fresh worlds, and under the race detector parsing
// SQL in the pure-Go SQLite costs more than running it. The users and the
// character stay; roles, account state, sessions and the audit log are
// rewritten.
func (w *guardedWorld) reset(t *testing.T, opRole, targetRole string) {
	t.Helper()
	w.t, w.env.t = t, t
	w.op, w.v1, w.v2, w.by = uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	w.clk.Set(storagetest.Epoch())
	now := w.clk.Now()
	c, e := ts(now), ts(now.Add(w.cfg.TTL))
	if w.resetStmts == nil {
		for _, q := range []string{
			`DELETE FROM sessions`,
			`DELETE FROM ` + storage.AuditTable,
			`UPDATE users SET role = CASE id WHEN ?1 THEN ?2 WHEN ?3 THEN ?4 ELSE 'player' END, is_active = 1, tombstoned_at = NULL`,
			`INSERT INTO sessions (user_id, character_id, world_id, session_id, created_at, last_activity, expires_at, client_type)
			VALUES (?1, NULL, NULL, ?2, ?9, ?9, ?10, 'browser'), (?3, NULL, NULL, ?4, ?9, ?9, ?10, 'browser'),
			(?3, ?11, ?12, ?5, ?9, ?9, ?10, 'browser'), (?6, NULL, NULL, ?7, ?9, ?9, ?10, 'browser')`,
		} {
			st, err := w.db.Prepare(q)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			w.resetStmts = append(w.resetStmts, st)
		}
	}
	tx, err := w.db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	args := [][]any{nil, nil,
		{w.opID, opRole, w.vID, targetRole},
		{w.opID, w.op, w.vID, w.v1, w.v2, w.byID, w.by, nil, c, e, w.vChar, world}}
	for i, st := range w.resetStmts {
		if _, err := tx.Stmt(st).Exec(args[i]...); err != nil {
			t.Fatalf("reset: %v", err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(time.Minute) // so any touch would show in the dump
}

// guardedWorld is the cast of the privilege matrix: an operator, a victim
// with two sessions (one in-world), and a bystander.
type guardedWorld struct {
	*env
	op, v1, v2, by    string
	opID, vID, byID   int64
	vChar             int64
	sessionsQ, auditQ string
	resetStmts        []*sql.Stmt
}

func (w *guardedWorld) dump() string { return storagetest.DumpWith(w.t, w.db, w.sessionsQ) }

func (w *guardedWorld) rowID(token string) int64 {
	return storagetest.Scalar[int64](w.t, w.db, `SELECT id FROM sessions WHERE session_id = ?`, token)
}

// operator states the matrix applies before acting.
var opStates = []struct {
	name  string
	apply func(w *guardedWorld)
	want  func(p Permission) *Error // nil: the state does not refuse by itself
}{
	{"valid", func(*guardedWorld) {}, nil},
	{"expired", func(w *guardedWorld) {
		storagetest.SetColumn(w.t, w.db, w.op, "expires_at", ts(w.clk.Now().Add(-time.Second)))
	}, func(Permission) *Error { return ErrInvalidSession }},
	{"kicked", func(w *guardedWorld) {
		storagetest.Exec(w.t, w.db, `DELETE FROM sessions WHERE session_id = ?`, w.op)
	}, func(Permission) *Error { return ErrInvalidSession }},
	{"demoted", func(w *guardedWorld) {
		storagetest.Exec(w.t, w.db, `UPDATE users SET role = 'player' WHERE id = ?`, w.opID)
	}, func(p Permission) *Error { return Forbidden(p) }},
	{"banned", func(w *guardedWorld) {
		storagetest.Exec(w.t, w.db, `UPDATE users SET is_active = 0 WHERE id = ?`, w.opID)
	}, func(Permission) *Error { return ErrDeactivated }},
	{"tombstoned", func(w *guardedWorld) {
		storagetest.Exec(w.t, w.db, `UPDATE users SET is_active = 0, tombstoned_at = ? WHERE id = ?`, ts(w.clk.Now()), w.opID)
	}, func(Permission) *Error { return ErrDeactivated }},
	{"tombstoned only", func(w *guardedWorld) {
		storagetest.Exec(w.t, w.db, `UPDATE users SET tombstoned_at = ? WHERE id = ?`, ts(w.clk.Now()), w.opID)
	}, func(Permission) *Error { return ErrDeactivated }},
}

// guardedActions: each runs one action against the victim and names the
// tokens a success removes.
var guardedActions = []struct {
	name    string
	perm    Permission
	rank    bool // the rank rule applies
	run     func(ctx context.Context, w *guardedWorld) (ActionResult, error)
	removes func(w *guardedWorld) []string
}{
	{"KickSession", KickUsers, true, func(ctx context.Context, w *guardedWorld) (ActionResult, error) {
		return w.svc.KickSession(ctx, w.op, SessionRef{RowID: w.rowID(w.v1), Token: w.v1}, "test")
	}, func(w *guardedWorld) []string { return []string{w.v1} }},
	{"KickSessions", KickUsers, true, func(ctx context.Context, w *guardedWorld) (ActionResult, error) {
		return w.svc.KickSessions(ctx, w.op, []SessionRef{{w.rowID(w.v1), w.v1}, {w.rowID(w.v2), w.v2}}, "test")
	}, func(w *guardedWorld) []string { return []string{w.v1, w.v2} }},
	{"KickUser", KickUsers, true, func(ctx context.Context, w *guardedWorld) (ActionResult, error) {
		return w.svc.KickUser(ctx, w.op, "victim", "test")
	}, func(w *guardedWorld) []string { return []string{w.v1, w.v2} }},
	{"KickCharacter", KickUsers, true, func(ctx context.Context, w *guardedWorld) (ActionResult, error) {
		return w.svc.KickCharacter(ctx, w.op, w.vChar, "test")
	}, func(w *guardedWorld) []string { return []string{w.v2} }},
	{"ClearAll", ManageUsers, false, func(ctx context.Context, w *guardedWorld) (ActionResult, error) {
		return w.svc.ClearAll(ctx, w.op, false, "test")
	}, func(w *guardedWorld) []string { return []string{w.v1, w.v2, w.by} }},
}

var matrixRoles = []string{"player", "worldbuilder", "admin", "superuser", "moderator"}

// TestGuardedActionMatrix is the privilege regression suite: every guarded
// action x operator role x target role x operator state. A refusal must
// carry the exact status and text and change nothing in sessions; a
// success removes exactly the named sessions and is audited; no audit row
// ever holds a whole session id or a password.
func TestGuardedActionMatrix(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	for _, act := range guardedActions {
		for _, opRole := range matrixRoles {
			for _, targetRole := range matrixRoles {
				for _, st := range opStates {
					name := fmt.Sprintf("%s/%s-on-%s/%s", act.name, opRole, targetRole, st.name)
					t.Run(name, func(t *testing.T) {
						w.reset(t, opRole, targetRole)
						st.apply(w)
						var want *Error
						switch {
						case st.want != nil:
							want = st.want(act.perm)
						case !HasPermission(opRole, act.perm):
							want = Forbidden(act.perm)
						case act.rank && !CanManageRole(opRole, targetRole):
							want = Outranked(opRole, targetRole)
						}
						before := w.dump()
						res, err := act.run(t.Context(), w)
						audit := storagetest.DumpWith(t, w.db, w.auditQ)
						auditRows := strings.Count(audit, "\n")
						if want != nil {
							wantErr(t, err, want)
							if after := w.dump(); after != before {
								t.Errorf("refused action changed sessions:\nbefore:\n%s\nafter:\n%s", before, after)
							}
							if res.Removed != 0 {
								t.Errorf("refused action reports %d removed", res.Removed)
							}
							// 403 refusals of a known actor are on record; 401s have no actor.
							wantAudit := 0
							if want.Status == 403 {
								wantAudit = 1
							}
							if auditRows != wantAudit {
								t.Errorf("%d audit rows for a %d refusal, want %d", auditRows, want.Status, wantAudit)
							}
						} else {
							if err != nil {
								t.Fatalf("action refused: %v", err)
							}
							gone := act.removes(w)
							if res.Removed != len(gone) {
								t.Errorf("Removed = %d, want %d", res.Removed, len(gone))
							}
							for _, tok := range gone {
								if w.has(tok) {
									t.Errorf("%s still present", ShortID(tok))
								}
							}
							if !w.has(w.op) {
								t.Error("operator's own session removed")
							}
							want := 4 - len(gone)
							if n := storagetest.CountSessions(t, w.db); n != want {
								t.Errorf("%d sessions left, want %d", n, want)
							}
							if auditRows != 1 {
								t.Errorf("%d audit rows for a success, want 1", auditRows)
							}
						}
						assertAuditClean(t, audit, w.op, w.v1, w.v2, w.by)
					})
				}
			}
		}
	}
}

// assertAuditClean: ids are bearer credentials and passwords are secrets;
// neither may ever reach the audit table whole.
func assertAuditClean(t *testing.T, dump string, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		if strings.Contains(dump, tok) || strings.Contains(dump, tok[:IDPrefixLength+1]) {
			t.Errorf("audit holds more than a %d-char prefix of a session id", IDPrefixLength)
		}
	}
	for _, secret := range []string{storagetest.Password, storagetest.Hash4, storagetest.Hash12} {
		if strings.Contains(dump, secret) {
			t.Error("audit holds a password or hash")
		}
	}
}

func TestGuardedAuditRow(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	res, err := w.svc.KickUser(t.Context(), w.op, "victim", "spamming")
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary() != "2 sessions: 2 player" || res.Action != ActionKickUser {
		t.Errorf("result %+v %q", res, res.Summary())
	}
	got, err := w.svc.RecentAudit(t.Context(), w.op, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("audit %+v %v", got, err)
	}
	a := got[0]
	if a.Actor != "oper" || a.ActorRole != "admin" || a.Action != ActionKickUser || a.Target != "user victim" ||
		a.Result != "ok: 2 sessions: 2 player" || a.Removed != 2 || a.Reason != "spamming" || a.At != ts(w.clk.Now()) {
		t.Errorf("audit row %+v", a)
	}
	// A rank refusal names the target by prefix only.
	w2 := newGuardedWorld(t, "admin", "admin")
	_, err = w2.svc.KickSession(t.Context(), w2.op, SessionRef{w2.rowID(w2.v1), w2.v1}, "")
	wantErr(t, err, Outranked("admin", "admin"))
	if err.Error() != "Insufficient rank: admin cannot manage admin" {
		t.Errorf("rank text %q", err)
	}
	rows, _ := w2.svc.RecentAudit(t.Context(), w2.op, 10)
	if len(rows) != 1 || !strings.HasPrefix(rows[0].Result, "refused: Insufficient rank") || !strings.Contains(rows[0].Target, ShortID(w2.v1)) {
		t.Errorf("refusal audit %+v", rows)
	}
}

// TestSelfKickIsLogout: the rank rule never stops an operator from ending
// their own session, and the result says they are now logged out.
func TestSelfKickIsLogout(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	res, err := w.svc.KickSession(t.Context(), w.op, SessionRef{w.rowID(w.op), w.op}, "")
	if err != nil || !res.SelfRemoved || res.Removed != 1 {
		t.Fatalf("self-kick = %+v, %v", res, err)
	}
	if w.has(w.op) {
		t.Error("own session still present")
	}
	_, err = w.svc.CheckOperator(t.Context(), w.op)
	wantErr(t, err, ErrInvalidSession)
}

// TestKickGoneSession: a session removed a moment earlier (by the server,
// another admin) is "not found", not an error state, and nothing changes.
func TestKickGoneSession(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	ref := SessionRef{w.rowID(w.v1), w.v1}
	if ok, err := w.svc.RemoveSession(t.Context(), w.v1); !ok || err != nil {
		t.Fatal(ok, err)
	}
	before := w.dump()
	_, err := w.svc.KickSession(t.Context(), w.op, ref, "")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	// Regression: not-found came back as a *StoreError, which by contract
	// means a database failure and put the monitor in its error state.
	var se *StoreError
	if errors.As(err, &se) || Status(err) != 0 {
		t.Errorf("not-found is reported as a failure: %T %v", err, err)
	}
	if w.dump() != before {
		t.Error("kick of a gone session changed sessions")
	}
	// Several, some gone: the rest are removed and the gone counted.
	res, err := w.svc.KickSessions(t.Context(), w.op, []SessionRef{ref, {w.rowID(w.v2), w.v2}}, "")
	if err != nil || res.Removed != 1 || res.Missing != 1 {
		t.Errorf("= %+v %v; want 1 removed, 1 missing", res, err)
	}
}

// TestStaleSessionRef protects against kicking the wrong session: a row id
// that now carries another token (or a token now under another row id) is
// not the session the operator saw and must not be removed.
func TestStaleSessionRef(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	id := w.rowID(w.v1)
	storagetest.Exec(t, w.db, `UPDATE sessions SET session_id = ? WHERE id = ?`, "replacement-token-0000", id)
	before := w.dump()
	_, err := w.svc.KickSession(t.Context(), w.op, SessionRef{id, w.v1}, "")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("stale ref: err = %v, want ErrNotFound", err)
	}
	_, err = w.svc.KickSession(t.Context(), w.op, SessionRef{w.rowID(w.by), w.v2}, "")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("mismatched ref: err = %v, want ErrNotFound", err)
	}
	if w.dump() != before {
		t.Error("stale refs removed something")
	}
}

// TestKickSessionsAllOrNothing: one outranked target refuses the lot.
func TestKickSessionsAllOrNothing(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	boss := w.user("boss", "superuser")
	bt := uuid.NewString()
	w.session(boss, bt)
	before := w.dump()
	_, err := w.svc.KickSessions(t.Context(), w.op, []SessionRef{{w.rowID(w.v1), w.v1}, {w.rowID(bt), bt}}, "")
	wantErr(t, err, Outranked("admin", "superuser"))
	if w.dump() != before {
		t.Error("partial kick")
	}
}

func TestClearAllIncludeSelf(t *testing.T) {
	w := newGuardedWorld(t, "superuser", "admin")
	res, err := w.svc.ClearAll(t.Context(), w.op, false, "")
	if err != nil || res.Removed != 3 || res.SelfRemoved || !w.has(w.op) {
		t.Fatalf("keep self: %+v %v", res, err)
	}
	if res.Summary() != "3 sessions: 1 player, 2 admin" {
		t.Errorf("summary %q", res.Summary())
	}
	res, err = w.svc.ClearAll(t.Context(), w.op, true, "")
	if err != nil || res.Removed != 1 || !res.SelfRemoved || storagetest.CountSessions(t, w.db) != 0 {
		t.Errorf("include self: %+v %v", res, err)
	}
}

// TestMonitorNeedsViewLogs: a player or worldbuilder (or an unknown role)
// can never see the monitor, and watching never counts as activity.
func TestMonitorNeedsViewLogs(t *testing.T) {
	for _, role := range matrixRoles {
		w := newGuardedWorld(t, role, "player")
		before := w.dump()
		_, err1 := w.svc.CheckOperator(t.Context(), w.op)
		snap, err2 := w.svc.Snapshot(t.Context(), w.op, ListQuery{Limit: 10})
		_, _, err3 := w.svc.SessionDetail(t.Context(), w.op, w.rowID(w.v1))
		_, err4 := w.svc.RecentAudit(t.Context(), w.op, 5)
		if HasPermission(role, ViewLogs) {
			if err1 != nil || err2 != nil || err3 != nil || err4 != nil || len(snap.Rows) != 4 {
				t.Errorf("%s: %v %v %v %v rows=%d", role, err1, err2, err3, err4, len(snap.Rows))
			}
		} else {
			for _, err := range []error{err1, err2, err3, err4} {
				wantErr(t, err, Forbidden(ViewLogs))
			}
			if len(snap.Rows) != 0 {
				t.Errorf("%s: refused snapshot leaked %d rows", role, len(snap.Rows))
			}
		}
		if w.dump() != before {
			t.Errorf("%s: watching changed sessions", role)
		}
	}
}

// TestOperatorStatesRefuseMonitor: the next poll after a kick, expiry,
// demotion or ban is refused.
func TestOperatorStatesRefuseMonitor(t *testing.T) {
	for _, st := range opStates {
		w := newGuardedWorld(t, "admin", "player")
		st.apply(w)
		_, err := w.svc.Snapshot(t.Context(), w.op, ListQuery{})
		if st.want == nil {
			if err != nil {
				t.Errorf("%s: %v", st.name, err)
			}
			continue
		}
		wantErr(t, err, st.want(ViewLogs))
	}
}

// TestGuardedRefusalCoalesced is a regression test: with activity
// coalescing on (the default), a refused guarded action used to record the
// actor's touch in memory before the refusal, and the next flush renewed
// the refused actor's session. Now a refusal changes nothing in either
// mode, and a success records the actor's activity in both.
func TestGuardedRefusalCoalesced(t *testing.T) {
	cfg := coalesced()
	cfg.AllowMultipleSessions = true
	e := newEnv(t, cfg)
	op := e.user("oper", "admin")
	e.session(op, "op")
	e.session(e.user("peer", "admin"), "peer")
	e.session(e.user("pleb", "player"), "pleb")
	now := e.clk.Advance(time.Minute)
	before := e.dump()
	refusals := map[string]func() error{
		"rank":       func() error { _, err := e.svc.KickUser(t.Context(), "op", "peer", ""); return err },
		"permission": func() error { _, err := e.svc.ClearAll(t.Context(), "op", false, ""); return err },
		"not found":  func() error { _, err := e.svc.KickUser(t.Context(), "op", "nobody", ""); return err },
	}
	for name, call := range refusals {
		if err := call(); err == nil {
			t.Fatalf("%s: not refused", name)
		}
		if err := e.svc.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		if after := e.dump(); after != before {
			t.Errorf("%s refusal changed sessions after the flush:\n%s\n%s", name, before, after)
		}
	}
	if _, err := e.svc.KickUser(t.Context(), "op", "pleb", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := e.text("op", "last_activity"); got != ts(now) {
		t.Errorf("a successful action did not record the actor's activity: %q", got)
	}
}

// An operator may always remove their own other sessions ("sign out my
// other devices"), even though the rank rule forbids kicking someone of
// the same rank: the rule protects other people, not yourself from yourself.
func TestKickOwnOtherSessions(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	other := uuid.NewString()
	row := storagetest.AddSession(t, w.db, storagetest.Session{UserID: w.opID, Token: other, Now: w.clk.Now(), TTL: w.cfg.TTL})
	res, err := w.svc.KickSession(t.Context(), w.op, SessionRef{row, other}, "")
	if err != nil || res.Removed != 1 || res.SelfRemoved {
		t.Fatalf("kick own other session = %+v, %v", res, err)
	}
	storagetest.AddSession(t, w.db, storagetest.Session{UserID: w.opID, Token: uuid.NewString(), Now: w.clk.Now(), TTL: w.cfg.TTL})
	res, err = w.svc.KickUser(t.Context(), w.op, "oper", "")
	if err != nil || res.Removed != 2 || !res.SelfRemoved {
		t.Fatalf("kick own user = %+v, %v", res, err)
	}
}
