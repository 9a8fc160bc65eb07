package auth

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mudtop/storage/storagetest"
)

// TestKickScopeMatrix is the scoped kick's privilege suite: operator role
// x target role x operator state, the state applied between the preview
// and the kick (the moment that counts). A refusal carries the exact
// status and text and changes nothing; an outranked target is skipped and
// counted, never removed; a success removes exactly the victim's two
// sessions and writes one audit row.
func TestKickScopeMatrix(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	scope := KickScope{Filter: "victim"}
	for _, opRole := range matrixRoles {
		for _, targetRole := range matrixRoles {
			for _, st := range opStates {
				t.Run(fmt.Sprintf("%s-on-%s/%s", opRole, targetRole, st.name), func(t *testing.T) {
					w.reset(t, opRole, targetRole)
					p, perr := w.svc.PreviewKick(t.Context(), w.op, scope)
					if !HasPermission(opRole, KickUsers) {
						wantErr(t, perr, Forbidden(KickUsers))
						p = KickPreview{Scope: scope, At: w.clk.Now(), Targets: []SessionRef{{w.rowID(w.v1), w.v1}}}
					} else if perr != nil {
						t.Fatalf("preview: %v", perr)
					}
					outranked := HasPermission(opRole, KickUsers) && !CanManageRole(opRole, targetRole)
					if outranked && (len(p.Targets) != 0 || p.SkippedRank != 2 || p.SkippedRankByRole[targetRole] != 2) {
						t.Fatalf("preview of outranked targets: %+v", p)
					}
					st.apply(w)
					var want *Error
					switch {
					case st.want != nil:
						want = st.want(KickUsers)
					case !HasPermission(opRole, KickUsers):
						want = Forbidden(KickUsers)
					}
					before := w.dump()
					res, err := w.svc.KickScoped(t.Context(), w.op, p, "test")
					audit := storagetest.DumpWith(t, w.db, w.auditQ)
					if want != nil {
						wantErr(t, err, want)
						if w.dump() != before || res.Removed != 0 {
							t.Error("a refused scoped kick changed sessions")
						}
						return
					}
					if err != nil {
						t.Fatalf("kick: %v", err)
					}
					if strings.Count(audit, "\n") != 1 || !strings.Contains(audit, `scope: filter "victim"`) {
						t.Errorf("audit:\n%s", audit)
					}
					if outranked { // the preview froze no target: nothing to remove
						if res.Removed != 0 || storagetest.CountSessions(t, w.db) != 4 {
							t.Errorf("outranked: %+v", res)
						}
						return
					}
					if res.Removed != 2 || w.has(w.v1) || w.has(w.v2) || !w.has(w.by) || !w.has(w.op) {
						t.Errorf("removed %d; v1 %v v2 %v by %v op %v", res.Removed, w.has(w.v1), w.has(w.v2), w.has(w.by), w.has(w.op))
					}
					assertAuditClean(t, audit, w.op, w.v1, w.v2, w.by)
				})
			}
		}
	}
}

