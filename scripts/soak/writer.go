package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"mudtop/auth"
	"mudtop/storage"
)

// player is one seeded account as the writer (the game server) sees it.
// Each player belongs to exactly one worker goroutine, so its fields need
// no lock.
type player struct {
	name    string
	charID  int64
	token   string // whole id, kept in memory only
	row     int64
	sid     string
	inWorld bool
	lastOK  time.Time
	dormant time.Time // not touched before this instant (it idles to expiry)
}

type writer struct {
	svc   *auth.Service
	st    *storage.Store
	j     *journal
	sched schedule
	ttl   time.Duration
	idle  float64
}

// cmdWriter plays the game server: logins, validations with sliding
// renewal, character selection and logouts through auth, at a fixed rate,
// journalling every operation and what it was told.
func cmdWriter(ctx context.Context, args []string) error {
	g0 := runtime.NumGoroutine()
	fs := flag.NewFlagSet("writer", flag.ContinueOnError)
	sf := addScheduleFlags(fs)
	rate := fs.Int("rate", 500, "operations per second")
	workers := fs.Int("workers", 8, "concurrent request handlers")
	ttl := fs.Duration("ttl", 20*time.Second, "session TTL the server runs with")
	flush := fs.Duration("flush", 0, "activity write-behind (0: each validation writes at once, as the original)")
	idle := fs.Float64("idle", 0.01, "chance that a player leaves its session to expire after an operation")
	loggedIn := fs.Float64("logged-in", 0.8, "share of players already logged in when the run starts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sched, err := sf.get()
	if err != nil {
		return err
	}
	st, err := storage.Open(ctx, *sf.db, storage.Options{})
	if err != nil {
		return err
	}
	j, err := openJournal(*sf.journal)
	if err != nil {
		st.Close()
		return err
	}
	cfg := auth.DefaultConfig()
	cfg.TTL, cfg.ActivityFlush = *ttl, *flush
	w := &writer{svc: auth.New(st, cfg), st: st, j: j, sched: sched, ttl: *ttl, idle: *idle}
	players, err := loadPlayers(ctx, st)
	if err != nil {
		w.svc.Close()
		st.Close()
		j.close()
		return err
	}

	if err := w.preexisting(ctx, players, *loggedIn); err != nil {
		w.svc.Close()
		st.Close()
		j.close()
		return err
	}

	runCtx, cancel := context.WithDeadline(ctx, sched.end())
	defer cancel()
	tokens := make(chan struct{}, *rate)
	var missed atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); pace(runCtx, sched.start, *rate, tokens, &missed) }()
	var ops atomic.Int64
	for i := 0; i < *workers; i++ {
		var mine []*player
		for k := i; k < len(players); k += *workers {
			mine = append(mine, players[k])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), uint64(sched.start.UnixNano())))
			for {
				select {
				case <-runCtx.Done():
					return
				case <-tokens:
				}
				if p := pick(rng, mine); p != nil {
					// Not runCtx: an operation cut by the run's deadline
					// may have committed and still report the deadline, and
					// the journal would not know what happened to its
					// session. Every operation that starts runs to its end.
					w.step(ctx, rng, p)
					ops.Add(1)
				}
			}
		}()
	}
	wg.Wait()

	for _, p := range players {
		if p.token != "" {
			j.add(entry{Ev: "final", Row: p.row, SID: p.sid, User: p.name, Last: p.lastOK.UnixMilli()})
		}
	}
	j.add(entry{Ev: "stats", N: int(ops.Load()), Miss: missed.Load()})
	closeErr := errors.Join(w.svc.Close(), st.Close())
	j.add(entry{Ev: "gor", Start: g0, End: settleGoroutines(g0)})
	return errors.Join(closeErr, j.close())
}

