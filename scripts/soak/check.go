package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"mudtop/storage"
)

// result is one mode's figures and the checks it failed.
type result struct {
	mode       string
	rate       int // target operations per second
	workers    int
	seconds    float64
	ops        int
	opsPerSec  float64
	byOp       map[string]int
	byRes      map[string]int
	missed     int64
	lockErrors int // writer operations that failed with a lock error
	lockOn     int // ... of which while the monitor polled
	preLogins  int // sessions the writer held before the run (not timed)
	otherErrs  int // writer operations that failed for any other reason
	unexpected int // refusals a well-behaved client should never get (403, 409, 429)
	replaced   int // sessions a login removed that the writer did not know of

	vanished, kickedSeen, expiredSeen, lost               int
	finals, finalPresent, finalKicked, missing, strangers int

	kicksOK, kicksNotFound, kicksBusy, kicksErr int

	polls, pollErrs, pollBusy    int
	pollP50, pollP99, pollMax    time.Duration
	offP50, offP99, onP50, onP99 time.Duration
	offN, onN                    int
	// The same p99s without each phase's first phaseEdge, where the SSH
	// viewers' twenty logins land (and, in the phase after, their twenty
	// logouts): what watching costs, apart from connecting.
	offSettledP99, onSettledP99 time.Duration
	opOff, opOn                 map[string][]time.Duration // latencies by operation
	gor                         map[string][2]int

	failures []string
}

// phaseEdge is the start of every phase that the settled figures leave
// out: 20 SSH handshakes and logins take about 150 ms on 2 cores.
const phaseEdge = 500 * time.Millisecond

