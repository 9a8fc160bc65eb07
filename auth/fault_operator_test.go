package auth

import (
	"context"
	"errors"
	"testing"

	"mudtop/storage"
)

// The monitor's operator loses its right to watch while polling: the very
// next poll must say so (401 or 403), so the UI returns to its login form,
// and must not act or count as activity.
func TestFaultOperatorLosesAccessWhilePolling(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, e *env, opTok string)
		status int
	}{
		{"kicked by another admin", func(t *testing.T, e *env, opTok string) {
			suTok := "5u9e2000-0000-4000-8000-000000000003"
			e.session(e.user("root", "superuser"), suTok)
			snap, err := e.svc.Snapshot(context.Background(), suTok, ListQuery{Filter: "operator", Limit: 5})
			if err != nil || len(snap.Rows) != 1 {
				t.Fatalf("superuser's view: %d rows, %v", len(snap.Rows), err)
			}
			if _, err := e.svc.KickSession(context.Background(), suTok, snap.Rows[0].Ref, "fault test"); err != nil {
				t.Fatalf("kick the operator: %v", err)
			}
		}, 401},
		{"expired", func(t *testing.T, e *env, opTok string) {
			e.clk.Advance(e.cfg.TTL + 1)
		}, 401},
		{"demoted", func(t *testing.T, e *env, opTok string) {
			setOperator(t, e, func(q storage.Querier, id int64) error {
				return e.st.SetUserRole(context.Background(), q, id, "player")
			})
		}, 403},
		{"banned", func(t *testing.T, e *env, opTok string) {
			setOperator(t, e, func(q storage.Querier, id int64) error { return e.st.SetUserActive(context.Background(), q, id, false) })
		}, 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			e := newOriginalEnv(t, writeThrough())
			opTok, target := operatorAndPlayer(t, e)
			if _, err := e.svc.Snapshot(ctx, opTok, ListQuery{Limit: 10}); err != nil {
				t.Fatalf("first poll: %v", err)
			}
			before := e.text(opTok, "last_activity")
			c.change(t, e, opTok)

			_, err := e.svc.Snapshot(ctx, opTok, ListQuery{Limit: 10})
			if Status(err) != c.status {
				t.Fatalf("next poll: %v (status %d); want %d", err, Status(err), c.status)
			}
			var se *StoreError
			if errors.As(err, &se) {
				t.Fatalf("next poll gave a store error %v; a lost session is not a database failure", err)
			}
			if e.has(opTok) && e.text(opTok, "last_activity") != before {
				t.Fatal("polling counted as the operator's activity")
			}
			if _, err := e.svc.KickSession(ctx, opTok, target, "fault test"); Status(err) != c.status {
				t.Fatalf("kick after losing access: %v; want status %d", err, c.status)
			}
			if !e.has(target.Token) {
				t.Fatal("an operator without access removed a session")
			}
		})
	}
}

func setOperator(t *testing.T, e *env, f func(q storage.Querier, id int64) error) {
	t.Helper()
	err := e.st.Write(context.Background(), func(q storage.Querier) error {
		var id int64
		if err := q.QueryRowContext(context.Background(), `SELECT id FROM users WHERE username = 'operator'`).Scan(&id); err != nil {
			return err
		}
		return f(q, id)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A kick of a session that went a moment earlier (the player logged out
// between the poll and the key press) is ErrNotFound: not a database
// failure, no error state, nothing else removed, the operator still in.
func TestFaultKickOfSessionRemovedAMomentEarlier(t *testing.T) {
	ctx := context.Background()
	e := newOriginalEnv(t, writeThrough())
	opTok, target := operatorAndPlayer(t, e)
	other := "07e22000-0000-4000-8000-000000000004"
	e.session(e.user("player2", "player"), other)
	snap, err := e.svc.Snapshot(ctx, opTok, ListQuery{Limit: 10})
	if err != nil || snap.Counts.Sessions != 3 {
		t.Fatalf("poll: %+v, %v", snap.Counts, err)
	}
	if _, err := e.svc.Logout(ctx, target.Token); err != nil {
		t.Fatalf("logout: %v", err)
	}
	audits := auditCount(t, e)

	res, err := e.svc.KickSession(ctx, opTok, target, "fault test")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("kick of a removed session: %+v, %v; want ErrNotFound", res, err)
	}
	var se *StoreError
	if Status(err) != 0 || (errors.As(err, &se) && !errors.Is(err, ErrNotFound)) {
		t.Fatalf("kick of a removed session: %v looks like a refusal or a failure", err)
	}
	if !e.has(other) || !e.has(opTok) {
		t.Fatal("a kick that found nothing removed another session")
	}
	if n := auditCount(t, e); n != audits {
		t.Fatalf("audit rows %d -> %d for a kick that did nothing", audits, n)
	}
	if _, err := e.svc.Snapshot(ctx, opTok, ListQuery{Limit: 10}); err != nil {
		t.Fatalf("poll after the not-found kick: %v", err)
	}
}