// loadPlayers reads the seeded players and their characters.
func loadPlayers(ctx context.Context, st *storage.Store) ([]*player, error) {
	rows, err := st.DB().QueryContext(ctx, `SELECT u.username, c.id FROM users u JOIN characters c ON c.user_id = u.id
		WHERE u.role = 'player' ORDER BY u.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*player
	for rows.Next() {
		p := &player{}
		if err := rows.Scan(&p.name, &p.charID); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no players seeded")
	}
	return out, rows.Err()
}

// preexisting gives a share of the players the sessions a server has
// when it has been up a while, in one transaction written as a login would
// write them, so the run measures the steady state rather than a burst of
// first logins. They are journalled like logins (row id and prefix only).
func (w *writer) preexisting(ctx context.Context, players []*player, share float64) error {
	now := time.Now()
	n := int(float64(len(players)) * share)
	err := w.st.Write(ctx, func(q storage.Querier) error {
		for _, p := range players[:n] {
			var uid int64
			if err := q.QueryRowContext(ctx, `SELECT id FROM users WHERE username = ?`, p.name).Scan(&uid); err != nil {
				return err
			}
			p.token = uuid.NewString()
			if _, err := w.st.CreateSession(ctx, q, storage.NewSession{UserID: uid, Token: p.token, ClientType: "soak",
				Now: now, TTL: w.ttl, ReplaceExisting: true}); err != nil {
				return err
			}
			if err := q.QueryRowContext(ctx, `SELECT id FROM sessions WHERE session_id = ?`, p.token).Scan(&p.row); err != nil {
				return err
			}
			p.sid, p.lastOK = auth.ShortID(p.token), now
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pre-existing sessions: %w", err)
	}
	for _, p := range players[:n] {
		w.j.add(entry{Ev: "op", T: now.UnixMilli(), Ph: -1, Op: "login", Res: "ok", Row: p.row, SID: p.sid, User: p.name})
	}
	return nil
}

// pace releases rate tokens per second from start on. A token that finds
// the queue full (every worker busy for a whole second's worth) is counted
// as missed: the writer could not keep the rate.
func pace(ctx context.Context, start time.Time, rate int, out chan<- struct{}, missed *atomic.Int64) {
	if !sleepUntil(ctx.Done(), start) {
		return
	}
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	released := 0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			due := int(now.Sub(start).Seconds() * float64(rate))
			for ; released < due; released++ {
				select {
				case out <- struct{}{}:
				default:
					missed.Add(1)
				}
			}
		}
	}
}

// pick chooses a random player of this worker that is not idling.
func pick(rng *rand.Rand, mine []*player) *player {
	now := time.Now()
	for try := 0; try < 8; try++ {
		p := mine[rng.IntN(len(mine))]
		if now.After(p.dormant) {
			return p
		}
	}
	return nil
}

// step runs one operation for p, chosen by p's state as a game client
// would: log in, select a character, play (validate for game), look at the
// account (validate), log out.
func (w *writer) step(ctx context.Context, rng *rand.Rand, p *player) {
	start := time.Now()
	op := "login"
	var err error
	var replaced int
	switch r := rng.IntN(100); {
	case p.token == "":
		var res auth.LoginResult
		res, err = w.svc.Login(ctx, p.name, password, "soak")
		if err == nil {
			p.token, p.sid, p.inWorld, replaced = res.SessionID, auth.ShortID(res.SessionID), false, res.Replaced
		}
	case !p.inWorld && r < 35:
		op = "select"
		_, err = w.svc.SelectCharacter(ctx, p.token, p.charID)
		if err == nil {
			p.inWorld = true
		}
	case !p.inWorld:
		op = "validate"
		_, err = w.svc.ValidateSession(ctx, p.token)
	case r < 4:
		op = "logout"
		_, err = w.svc.Logout(ctx, p.token)
	case r < 14:
		op = "validate"
		_, err = w.svc.ValidateSession(ctx, p.token)
	default:
		op = "game"
		_, err = w.svc.ValidateSessionForGame(ctx, p.token)
	}
	lat := time.Since(start)
	e := entry{Ev: "op", T: start.UnixMilli(), Ph: w.sched.at(start), Op: op, Us: lat.Microseconds(),
		Res: classify(err), Row: p.row, SID: p.sid, User: p.name, N: replaced}
	if e.Res == "err" || e.Res == "busy" {
		e.Err = err.Error()
	}
	if op == "login" && err == nil {
		// The row id is looked up outside the timed operation; a session
		// kicked in between leaves row 0 and is matched by prefix.
		lctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		a, ok, lerr := w.st.SessionAuth(lctx, w.st.Q(), p.token)
		cancel()
		switch {
		case lerr != nil:
			p.row = 0
			w.j.add(entry{Ev: "rowid", T: time.Now().UnixMilli(), SID: p.sid, User: p.name, Res: classify(lerr), Err: lerr.Error()})
		case !ok:
			p.row = 0
			w.j.add(entry{Ev: "rowid", T: time.Now().UnixMilli(), SID: p.sid, User: p.name, Res: "absent"})
		default:
			p.row = a.RowID
		}
		e.Row = p.row
	}
	w.j.add(e)
	switch {
	case err == nil && op == "logout":
		p.token, p.row, p.sid, p.inWorld = "", 0, "", false
	case err == nil:
		p.lastOK = start
		if w.ttl > 0 && rng.Float64() < w.idle {
			p.dormant = time.Now().Add(w.ttl + time.Second + time.Duration(rng.IntN(2000))*time.Millisecond)
		}
	case e.Res == "401" && op != "login":
		// Told the session is gone: the checker must account for it
		// (kicked by the admin, or expired by the server's own rule).
		w.j.add(entry{Ev: "vanished", T: time.Now().UnixMilli(), Op: op, Row: p.row, SID: p.sid, User: p.name, Last: p.lastOK.UnixMilli()})
		p.token, p.row, p.sid, p.inWorld = "", 0, "", false
	}
}

// classify names an outcome for the journal: ok, an auth status, busy (a
// lock held past the busy timeout) or err (any other failure).
func classify(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, auth.ErrBusy):
		return "busy"
	case auth.Status(err) != 0:
		return fmt.Sprint(auth.Status(err))
	}
	return "err"
}

// settleGoroutines waits (briefly, bounded) for goroutines that are
// finishing to exit, and returns how many remain.
func settleGoroutines(start int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 40 && n > start; i++ {
		time.Sleep(50 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}
