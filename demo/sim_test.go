package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"sync"
	"testing"
	"time"

	"mudtop/auth"
	"mudtop/storage"
)

// fakeClock is the injected "now": tests move it, nothing sleeps.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type simFixture struct {
	store   *storage.Store
	svc     *auth.Service
	clock   *fakeClock
	sim     *simulator
	stats   *simStats
	journal *journal
	lines   *bytes.Buffer
}

// newSimFixture seeds n users and builds one simulator shard with scenery,
// activity written through (no background flush), a fake clock and a
// journal into memory.
func newSimFixture(t *testing.T, n int, seed uint64) *simFixture {
	t.Helper()
	ctx := context.Background()
	f := &simFixture{store: newDemoStore(t), clock: &fakeClock{t: demoTestNow}, stats: newSimStats(), lines: &bytes.Buffer{}}
	cfg := auth.DefaultConfig()
	cfg.ActivityFlush = 0
	f.svc = auth.New(f.store, cfg, auth.WithClock(f.clock.now))
	t.Cleanup(func() { f.svc.Close() })
	cast, err := seedDemo(ctx, f.store, seed, n, f.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	f.journal = newJournal(f.lines, nil)
	sc := &scenery{svc: f.svc, store: f.store, now: f.clock.now, users: cast.Scenery, journal: f.journal}
	if err := sc.plantAll(ctx); err != nil {
		t.Fatal(err)
	}
	f.sim = newSimulator(f.svc, f.store, f.clock.now, seed, cast.Sim, f.journal, f.stats)
	f.sim.scenery = sc
	return f
}

// run performs steps operations, a second of fake time apart.
func (f *simFixture) run(steps int) {
	ctx := context.Background()
	for range steps {
		f.sim.step(ctx)
		f.clock.advance(time.Second)
	}
}

func TestSimulatorRunsWithoutUnexpectedErrors(t *testing.T) {
	t.Parallel()
	const steps = 800
	f := newSimFixture(t, 80, 3)
	f.run(steps)
	v := f.stats.take()
	if v.Ops < steps {
		t.Errorf("ops = %d, want at least %d", v.Ops, steps)
	}
	if v.Unexpected != 0 || v.Busy != 0 || v.Gone != 0 {
		t.Errorf("unexpected %d, busy %d, gone %d; want none (nobody else touched the sessions)", v.Unexpected, v.Busy, v.Gone)
	}
	if v.Errors != v.ByOp[opLoginBad] {
		t.Errorf("errors %d, but only the %d wrong passwords should fail", v.Errors, v.ByOp[opLoginBad])
	}
	for _, op := range []string{opLogin, opSelect, opValidate, opValidateGame, opValidatePerm, opLogout, opAbandon, opLoginBad} {
		if v.ByOp[op] == 0 {
			t.Errorf("no %s in %d steps: %v", op, steps, v.ByOp)
		}
	}

	// The database looks alive: sessions in world and not, several client
	// types, and every session the simulator holds is really there.
	st := f.store
	if n := queryInt(t, st, `SELECT count(*) FROM sessions WHERE character_id IS NOT NULL`); n == 0 {
		t.Error("no in-world sessions")
	}
	if n := queryInt(t, st, `SELECT count(*) FROM sessions WHERE character_id IS NULL`); n == 0 {
		t.Error("no account-only sessions")
	}
	if n := queryInt(t, st, `SELECT count(DISTINCT client_type) FROM sessions`); n < 4 {
		t.Errorf("%d client types, want web, telnet, mobile and discord at least", n)
	}
	if len(f.sim.live) == 0 {
		t.Fatal("simulator holds no sessions")
	}
	for _, ss := range f.sim.live {
		a, ok, err := st.SessionAuth(context.Background(), st.Q(), ss.token)
		if err != nil || !ok {
			t.Fatalf("held session %d missing: %v", ss.row, err)
		}
		if a.RowID != ss.row || a.Username != ss.user.Name || (a.CharacterID != 0) != (ss.char != nil) {
			t.Errorf("held session %d disagrees with its row: %+v", ss.row, a)
		}
	}
	// The bookkeeping counters match the slice they summarise.
	acc := 0
	for _, ss := range f.sim.live {
		if ss.char == nil {
			acc++
		}
	}
	if acc != f.sim.accountOnly {
		t.Errorf("accountOnly = %d, counted %d", f.sim.accountOnly, acc)
	}
}

func TestSimulatorSeesEveryState(t *testing.T) {
	t.Parallel()
	f := newSimFixture(t, 60, 5)
	f.run(30)
	now := storage.FormatTime(f.clock.now())
	soon := storage.FormatTime(f.clock.now().Add(auth.ExpiringSoonWindow))
	idle := storage.FormatTime(f.clock.now().Add(-30 * time.Minute))
	checks := map[string]string{
		"expired":      `SELECT count(*) FROM sessions WHERE expires_at <= ?1`,
		"expiring":     `SELECT count(*) FROM sessions WHERE expires_at > ?1 AND expires_at <= ?2`,
		"never":        `SELECT count(*) FROM sessions WHERE expires_at IS NULL`,
		"idle":         `SELECT count(*) FROM sessions WHERE last_activity < ?3`,
		"active":       `SELECT count(*) FROM sessions WHERE last_activity >= ?3 AND expires_at > ?1`,
		"inactive":     `SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.is_active = 0`,
		"multi":        `SELECT count(*) FROM (SELECT user_id FROM sessions GROUP BY user_id HAVING count(*) > 1)`,
		"shared-chara": `SELECT count(*) FROM (SELECT character_id FROM sessions WHERE character_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1)`,
	}
	for name, q := range checks {
		if n := queryInt(t, f.store, q, now, soon, idle); n == 0 {
			t.Errorf("no %s session", name)
		}
	}
	// The expiring session runs out (and shows as expired), then the
	// scenery is planted again and one is expiring soon once more; scenery
	// an operator cleared comes back too.
	count := func(state string) int {
		now := storage.FormatTime(f.clock.now())
		soon := storage.FormatTime(f.clock.now().Add(auth.ExpiringSoonWindow))
		idle := storage.FormatTime(f.clock.now().Add(-30 * time.Minute))
		return queryInt(t, f.store, checks[state], now, soon, idle)
	}
	expiredBefore := count("expired")
	f.clock.advance(sceneryExpiresIn)
	if got := count("expired"); got != expiredBefore+1 {
		t.Errorf("expired sessions %d after the expiring one ran out, want %d", got, expiredBefore+1)
	}
	if _, err := f.svc.ClearAllSessions(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.clock.advance(sceneryReplant - sceneryExpiresIn)
	f.run(5)
	for _, state := range []string{"expiring", "expired", "never", "inactive", "shared-chara"} {
		if count(state) == 0 {
			t.Errorf("no %s session after the replant", state)
		}
	}
	if v := f.stats.take(); v.Unexpected != 0 {
		t.Errorf("%d unexpected errors", v.Unexpected)
	}
}

func TestSimulatorAccountsForRemovedSessions(t *testing.T) {
	t.Parallel()
	f := newSimFixture(t, 60, 9)
	f.run(200)
	held := len(f.sim.live)
	if held == 0 {
		t.Fatal("no sessions held")
	}
	// An admin clears everything: the simulator must notice each loss as a
	// 401 on its next use, forget the session, and not call it a fault.
	if _, err := f.svc.ClearAllSessions(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.run(150)
	v := f.stats.take()
	if v.Gone == 0 {
		t.Error("no session counted as gone after clear-all")
	}
	if v.Unexpected != 0 {
		t.Errorf("%d unexpected errors after clear-all", v.Unexpected)
	}
	for _, ss := range f.sim.live {
		if _, ok, _ := f.store.SessionAuth(context.Background(), f.store.Q(), ss.token); !ok {
			t.Errorf("simulator still holds removed session %d", ss.row)
		}
	}
}

// uuidLike matches a whole session id anywhere in a line.
var uuidLike = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

func TestSimJournalLinesParseAndHideSessionIDs(t *testing.T) {
	t.Parallel()
	f := newSimFixture(t, 60, 11)
	f.run(400)
	if _, err := f.svc.ClearAllSessions(context.Background()); err != nil { // some 401s too
		t.Fatal(err)
	}
	f.run(100)
	if err := f.journal.flush(); err != nil {
		t.Fatal(err)
	}
	v := f.stats.take()
	sc := bufio.NewScanner(bytes.NewReader(f.lines.Bytes()))
	lines, plants, errs := 0, 0, 0
	for sc.Scan() {
		line := sc.Text()
		lines++
		if uuidLike.MatchString(line) {
			t.Fatalf("journal line carries a full session id: %s", line)
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", lines, err, line)
		}
		for _, k := range []string{"time", "op", "user", "result", "status", "latency_us"} {
			if _, ok := e[k]; !ok {
				t.Fatalf("line %d lacks %q: %s", lines, k, line)
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, e["time"].(string)); err != nil {
			t.Errorf("time %v: %v", e["time"], err)
		}
		op, result, status := e["op"].(string), e["result"].(string), int(e["status"].(float64))
		switch result {
		case "ok":
			if status != 200 {
				t.Errorf("ok with status %d: %s", status, line)
			}
		case "error":
			errs++
			if e["error"] == nil || (status != 401 && status != 0) {
				t.Errorf("error line without text or with status %d: %s", status, line)
			}
		default:
			t.Errorf("result %q: %s", result, line)
		}
		if op == "plant" {
			plants++
		}
		if op != opLoginBad && result == "ok" {
			sid, _ := e["sid"].(string)
			if len(sid) != auth.IDPrefixLength || e["row"] == nil {
				t.Errorf("session op without row or 8-char sid: %s", line)
			}
		}
	}
	if int64(lines-plants) != v.Ops {
		t.Errorf("%d operation lines, stats counted %d", lines-plants, v.Ops)
	}
	if errs == 0 || plants == 0 {
		t.Errorf("errors %d, plants %d: want some of each", errs, plants)
	}
}

func TestSimWarmUpFillsHalfTheTarget(t *testing.T) {
	t.Parallel()
	f := newSimFixture(t, 60, 13)
	f.sim.warmUp(context.Background())
	if got, want := len(f.sim.live), f.sim.target/2; got != want {
		t.Errorf("after warm-up %d sessions held, want %d", got, want)
	}
	if inWorld := len(f.sim.live) - f.sim.accountOnly; inWorld*2 < len(f.sim.live) {
		t.Errorf("only %d of %d warm sessions in world", inWorld, len(f.sim.live))
	}
	if n := queryInt(t, f.store, `SELECT count(*) FROM sessions WHERE character_id IS NOT NULL`); n < len(f.sim.live)/2 {
		t.Errorf("%d in-world rows in the database", n)
	}
	if v := f.stats.take(); v.Errors != 0 {
		t.Errorf("%d errors in warm-up", v.Errors)
	}
}
