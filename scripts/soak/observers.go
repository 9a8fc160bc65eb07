package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"time"

	"mudtop/auth"
	"mudtop/storage"
)

// tokenEnv carries an operator's session id from run to a child process:
// never on a command line (ps shows those) and never in a journal.
const tokenEnv = "SOAK_TOKEN"

// openObserver opens the store and service a monitor or admin process uses,
// as mudtop itself would: storage.MonitorOptions, auth's defaults.
func openObserver(ctx context.Context, db string) (*storage.Store, *auth.Service, string, error) {
	token := os.Getenv(tokenEnv)
	if token == "" {
		return nil, nil, "", fmt.Errorf("%s is not set", tokenEnv)
	}
	st, err := storage.Open(ctx, db, storage.MonitorOptions(false))
	if err != nil {
		return nil, nil, "", err
	}
	return st, auth.New(st, auth.DefaultConfig()), token, nil
}

// observer is what a monitor or admin process holds from start to finish.
type observer struct {
	g0    int // goroutines at start, for the leak check
	sched schedule
	every time.Duration
	st    *storage.Store
	svc   *auth.Service
	token string
	j     *journal
}

// startObserver parses a monitor's or admin's flags and opens its store,
// service and journal; every is the default pace of its loop.
func startObserver(ctx context.Context, name string, args []string, every time.Duration) (*observer, error) {
	o := &observer{g0: runtime.NumGoroutine()}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	sf := addScheduleFlags(fs)
	fs.DurationVar(&o.every, "every", every, "time between operations")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var err error
	if o.sched, err = sf.get(); err != nil {
		return nil, err
	}
	if o.st, o.svc, o.token, err = openObserver(ctx, *sf.db); err != nil {
		return nil, err
	}
	if o.j, err = openJournal(*sf.journal); err != nil {
		o.svc.Close()
		o.st.Close()
		return nil, err
	}
	return o, nil
}

// finish closes the service and store, journals the goroutine count, and
// closes the journal.
func (o *observer) finish() error {
	closeErr := errors.Join(o.svc.Close(), o.st.Close())
	o.j.add(entry{Ev: "gor", Start: o.g0, End: settleGoroutines(o.g0)})
	return errors.Join(closeErr, o.j.close())
}

// cmdMonitor is the monitor's poll loop without a terminal: the same read
// (auth.Service.Snapshot: operator check, counts, one sorted page, the
// selected row's detail) every 100 ms after the previous answer, as the
// tui's poller arms its next tick, during the monitor's phases only.
func cmdMonitor(ctx context.Context, args []string) error {
	viewers := 0
	for i, a := range args {
		// --ssh N: N SSH viewers of mudtop serve instead (sshview.go).
		if a == "--ssh" && i+1 < len(args) {
			fmt.Sscan(args[i+1], &viewers)
			args = append(append([]string{}, args[:i]...), args[i+2:]...)
			break
		}
	}
	o, err := startObserver(ctx, "monitor", args, 100*time.Millisecond)
	if err != nil {
		return err
	}
	if viewers > 0 {
		return sshMonitor(ctx, o, viewers)
	}
	sched, svc, token, j := o.sched, o.svc, o.token, o.j
	rng := rand.New(rand.NewPCG(7, uint64(sched.start.UnixNano())))
	var selected int64
	for sleepUntil(ctx.Done(), time.Now().Add(o.every)) && time.Now().Before(sched.end()) {
		ph := sched.at(time.Now())
		if !monitorOn(ph) {
			continue
		}
		start := time.Now()
		snap, err := svc.Snapshot(ctx, token, auth.ListQuery{Sort: auth.SortIdle, Limit: 40, Selected: selected})
		e := entry{Ev: "op", T: start.UnixMilli(), Ph: ph, Op: "snapshot", Us: time.Since(start).Microseconds(), Res: classify(err)}
		if err != nil {
			e.Err = err.Error()
		} else {
			e.N = snap.Counts.Sessions
			if len(snap.Rows) > 0 {
				selected = snap.Rows[rng.IntN(len(snap.Rows))].Ref.RowID
			}
		}
		j.add(e)
	}
	return o.finish()
}

// cmdAdmin kicks a random player session every second through
// auth.KickSession and journals what it kicked (row id and prefix) and the
// answer: the checker's account of every session that vanished.
func cmdAdmin(ctx context.Context, args []string) error {
	o, err := startObserver(ctx, "admin", args, time.Second)
	if err != nil {
		return err
	}
	sched, st, svc, token, j := o.sched, o.st, o.svc, o.token, o.j
	rng := rand.New(rand.NewPCG(11, uint64(sched.start.UnixNano())))
	next := sched.start.Add(o.every / 2)
	for sleepUntil(ctx.Done(), next) && time.Now().Before(sched.end()) {
		next = next.Add(o.every)
		row, ok, err := randomPlayerSession(ctx, st, rng)
		if err != nil {
			j.add(entry{Ev: "op", T: time.Now().UnixMilli(), Op: "pick", Res: classify(err), Err: err.Error()})
			continue
		}
		if !ok {
			continue
		}
		start := time.Now()
		_, err = svc.KickSession(ctx, token, auth.SessionRef{RowID: row.RowID, Token: row.SessionID}, "soak")
		e := entry{Ev: "op", T: start.UnixMilli(), Ph: sched.at(start), Op: "kick", Us: time.Since(start).Microseconds(),
			Res: classify(err), Row: row.RowID, SID: auth.ShortID(row.SessionID), User: row.Username}
		if errors.Is(err, auth.ErrNotFound) {
			e.Res = "notfound" // removed a moment earlier (a logout): not an error
		} else if err != nil {
			e.Err = err.Error()
		}
		j.add(e)
	}
	return o.finish()
}

// randomPlayerSession picks a session of a player by a random two-digit id
// prefix: ids are random, so this is a fair draw over the sessions present
// without reading them all.
func randomPlayerSession(ctx context.Context, st *storage.Store, rng *rand.Rand) (storage.SessionRow, bool, error) {
	const hex = "0123456789abcdef"
	for try := 0; try < 8; try++ {
		prefix := string([]byte{hex[rng.IntN(16)], hex[rng.IntN(16)]})
		rows, err := st.SessionsByTokenPrefix(ctx, st.Q(), prefix, 4)
		if err != nil {
			return storage.SessionRow{}, false, err
		}
		for _, r := range rows {
			if r.Role == "player" {
				return r, true, nil
			}
		}
	}
	return storage.SessionRow{}, false, nil
}