// TestKickScopeFrozen: the kick removes what the preview showed and is
// still there, and nothing else: a session that logged in after the
// preview stays, one that stopped matching stays, one already gone is
// counted, and a target promoted since is skipped by the rank rule.
func TestKickScopeFrozen(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	extra := make([]string, 3)
	for i := range extra {
		extra[i] = uuid.NewString()
		storagetest.AddSession(t, w.db, storagetest.Session{UserID: w.byID, Token: extra[i], ClientType: "telnet", Now: w.clk.Now(), TTL: time.Hour})
	}
	w.clk.Advance(2 * time.Hour) // everyone idle for two hours
	scope := KickScope{Client: "TELNET", IdleOver: time.Hour}
	p, err := w.svc.PreviewKick(t.Context(), w.op, scope)
	if err != nil || len(p.Targets) != 3 || p.Matched != 3 || p.ByRole["player"] != 3 {
		t.Fatalf("preview %+v %v", p, err)
	}
	late := uuid.NewString() // logs in after the preview, matching the client
	storagetest.AddSession(t, w.db, storagetest.Session{UserID: w.vID, Token: late, ClientType: "telnet", Now: w.clk.Now().Add(-2 * time.Hour), TTL: 4 * time.Hour})
	storagetest.SetColumn(t, w.db, extra[0], "last_activity", ts(w.clk.Now())) // active again: no longer matches
	storagetest.Exec(t, w.db, `DELETE FROM sessions WHERE session_id = ?`, extra[1])

	res, err := w.svc.KickScoped(t.Context(), w.op, p, "cleanup")
	if err != nil || res.Removed != 1 || res.Missing != 2 || !w.has(late) || !w.has(extra[0]) || w.has(extra[2]) {
		t.Fatalf("kick = %+v %v; late %v, active %v", res, err, w.has(late), w.has(extra[0]))
	}

	// Promoted between preview and kick: skipped, counted, not removed.
	w.reset(t, "admin", "player")
	p, _ = w.svc.PreviewKick(t.Context(), w.op, KickScope{Client: "browser"})
	if len(p.Targets) != 3 || p.SkippedSelf != 1 { // victim's two and the bystander's one
		t.Fatalf("preview %+v", p)
	}
	storagetest.Exec(t, w.db, `UPDATE users SET role = 'admin' WHERE id = ?`, w.vID)
	res, err = w.svc.KickScoped(t.Context(), w.op, p, "")
	if err != nil || res.Removed != 1 || res.SkippedRank != 2 || res.SkippedRankByRole["admin"] != 2 || w.has(w.by) || !w.has(w.v1) {
		t.Fatalf("after promotion: %+v %v", res, err)
	}
	// A scope on the role re-matches at the kick: a target whose role
	// changed no longer matches, and is counted as changed.
	w.reset(t, "admin", "player")
	p, _ = w.svc.PreviewKick(t.Context(), w.op, KickScope{Role: "PLAYER"})
	storagetest.Exec(t, w.db, `UPDATE users SET role = 'worldbuilder' WHERE id = ?`, w.vID)
	res, _ = w.svc.KickScoped(t.Context(), w.op, p, "")
	if res.Removed != 1 || res.Missing != 2 || !w.has(w.v1) {
		t.Fatalf("role changed: %+v", res)
	}
}

// TestKickScopeSelf: the operator's own sessions are kept and counted
// unless asked; asked, the preview says it logs the operator out.
func TestKickScopeSelf(t *testing.T) {
	w := newGuardedWorld(t, "admin", "player")
	storagetest.Exec(t, w.db, `UPDATE sessions SET client_type = 'tui'`)
	p, err := w.svc.PreviewKick(t.Context(), w.op, KickScope{Client: "tui"})
	if err != nil || p.SkippedSelf != 1 || len(p.Targets) != 3 || p.SelfLogout {
		t.Fatalf("preview %+v %v", p, err)
	}
	p, _ = w.svc.PreviewKick(t.Context(), w.op, KickScope{Client: "tui", IncludeSelf: true})
	if p.SkippedSelf != 0 || len(p.Targets) != 4 || !p.SelfLogout {
		t.Fatalf("include self %+v", p)
	}
	res, err := w.svc.KickScoped(t.Context(), w.op, p, "")
	if err != nil || !res.SelfRemoved || res.Removed != 4 {
		t.Fatalf("%+v %v", res, err)
	}
	_, err = w.svc.PreviewKick(t.Context(), w.op, KickScope{})
	wantErr(t, err, ErrEmptyScope)
	_, err = w.svc.KickScoped(t.Context(), w.op, KickPreview{}, "")
	wantErr(t, err, ErrEmptyScope)
}

// TestKickScopeMatchesTheFilter: the scope's filter is the monitor's
// filter, so a kick removes exactly what the filtered table lists.
func TestKickScopeMatchesTheFilter(t *testing.T) {
	e := newOriginalEnv(t, writeThrough())
	op := e.user("boss", "superuser")
	e.session(op, "op-token")
	for i, name := range []string{"Alice", "malice", "bob", "Palisade"} {
		e.session(e.user(name, "player"), fmt.Sprintf("tok-%d", i))
	}
	snap, err := e.svc.Snapshot(t.Context(), "op-token", ListQuery{Filter: "ALI", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.PreviewKick(t.Context(), "op-token", KickScope{Filter: "ALI"})
	if err != nil || len(p.Targets) != snap.Matching || snap.Matching != 3 {
		t.Fatalf("preview %d targets, filter shows %d (%v)", len(p.Targets), snap.Matching, err)
	}
	for i, r := range snap.Rows {
		if p.Targets[i] != r.Ref && !containsRef(p.Targets, r.Ref) {
			t.Errorf("filtered row %s not in the preview", r.Username)
		}
	}
}

func containsRef(refs []SessionRef, r SessionRef) bool {
	for _, x := range refs {
		if x == r {
			return true
		}
	}
	return false
}
