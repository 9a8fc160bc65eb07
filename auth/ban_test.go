package auth

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// banActions are the two account actions of the original's
// POST /admin/user/manage.
var banActions = []struct {
	name string
	ban  bool
	run  func(ctx context.Context, w *guardedWorld) (ActionResult, error)
}{
	{"ban", true, func(ctx context.Context, w *guardedWorld) (ActionResult, error) {
		return w.svc.BanUser(ctx, w.op, "victim", "test")
	}},
	{"unban", false, func(ctx context.Context, w *guardedWorld) (ActionResult, error) {
		return w.svc.UnbanUser(ctx, w.op, "victim", "test")
	}},
}

func (w *guardedWorld) victimActive() int {
	return storagetest.Scalar[int](w.t, w.db, `SELECT is_active FROM users WHERE id = ?`, w.vID)
}

// TestBanMatrix is ban and unban's privilege suite: operator role x target
// role x operator state, with the original's exact statuses and texts. A
// refusal changes neither the account nor any session; a ban deactivates
// the account and removes exactly its sessions; an unban reactivates it
// and removes nothing.
func TestBanMatrix(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	for _, act := range banActions {
		for _, opRole := range matrixRoles {
			for _, targetRole := range matrixRoles {
				for _, st := range opStates {
					t.Run(fmt.Sprintf("%s/%s-on-%s/%s", act.name, opRole, targetRole, st.name), func(t *testing.T) {
						w.reset(t, opRole, targetRole)
						if !act.ban {
							storagetest.Exec(t, w.db, `UPDATE users SET is_active = 0 WHERE id = ?`, w.vID)
						}
						st.apply(w)
						var want *Error
						switch {
						case st.want != nil:
							want = st.want(BanUsers)
						case !HasPermission(opRole, BanUsers):
							want = Forbidden(BanUsers)
						case !CanManageRole(opRole, targetRole):
							want = CannotManage(targetRole)
						}
						before, active := w.dump(), w.victimActive()
						res, err := act.run(t.Context(), w)
						audit := storagetest.DumpWith(t, w.db, w.auditQ)
						if want != nil {
							wantErr(t, err, want)
							if w.dump() != before || w.victimActive() != active {
								t.Error("a refused account action changed something")
							}
							return
						}
						if err != nil {
							t.Fatalf("refused: %v", err)
						}
						if strings.Count(audit, "\n") != 1 {
							t.Errorf("audit rows:\n%s", audit)
						}
						if act.ban {
							if w.victimActive() != 0 || w.has(w.v1) || w.has(w.v2) || res.Removed != 2 {
								t.Errorf("ban left active=%d v1=%v v2=%v removed=%d", w.victimActive(), w.has(w.v1), w.has(w.v2), res.Removed)
							}
							if !w.has(w.op) || !w.has(w.by) {
								t.Error("ban removed someone else's session")
							}
							if res.Message != "Successfully banned victim" {
								t.Errorf("message %q", res.Message)
							}
						} else {
							if w.victimActive() != 1 || w.dump() == "" || res.Removed != 0 {
								t.Errorf("unban: active=%d removed=%d", w.victimActive(), res.Removed)
							}
							if res.Message != "Successfully unbanned victim" {
								t.Errorf("message %q", res.Message)
							}
						}
						assertAuditClean(t, audit, w.op, w.v1, w.v2, w.by)
					})
				}
			}
		}
	}
}

// TestBanRouteOrder follows the route's checks in order: permission first
// (even for a missing target), then existence, then self, then rank.
func TestBanRouteOrder(t *testing.T) {
	w := newGuardedWorld(t, "player", "player")
	_, err := w.svc.BanUser(t.Context(), w.op, "ghost", "")
	wantErr(t, err, Forbidden(BanUsers))

	w.reset(t, "admin", "admin")
	_, err = w.svc.BanUser(t.Context(), w.op, "ghost", "")
	wantErr(t, err, UserNotFound("ghost"))
	if err.Error() != "User 'ghost' not found" {
		t.Errorf("404 text %q", err)
	}
	// Usernames match exactly, as the original's SQL does.
	_, err = w.svc.BanUser(t.Context(), w.op, "VICTIM", "")
	wantErr(t, err, UserNotFound("VICTIM"))
	// Self comes before rank: an admin naming themselves gets 400, not 403.
	_, err = w.svc.BanUser(t.Context(), w.op, "oper", "")
	wantErr(t, err, ErrSelfManage)
	if Status(err) != 400 || err.Error() != "Cannot manage your own account" {
		t.Errorf("self: %d %q", Status(err), err)
	}
	_, err = w.svc.BanUser(t.Context(), w.op, "victim", "")
	wantErr(t, err, CannotManage("admin"))
	if err.Error() != "Insufficient permissions to manage user with role 'admin'" {
		t.Errorf("403 text %q", err)
	}
	// An empty role is the route's other 404.
	storagetest.Exec(t, w.db, `UPDATE users SET role = '' WHERE id = ?`, w.vID)
	_, err = w.svc.BanUser(t.Context(), w.op, "victim", "")
	wantErr(t, err, ErrTargetNoRole)
	if n := storagetest.Scalar[int](t, w.db, `SELECT count(*) FROM `+storage.AuditTable); n != 1 {
		t.Errorf("%d audit rows; only the 403 is on record", n)
	}
}

// TestBanSticks: a banned account cannot log back in (the original's
// is_user_active check, which mudtop's login shares), and can again after
// an unban. Mixed-case roles rank as the original lowercases them.
func TestBanSticks(t *testing.T) {
	e := newOriginalEnv(t, writeThrough())
	op := e.user("boss", "SuperUser")
	e.session(op, "op-token")
	victim := e.user("bot", "Admin")
	e.session(victim, "bot-token")
	if _, err := e.svc.Login(t.Context(), "bot", storagetest.Password, "browser"); err != nil {
		t.Fatalf("login before ban: %v", err)
	}
	res, err := e.svc.BanUser(t.Context(), "op-token", "bot", "spam bot")
	if err != nil || res.Removed != 1 || res.Summary() != "1 session: 1 Admin" {
		t.Fatalf("ban = %+v %v", res, err)
	}
	if storagetest.Scalar[int](t, e.db, `SELECT count(*) FROM sessions WHERE user_id = ?`, victim) != 0 {
		t.Error("ban left sessions")
	}
	_, err = e.svc.Login(t.Context(), "bot", storagetest.Password, "browser")
	wantErr(t, err, ErrDeactivated)
	got, err := e.svc.RecentAudit(t.Context(), "op-token", 1)
	if err != nil || len(got) != 1 || got[0].Action != ActionBanUser || got[0].Reason != "spam bot" ||
		got[0].Result != "ok: Successfully banned bot; 1 session: 1 Admin" || got[0].Target != "user bot" {
		t.Errorf("audit %+v %v", got, err)
	}
	if _, err := e.svc.UnbanUser(t.Context(), "op-token", "bot", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Login(t.Context(), "bot", storagetest.Password, "browser"); err != nil {
		t.Errorf("login after unban: %v", err)
	}
}
