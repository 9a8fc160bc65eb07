package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"mudtop/auth"
	"mudtop/storage"
)

// Env is what the demo takes from the command line that runs it.
type Env struct {
	// DB is the global --db when the user named a file for this run, else
	// empty: the demo never falls back to the server's default database
	// or $MUD_DB_PATH, which it would fill with made-up players.
	DB     string
	Stderr io.Writer
	Getenv func(string) string
	// Monitor runs the monitor on svc as the operator holding token; the
	// command line supplies it, so demo never imports cli.
	Monitor func(ctx context.Context, svc *auth.Service, token string) error
}

// demoConfig is `mudtop demo`'s settings after flag parsing. Tests build it
// directly to lower the operator's hash cost and inject a clock.
type demoConfig struct {
	db          string // empty: a temporary database, removed on exit
	users       int
	rate        float64
	seed        uint64
	duration    time.Duration // 0: until interrupted
	headless    bool
	journal     string
	statusEvery time.Duration
	adminCost   int        // bcrypt cost of the operator's hash (12, lower in tests)
	clock       auth.Clock // nil: the wall clock
}

const demoUsage = `usage: mudtop demo [flags]

Creates a database with worlds, a few hundred users of all four roles and
their characters, runs a simulated game server against it through the
session API, and opens the monitor logged in as the superuser demo-admin
(its generated password is printed on exit).

`

// parseDemoFlags reads the arguments after "demo"; the global --db comes in
// g.DB, already empty unless the user named a file on purpose.
func parseDemoFlags(g *Env, args []string) (demoConfig, error) {
	c := demoConfig{statusEvery: 3 * time.Second, adminCost: auth.BcryptCost}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), demoUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.db, "db", g.DB, "keep the demo database at `PATH` (created if missing, reused if it exists)")
	fs.IntVar(&c.users, "users", 300, "how many users to seed (at least 20)")
	fs.Float64Var(&c.rate, "rate", 20, "`N` simulated operations per second")
	fs.Uint64Var(&c.seed, "seed", 1, "seed for the generated users and the simulated traffic")
	fs.DurationVar(&c.duration, "duration", 0, "stop by itself after this long (0: run until interrupted)")
	fs.BoolVar(&c.headless, "headless", false, "run only the simulated server, with a status line on stderr, no monitor")
	fs.StringVar(&c.journal, "journal", "", "append one JSON line per simulated operation to `FILE` (headless soak runs)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("demo: unexpected argument %q", fs.Arg(0))
	}
	if c.users < minDemoUsers {
		return c, fmt.Errorf("demo: --users must be at least %d", minDemoUsers)
	}
	if c.rate < 0 {
		return c, errors.New("demo: --rate must not be negative")
	}
	return c, nil
}

// Run runs `mudtop demo` with the arguments after "demo": the product's first impression and the load
// generator of the soak tests.
func Run(ctx context.Context, env Env, args []string) error {
	c, err := parseDemoFlags(&env, args)
	if err != nil {
		return err // flag.ErrHelp included: the caller knows help was shown
	}
	return demo(ctx, &env, c)
}