func (r *result) fail(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// check reads the three journals and the database and applies every check
// of the soak.
func check(ctx context.Context, c runConfig, mode, db, dir string, sched schedule, exits map[string]string) (result, error) {
	r := result{mode: mode, byOp: map[string]int{}, byRes: map[string]int{}, gor: map[string][2]int{},
		opOff: map[string][]time.Duration{}, opOn: map[string][]time.Duration{}}
	for name, why := range exits {
		r.fail("%s process did not end cleanly (panic or error): %s", name, why)
	}
	load := func(name string) []entry {
		es, err := readJournal(filepath.Join(dir, name+".jsonl"))
		if err != nil {
			r.fail("%s journal: %v", name, err)
		}
		return es
	}
	wj, aj := load("writer"), load("admin")
	var mj []entry
	if !c.noMonitor {
		mj = load("monitor")
	}

	// The admin's kick log: what it removed, by row id and by prefix.
	kickedRow := map[int64]int64{}  // row -> unix ms the kick started
	kickedSID := map[string]int64{} // prefix -> unix ms
	for _, e := range aj {
		switch {
		case e.Ev == "gor":
			r.gor["admin"] = [2]int{e.Start, e.End}
		case e.Op != "kick":
			if e.Res != "" && e.Res != "ok" {
				r.kicksErr++
				r.fail("admin could not pick a target: %s", e.Err)
			}
		case e.Res == "ok":
			r.kicksOK++
			kickedRow[e.Row], kickedSID[e.SID] = e.T, e.T
		case e.Res == "notfound":
			r.kicksNotFound++
		case e.Res == "busy":
			r.kicksBusy++
		default:
			r.kicksErr++
			r.fail("kick failed: %s %s", e.Res, e.Err)
		}
	}
	if r.kicksBusy > 0 {
		r.fail("%d kicks failed with a lock error", r.kicksBusy)
	}
	wasKicked := func(row int64, sid string, before int64) bool {
		if t, ok := kickedRow[row]; ok && row != 0 && t <= before {
			return true
		}
		t, ok := kickedSID[sid]
		return row == 0 && ok && t <= before
	}
	ttlMS := c.ttl.Milliseconds()

	var off, on, offSettled, onSettled []time.Duration
	settled := func(e entry) bool {
		begin := sched.start.Add(time.Duration(e.Ph) * sched.phase)
		return e.T-begin.UnixMilli() >= phaseEdge.Milliseconds()
	}
	var finals []entry
	for _, e := range wj {
		switch e.Ev {
		case "op":
			if e.Ph < 0 {
				r.preLogins++
				continue
			}
			r.ops++
			r.byOp[e.Op]++
			r.byRes[e.Res]++
			switch e.Res {
			case "ok", "401":
			case "busy":
				r.lockErrors++
				if monitorOn(e.Ph) {
					r.lockOn++
				}
			case "err":
				r.otherErrs++
			default:
				r.unexpected++
			}
			r.replaced += e.N
			if e.Ph >= 1 {
				d := time.Duration(e.Us) * time.Microsecond
				if monitorOn(e.Ph) {
					on = append(on, d)
					r.opOn[e.Op] = append(r.opOn[e.Op], d)
					if settled(e) {
						onSettled = append(onSettled, d)
					}
				} else {
					off = append(off, d)
					r.opOff[e.Op] = append(r.opOff[e.Op], d)
					if settled(e) {
						offSettled = append(offSettled, d)
					}
				}
			}
		case "vanished":
			r.vanished++
			switch {
			case wasKicked(e.Row, e.SID, e.T):
				r.kickedSeen++
			case c.ttl > 0 && e.T >= e.Last+ttlMS-1000:
				// Expired by the server's own rule: unused for TTL, give or
				// take the whole second expires_at is stored to.
				r.expiredSeen++
			default:
				r.lost++
				r.fail("session row %d (%s…) of %s vanished %d ms after its last use, neither kicked nor expired",
					e.Row, e.SID, e.User, e.T-e.Last)
			}
		case "final":
			finals = append(finals, e)
		case "stats":
			r.missed = e.Miss
		case "gor":
			r.gor["writer"] = [2]int{e.Start, e.End}
		}
	}
	for _, e := range mj {
		switch e.Ev {
		case "op":
			r.polls++
			if e.Res != "ok" {
				r.pollErrs++
				if e.Res == "busy" {
					r.pollBusy++
				}
				if r.pollErrs <= 3 {
					r.fail("monitor poll failed: %s %s", e.Res, e.Err)
				}
			}
		case "gor":
			r.gor["monitor"] = [2]int{e.Start, e.End}
		}
	}
	var polls []time.Duration
	for _, e := range mj {
		if e.Ev == "op" {
			polls = append(polls, time.Duration(e.Us)*time.Microsecond)
		}
	}
	r.pollP50, r.pollP99, r.pollMax = pct(polls, 50), pct(polls, 99), pct(polls, 100)
	r.offP50, r.offP99, r.offN = pct(off, 50), pct(off, 99), len(off)
	r.onP50, r.onP99, r.onN = pct(on, 50), pct(on, 99), len(on)
	r.offSettledP99, r.onSettledP99 = pct(offSettled, 99), pct(onSettled, 99)
	r.seconds = (time.Duration(sched.phases) * sched.phase).Seconds()
	r.opsPerSec = float64(r.ops) / r.seconds

	if r.lockErrors > 0 {
		r.fail("%d writer operations failed with a lock error past the busy timeout (%d while the monitor polled)", r.lockErrors, r.lockOn)
	}
	if r.otherErrs > 0 {
		r.fail("%d writer operations failed with a database error", r.otherErrs)
	}
	if r.unexpected > 0 {
		r.fail("%d writer operations got a refusal a valid client never gets", r.unexpected)
	}
	if r.replaced > 0 {
		r.fail("logins replaced %d sessions the writer no longer held (a removal it was not told of)", r.replaced)
	}
	if r.polls == 0 && !c.noMonitor {
		r.fail("the monitor never polled")
	}
	if r.kicksOK == 0 {
		r.fail("the admin never kicked anything")
	}
	if err := r.checkFinal(ctx, db, finals, wasKicked, sched); err != nil {
		return r, err
	}
	for _, name := range []string{"writer", "monitor", "admin"} {
		if name == "monitor" && c.noMonitor {
			continue
		}
		g, ok := r.gor[name]
		if !ok {
			r.fail("%s journal has no goroutine count (did it finish?)", name)
		} else if g[1] > g[0] {
			r.fail("%s leaked goroutines: %d at start, %d at end", name, g[0], g[1])
		}
	}
	if c.strict {
		if ratio(r.onP99, r.offP99) > 1.10 && mode == "wal" {
			r.fail("WAL p99 overhead %.2fx is above 1.10x", ratio(r.onP99, r.offP99))
		}
		if r.opsPerSec < 0.95*float64(c.rate) {
			r.fail("writer reached %.0f ops/s of %d", r.opsPerSec, c.rate)
		}
	}
	return r, nil
}

// checkFinal holds every session the writer still held at its end against
// the database: present with the same id prefix, or kicked by the admin.
// Any player session in the database the writer does not hold is a
// stranger: something created or resurrected a session behind its back.
func (r *result) checkFinal(ctx context.Context, db string, finals []entry, wasKicked func(int64, string, int64) bool, sched schedule) error {
	st, err := storage.Open(ctx, db, storage.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	present := map[int64]string{}
	bySID := map[string]int64{}
	rows, err := st.DB().QueryContext(ctx, `SELECT s.id, substr(s.session_id, 1, 8) FROM sessions s
		JOIN users u ON u.id = s.user_id WHERE u.role = 'player'`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var sid string
		if err := rows.Scan(&id, &sid); err != nil {
			rows.Close()
			return err
		}
		present[id] = sid
		bySID[sid] = id
	}
	rows.Close()
	held := map[int64]bool{}
	end := sched.end().Add(time.Minute).UnixMilli()
	for _, f := range finals {
		r.finals++
		if f.Row == 0 {
			// Its row id could not be read after login: match by prefix.
			f.Row = bySID[f.SID]
		}
		held[f.Row] = true
		switch sid, ok := present[f.Row]; {
		case ok && sid == f.SID:
			r.finalPresent++
		case wasKicked(f.Row, f.SID, end):
			r.finalKicked++
		default:
			r.missing++
			r.fail("session row %d (%s…) of %s is missing from the database", f.Row, f.SID, f.User)
		}
	}
	for id, sid := range present {
		if !held[id] {
			r.strangers++
			if r.strangers <= 3 {
				r.fail("session row %d (%s…) is in the database but the writer does not hold it", id, sid)
			}
		}
	}
	return nil
}

// pct is the p-th percentile (nearest rank) of ds; 0 for none.
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p/100+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
