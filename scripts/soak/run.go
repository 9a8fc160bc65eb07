package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// runConfig is one soak run's settings, shared by every mode.
type runConfig struct {
	dir     string
	ssh     int // SSH viewers instead of the polling monitor (0: none)
	rate    int
	workers int
	// rollbackRate and rollbackWorkers replace rate and workers on the
	// rollback-journal database.
	rollbackRate    int
	rollbackWorkers int
	users           int
	duration        time.Duration
	phase           time.Duration
	ttl             time.Duration
	flush           time.Duration
	idle            float64
	strict          bool
	noMonitor       bool
}

// cmdRun seeds a database per journal mode, runs writer, monitor and admin
// beside each other on it, checks the journals and prints the figures. It
// fails when any check fails.
func cmdRun(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var c runConfig
	fs.StringVar(&c.dir, "dir", "", "work directory (default: a new temporary one, removed unless --keep)")
	modes := fs.String("mode", "wal,rollback", "journal modes to soak, comma-separated")
	fs.IntVar(&c.rate, "rate", 500, "writer operations per second on the WAL database")
	fs.IntVar(&c.workers, "workers", 8, "writer's concurrent request handlers on the WAL database")
	fs.IntVar(&c.rollbackRate, "rollback-rate", 100, "writer operations per second on the rollback-journal database (every commit there costs several fsyncs)")
	fs.IntVar(&c.rollbackWorkers, "rollback-workers", 4, "writer's request handlers on the rollback-journal database")
	fs.IntVar(&c.users, "users", 1000, "players seeded")
	fs.DurationVar(&c.duration, "duration", 40*time.Second, "length of each mode's run")
	fs.DurationVar(&c.phase, "phase", 3*time.Second, "length of a monitor-on or monitor-off phase (short phases spread the machine's own noise over both sides)")
	fs.DurationVar(&c.ttl, "ttl", 8*time.Second, "session TTL the writer runs with (short, so sessions expire during the run)")
	fs.DurationVar(&c.flush, "flush", time.Second, "writer's activity write-behind, auth's default (0: every validation writes at once, as the original)")
	fs.Float64Var(&c.idle, "idle", 0.01, "chance a player idles its session into expiry after an operation")
	fs.BoolVar(&c.strict, "strict", false, "also fail when the overhead target (p99 within 1.10x in WAL) or the rate is missed")
	keep := fs.Bool("keep", false, "keep the work directory")
	fs.IntVar(&c.ssh, "ssh", 0, "the monitor is this many SSH viewers of mudtop serve (one shared poll) instead of one process polling every 100 ms")
	fs.BoolVar(&c.noMonitor, "no-monitor", false, "control run: no monitor process at all (is a lock error the monitor's doing?)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.dir == "" {
		d, err := os.MkdirTemp("", "soak-")
		if err != nil {
			return err
		}
		c.dir = d
		if !*keep {
			defer os.RemoveAll(d)
		}
	}
	var results []result
	var failed []string
	for _, mode := range strings.Split(*modes, ",") {
		r, err := runMode(ctx, c, strings.TrimSpace(mode))
		if err != nil {
			return fmt.Errorf("%s: %w", mode, err)
		}
		results = append(results, r)
		for _, f := range r.failures {
			failed = append(failed, mode+": "+f)
		}
	}
	printReport(os.Stdout, c, results)
	if len(failed) > 0 {
		fmt.Println("\nFAILED checks:")
		for _, f := range failed {
			fmt.Println("  -", f)
		}
		return fmt.Errorf("%d check(s) failed", len(failed))
	}
	fmt.Println("\nall checks passed")
	return nil
}

// child is a started process of this binary and what it wrote to stderr.
type child struct {
	name   string
	cmd    *exec.Cmd
	stderr bytes.Buffer
	stdout bytes.Buffer
}

func runMode(ctx context.Context, c runConfig, mode string) (result, error) {
	if mode == "rollback" {
		c.rate, c.workers = c.rollbackRate, c.rollbackWorkers
	}
	dir := filepath.Join(c.dir, mode)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return result{}, err
	}
	db := filepath.Join(dir, "mud.db")
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(db + suffix)
	}
	fmt.Fprintf(os.Stderr, "soak %s: seeding %d players...\n", mode, c.users)
	sd, err := seed(ctx, db, mode, c.users)
	if err != nil {
		return result{}, err
	}
	// Phase 0 warms up; then off/on pairs. Round the run to whole pairs.
	pairs := int((c.duration - c.phase) / (2 * c.phase))
	if pairs < 1 {
		pairs = 1
	}
	sched := schedule{start: time.Now().Add(1500 * time.Millisecond), phase: c.phase, phases: 1 + 2*pairs}
	common := []string{"--db", db, "--start", strconv.FormatInt(sched.start.UnixMilli(), 10),
		"--phase", c.phase.String(), "--phases", strconv.Itoa(sched.phases)}
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	start := func(name, token string, extra ...string) (*child, error) {
		args := append([]string{name, "--journal", filepath.Join(dir, name+".jsonl")}, common...)
		ch := &child{name: name, cmd: exec.Command(self, append(args, extra...)...)}
		ch.cmd.Env = os.Environ()
		if token != "" {
			ch.cmd.Env = append(ch.cmd.Env, tokenEnv+"="+token)
		}
		ch.cmd.Stderr, ch.cmd.Stdout = &ch.stderr, &ch.stdout
		return ch, ch.cmd.Start()
	}
	fmt.Fprintf(os.Stderr, "soak %s: %d phases of %s at %d ops/s...\n", mode, sched.phases, c.phase, c.rate)
	var kids []*child
	for _, spec := range []struct {
		name, token string
		extra       []string
	}{
		{"writer", "", []string{"--rate", strconv.Itoa(c.rate), "--workers", strconv.Itoa(c.workers),
			"--ttl", c.ttl.String(), "--flush", c.flush.String(), "--idle", strconv.FormatFloat(c.idle, 'f', -1, 64)}},
		{"monitor", sd.monitorToken, sshArgs(c.ssh)},
		{"admin", sd.adminToken, nil},
	} {
		if spec.name == "monitor" && c.noMonitor {
			continue
		}
		ch, err := start(spec.name, spec.token, spec.extra...)
		if err != nil {
			for _, k := range kids {
				k.cmd.Process.Kill()
				k.cmd.Wait()
			}
			return result{}, err
		}
		kids = append(kids, ch)
	}
	// Every child stops by itself at the schedule's end; the deadline only
	// catches a hung one, which is then killed and reported.
	deadline := time.AfterFunc(time.Until(sched.end())+60*time.Second, func() {
		for _, k := range kids {
			k.cmd.Process.Kill()
		}
	})
	exits := map[string]string{}
	for _, k := range kids {
		err := k.cmd.Wait()
		if err != nil {
			exits[k.name] = err.Error()
		}
		if s := strings.TrimSpace(k.stderr.String() + k.stdout.String()); s != "" {
			exits[k.name] += " output: " + firstLines(s, 5)
		}
	}
	deadline.Stop()
	r, err := check(ctx, c, mode, db, dir, sched, exits)
	r.rate, r.workers = c.rate, c.workers
	return r, err
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " | ")
}

func sshArgs(n int) []string {
	if n <= 0 {
		return nil
	}
	return []string{"--ssh", strconv.Itoa(n)}
}
