package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"mudtop/auth"
	"mudtop/storage"
)

// cmdHold is the other process of the lock check: it takes an exclusive
// transaction on the database, says so on stdout, holds it, and lets go.
func cmdHold(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("hold", flag.ContinueOnError)
	db := fs.String("db", "", "database file")
	hold := fs.Duration("for", 10*time.Second, "how long to hold the lock")
	if err := fs.Parse(args); err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: *db}).EscapedPath()+"?mode=rw")
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		return err
	}
	fmt.Println("locked")
	sleepUntil(ctx.Done(), time.Now().Add(*hold))
	_, err = conn.Exec(`ROLLBACK`)
	return err
}

// lockResult is what the lock check saw in one journal mode.
type lockResult struct {
	mode                    string
	hold                    time.Duration
	polls, pollOK, pollBusy int
	pollOther               int
	kick                    string
	changedDuringLock       bool
	resumed                 time.Duration // from release to the first good poll
	kickAfter               string
	failures                []string
}

// cmdLock holds a database locked by another process's exclusive
// transaction while a monitor polls and an admin kicks, with the default
// 5 s busy timeout: polls report busy (or, in WAL mode, go on reading),
// the kick reports busy and changes nothing, and everything resumes after.
func cmdLock(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("lock", flag.ContinueOnError)
	dir := fs.String("dir", "", "work directory (default: a new temporary one)")
	modes := fs.String("mode", "rollback,wal", "journal modes, comma-separated")
	hold := fs.Duration("hold", 10*time.Second, "how long the other process holds the lock")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "soak-lock-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	var rs []lockResult
	for _, mode := range strings.Split(*modes, ",") {
		r, err := lockMode(ctx, filepath.Join(*dir, "lock-"+mode+".db"), strings.TrimSpace(mode), *hold)
		if err != nil {
			return fmt.Errorf("lock %s: %w", mode, err)
		}
		rs = append(rs, r)
	}
	fmt.Printf("\nlocked by another process (default busy timeout %s):\n", storage.DefaultBusyTimeout)
	fmt.Printf("  %-9s %6s %6s %6s %6s %6s  %-10s %-9s %s\n", "mode", "hold", "polls", "ok", "busy", "other", "kick", "resumed", "kick after")
	var failed []string
	for _, r := range rs {
		fmt.Printf("  %-9s %6s %6d %6d %6d %6d  %-10s %-9s %s\n", r.mode, r.hold, r.polls, r.pollOK, r.pollBusy, r.pollOther,
			r.kick, r.resumed.Round(time.Millisecond), r.kickAfter)
		for _, f := range r.failures {
			failed = append(failed, r.mode+": "+f)
		}
	}
	if len(failed) > 0 {
		for _, f := range failed {
			fmt.Println("  FAILED:", f)
		}
		return fmt.Errorf("%d lock check(s) failed", len(failed))
	}
	fmt.Println("  lock checks passed")
	return nil
}

func lockMode(ctx context.Context, db, mode string, hold time.Duration) (lockResult, error) {
	r := lockResult{mode: mode, hold: hold}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(db + suffix)
	}
	sd, err := seed(ctx, db, mode, 20)
	if err != nil {
		return r, err
	}
	st, err := storage.Open(ctx, db, storage.Options{})
	if err != nil {
		return r, err
	}
	defer st.Close()
	svc := auth.New(st, auth.DefaultConfig())
	defer svc.Close()
	if _, err := svc.Snapshot(ctx, sd.adminToken, auth.ListQuery{Limit: 1}); err != nil {
		return r, fmt.Errorf("first poll: %w", err)
	}
	// A player's session to kick (admins cannot kick admins).
	var target auth.SessionRef
	if err := st.Write(ctx, func(q storage.Querier) error {
		var uid int64
		if err := q.QueryRowContext(ctx, `SELECT id FROM users WHERE username = ?`, playerName(0)).Scan(&uid); err != nil {
			return err
		}
		target.Token = "10c4ed00-0000-4000-8000-" + fmt.Sprintf("%012d", time.Now().UnixNano()%1e12)
		_, err := st.CreateSession(ctx, q, storage.NewSession{UserID: uid, Token: target.Token, ClientType: "soak", Now: time.Now(), TTL: time.Hour})
		if err != nil {
			return err
		}
		return q.QueryRowContext(ctx, `SELECT id FROM sessions WHERE session_id = ?`, target.Token).Scan(&target.RowID)
	}); err != nil {
		return r, err
	}
	before, err := sessionCount(ctx, st)
	if err != nil {
		return r, err
	}

	self, err := os.Executable()
	if err != nil {
		return r, err
	}
	holder := exec.Command(self, "hold", "--db", db, "--for", hold.String())
	out, err := holder.StdoutPipe()
	if err != nil {
		return r, err
	}
	var holderErr strings.Builder
	holder.Stderr = &holderErr
	if err := holder.Start(); err != nil {
		return r, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		holder.Process.Kill()
		holder.Wait()
		return r, fmt.Errorf("the holder did not take the lock: %q %v %s", line, err, holderErr.String())
	}
	locked := time.Now()
	released := make(chan time.Time, 1)
	go func() { holder.Wait(); released <- time.Now() }()

	kicked := make(chan error, 1)
	go func() {
		time.Sleep(time.Second)
		_, err := svc.KickSession(ctx, sd.adminToken, target, "lock check")
		kicked <- err
	}()
	var releasedAt time.Time
	for releasedAt.IsZero() || r.resumed == 0 {
		select {
		case t := <-released:
			releasedAt = t
		default:
		}
		if time.Since(locked) > hold+30*time.Second {
			r.failures = append(r.failures, "nothing resumed within 30 s of the lock's end")
			break
		}
		start := time.Now()
		_, err := svc.Snapshot(ctx, sd.adminToken, auth.ListQuery{Limit: 40})
		during := releasedAt.IsZero() || start.Before(releasedAt)
		if during {
			r.polls++
			switch {
			case err == nil:
				r.pollOK++
			case errors.Is(err, auth.ErrBusy) && auth.Status(err) == 0:
				r.pollBusy++
			default:
				r.pollOther++
				r.failures = append(r.failures, "poll under the lock: "+err.Error())
			}
		} else if err == nil {
			r.resumed = time.Since(releasedAt)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if holderErr.Len() > 0 {
		r.failures = append(r.failures, "holder: "+holderErr.String())
	}
	kerr := <-kicked
	r.kick = classify(kerr)
	if !errors.Is(kerr, auth.ErrBusy) {
		r.failures = append(r.failures, fmt.Sprintf("kick under the lock answered %v, want busy", kerr))
	}
	if after, err := sessionCount(ctx, st); err != nil || after != before {
		r.changedDuringLock = true
		r.failures = append(r.failures, fmt.Sprintf("sessions %d -> %d (%v) although every action was refused", before, after, err))
	}
	if mode == "rollback" && r.pollBusy == 0 {
		r.failures = append(r.failures, "no poll reported busy under an exclusive lock")
	}
	if mode == "wal" && r.pollOK == 0 {
		r.failures = append(r.failures, "WAL readers should go on under a writer's lock")
	}
	_, kerr = svc.KickSession(ctx, sd.adminToken, target, "lock check")
	r.kickAfter = classify(kerr)
	if kerr != nil {
		r.failures = append(r.failures, "kick after the lock: "+kerr.Error())
	}
	return r, nil
}

func sessionCount(ctx context.Context, st *storage.Store) (int, error) {
	var n int
	err := st.Read(ctx, func(q storage.Querier) error {
		return q.QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&n)
	})
	return n, err
}