// demo sets up the database, the service and the simulator, then runs the
// monitor (or, headless, only the simulator) until it ends, and cleans up.
func demo(ctx context.Context, g *Env, c demoConfig) (err error) {
	stderr := g.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	// Caught in both modes, so an interrupt while seeding still removes the
	// temporary database. Under the monitor the terminal is raw and ctrl+c
	// arrives as a key, not as SIGINT.
	ctx, cancel := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer cancel()
	clock := c.clock
	if clock == nil {
		clock = time.Now
	}

	store, path, cleanup, err := openDemoDB(ctx, c.db)
	if err != nil {
		return err
	}
	password := rand.Text()
	adminReady := false
	defer func() {
		if cerr := cleanup(); err == nil {
			err = cerr
		}
		if adminReady {
			printCredentials(stderr, path, c.db != "", password)
		}
	}()

	getenv := g.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg, err := auth.ConfigFromEnv(getenv)
	if err != nil {
		store.Close()
		return fmt.Errorf("demo: %w", err)
	}
	svc := auth.New(store, cfg, auth.WithClock(clock))
	var j *journal
	defer func() {
		// Order matters: pending activity is written before the store
		// closes, and the journal is flushed whatever happened.
		svcErr := svc.Close()
		jErr := j.close()
		store.Close()
		err = errors.Join(err, svcErr, jErr)
	}()

	if c.journal != "" { // before seeding, so a bad path fails at once
		if j, err = openJournal(c.journal); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	if c.headless || c.users > 2000 {
		fmt.Fprintf(stderr, "mudtop demo: seeding %d users into %s\n", c.users, path)
	}
	cast, err := seedDemo(ctx, store, c.seed, c.users, clock())
	if err != nil {
		return fmt.Errorf("demo: seed %s: %w", path, err)
	}
	if err := ensureDemoAdmin(ctx, store, password, c.adminCost, clock()); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	adminReady = true
	stats := newSimStats()
	sc := &scenery{svc: svc, store: store, now: clock, users: cast.Scenery, journal: j}
	if err := sc.plantAll(ctx); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	shards := makeShards(svc, store, clock, c, cast, sc, j, stats)
	warmUp(context.WithoutCancel(ctx), shards)
	if c.duration > 0 {
		// Counted from here: seeding a large population must not eat into
		// (or time out) the run that was asked for.
		var cancelT context.CancelFunc
		ctx, cancelT = context.WithTimeout(ctx, c.duration)
		defer cancelT()
	}

	simCtx, stopSim := context.WithCancel(ctx)
	simDone := make(chan struct{})
	go func() {
		defer close(simDone)
		runShards(simCtx, shards, c.rate)
	}()
	defer func() {
		stopSim()
		<-simDone
	}()

	if c.headless {
		fmt.Fprintf(stderr, "mudtop demo: database %s%s\n", path, keptNote(c.db != ""))
		fmt.Fprintf(stderr, "mudtop demo: %d users (%d new) in %d worlds, seed %d, %.0f operations/s\n",
			len(cast.Sim)+len(cast.Scenery)+1, cast.Created, len(cast.Worlds), c.seed, c.rate)
		fmt.Fprintf(stderr, "mudtop demo: operator %s, password %s  (watch: mudtop --db %s)\n", demoAdminName, password, path)
		headlessStatus(ctx, stderr, svc, store, clock, stats, j, c.statusEvery)
		return nil
	}
	login, err := svc.Login(ctx, demoAdminName, password, "mudtop")
	if err != nil {
		return fmt.Errorf("demo: log in as %s: %w", demoAdminName, err)
	}
	defer svc.Logout(context.WithoutCancel(ctx), login.SessionID)
	if g.Monitor == nil {
		return errors.New("demo: no monitor to run (use --headless)")
	}
	return g.Monitor(ctx, svc, login.SessionID)
}

// makeShards splits the simulated users round-robin over the shards; shard
// 0 also replants the scenery.
func makeShards(svc *auth.Service, store *storage.Store, clock auth.Clock, c demoConfig, cast *demoCast,
	sc *scenery, j *journal, stats *simStats) []*simulator {
	n := shardsFor(c.rate)
	parts := make([][]*demoUser, n)
	for i, u := range cast.Sim {
		parts[i%n] = append(parts[i%n], u)
	}
	shards := make([]*simulator, n)
	for i := range shards {
		shards[i] = newSimulator(svc, store, clock, c.seed+uint64(i)+1, parts[i], j, stats)
		shards[i].churn = churnFor(c.rate)
	}
	shards[0].scenery = sc
	return shards
}

// headlessStatus prints a status line every interval until ctx ends, and
// flushes the journal with it so a reader sees recent lines.
func headlessStatus(ctx context.Context, w io.Writer, svc *auth.Service, store *storage.Store, clock auth.Clock,
	stats *simStats, j *journal, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	prev, last := stats.take(), time.Now()
	for {
		select {
		case <-ctx.Done():
			v := stats.take()
			fmt.Fprintf(w, "mudtop demo: stopped: %d operations, %d errors (%d unexpected, %d busy), %d sessions gone\n",
				v.Ops, v.Errors, v.Unexpected, v.Busy, v.Gone)
			return
		case now := <-t.C:
			if ctx.Err() != nil {
				continue // stopping: the summary follows, not a half-read line
			}
			v := stats.take()
			// Not cancelled with ctx: a line is printed whole or not at all.
			agg, err := store.Aggregate(context.WithoutCancel(ctx), store.Q(), clock(), svc.Config().ActiveWindow, auth.ExpiringSoonWindow)
			if err != nil {
				fmt.Fprintf(w, "mudtop demo: count sessions: %v\n", err)
			}
			fmt.Fprintln(w, statusLine(clock(), v, prev, now.Sub(last), agg))
			if err := j.flush(); err != nil {
				fmt.Fprintf(w, "mudtop demo: %v\n", err)
			}
			prev, last = v, now
		}
	}
}

// openDemoDB opens path (creating it with the schema if missing or empty),
// or, when path is empty, creates a temporary database whose directory
// cleanup removes.
func openDemoDB(ctx context.Context, path string) (store *storage.Store, used string, cleanup func() error, err error) {
	if path == "" {
		dir, err := os.MkdirTemp("", "mudtop-demo-")
		if err != nil {
			return nil, "", nil, fmt.Errorf("demo: temporary directory: %w", err)
		}
		used = filepath.Join(dir, "mud.db")
		store, err = storage.Create(ctx, used)
		if err != nil {
			os.RemoveAll(dir)
			return nil, "", nil, fmt.Errorf("demo: %w", err)
		}
		return store, used, func() error { return os.RemoveAll(dir) }, nil
	}
	if st, serr := os.Stat(path); serr == nil && st.Size() > 0 {
		// Reused as it is: its journal mode and users stay untouched.
		store, err = storage.Open(ctx, path, storage.Options{})
	} else {
		store, err = storage.Create(ctx, path)
	}
	if err != nil {
		return nil, "", nil, fmt.Errorf("demo: %w", err)
	}
	return store, path, func() error { return nil }, nil
}

func keptNote(kept bool) string {
	if kept {
		return " (kept)"
	}
	return " (temporary, removed on exit)"
}

// printCredentials is the one place a password is printed: the demo
// operator's own, on exit, so the operator can log in again (from another
// terminal against a kept database, say).
func printCredentials(w io.Writer, path string, kept bool, password string) {
	if kept {
		fmt.Fprintf(w, "mudtop demo: database kept at %s\n", path)
	}
	fmt.Fprintf(w, "mudtop demo: operator login was %s / %s\n", demoAdminName, password)
}
