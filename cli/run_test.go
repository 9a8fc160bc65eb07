package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"

	"mudtop/storage"
	"mudtop/storage/storagetest"
	"mudtop/tui"
)

// binPath is the mudtop binary TestMain builds once, for the checks that
// only a real process can make (exit status, nothing on stdout but what is
// promised, no file created).
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mudtop-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "mudtop")
	if out, err := exec.Command("go", "build", "-o", binPath, "..").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build mudtop: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Tokens planted in fixtures. The first two share their 8-character
// prefix, to test that a prefix naming two sessions is refused.
const (
	tokAdmin  = "a0000000-0000-4000-8000-000000000001"
	tokSuper  = "b0000000-0000-4000-8000-000000000002"
	tokPlayer = "c0000000-0000-4000-8000-000000000003"
	tokBuild  = "d0000000-0000-4000-8000-000000000004"
	tokAdmin2 = "e0000000-0000-4000-8000-000000000005"
)

// fixture is a real database in a temp dir, a fake clock, an environment
// and a direct handle on the store to plant rows and check results.
type fixture struct {
	t     *testing.T
	db    string
	env   map[string]string
	stdin string
	clock *storagetest.Clock
	store *storage.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		t:     t,
		db:    filepath.Join(t.TempDir(), "mud.db"),
		env:   map[string]string{},
		clock: storagetest.NewClock(storagetest.Epoch()),
	}
	f.store = storagetest.NewAt(t, f.db)
	return f
}

// user adds an account with password storagetest.Password.
func (f *fixture) user(name, role string) int64 {
	f.t.Helper()
	return storagetest.AddUser(f.t, f.store.DB(), storagetest.User{Name: name, Role: role})
}

// session adds a session created now with the default TTL.
func (f *fixture) session(userID int64, token string) {
	f.t.Helper()
	storagetest.AddSession(f.t, f.store.DB(), storagetest.Session{
		UserID: userID, Token: token, Now: f.clock.Now(), TTL: 480 * time.Minute, ClientType: "web",
	})
}

// staff adds the usual cast: admin, superuser, player and worldbuilder,
// each with one session.
func (f *fixture) staff() {
	f.t.Helper()
	f.session(f.user("admin1", "admin"), tokAdmin)
	f.session(f.user("root", "superuser"), tokSuper)
	f.session(f.user("alice", "player"), tokPlayer)
	f.session(f.user("bob", "worldbuilder"), tokBuild)
}

func (f *fixture) has(token string) bool {
	f.t.Helper()
	return storagetest.HasSession(f.t, f.store.DB(), token)
}

type result struct {
	code           int
	stdout, stderr string
}

// run calls run() in-process against the fixture's database.
func (f *fixture) run(args ...string) result {
	f.t.Helper()
	var out, errb bytes.Buffer
	g := &Globals{
		Stdin: strings.NewReader(f.stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return f.env[k] },
		Now:    f.clock.Now,
		Look:   testLook(),
	}
	code := run(context.Background(), append([]string{"--db", f.db}, args...), g)
	return result{code, out.String(), errb.String()}
}

// as runs a command as the operator holding token.
func (f *fixture) as(token string, args ...string) result {
	f.t.Helper()
	return f.run(append([]string{"--session", token}, args...)...)
}

// want checks the exit code and that stderr says what is expected.
func (r result) want(t *testing.T, code int, stderrHas string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, stderrHas) {
		t.Fatalf("stderr %q does not contain %q", r.stderr, stderrHas)
	}
}

// runBinary runs the built mudtop with only the given environment.
func runBinary(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
	cmd.Dir = t.TempDir()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run mudtop: %v", err)
	}
	return result{code, out.String(), errb.String()}
}

func TestHelpForEveryCommand(t *testing.T) {
	f := newFixture(t)
	r := f.run("--help")
	r.want(t, exitOK, "")
	for _, c := range commands() {
		if !strings.Contains(r.stdout, "  "+c.name+" ") {
			t.Errorf("mudtop --help does not list %s", c.name)
		}
	}
	for _, want := range []string{"MUD_DB_PATH", "MUDTOP_SESSION", "Exit codes", "3 not logged in (401)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("mudtop --help lacks %q", want)
		}
	}
	for _, c := range commands() {
		if c.name == "demo" {
			continue // the demo prints its own help
		}
		for _, args := range [][]string{{c.name, "--help"}, {"help", c.name}, {c.name, "-h"}} {
			r := f.run(args...)
			r.want(t, exitOK, "")
			// fang's help page: a USAGE block with the command's line.
			if !strings.Contains(r.stdout, "USAGE") || !strings.Contains(r.stdout, "mudtop "+c.name) || !strings.Contains(r.stdout, "Exit codes") {
				t.Errorf("%v: help lacks usage or exit codes:\n%s", args, r.stdout)
			}
		}
	}
	r = f.run("kick", "--help")
	for _, flag := range []string{"--user", "--character", "--reason"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("kick --help does not explain %s", flag)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	f := newFixture(t)
	f.staff()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"count", "--bogus"}, "flag provided but not defined"},
		{[]string{"--bogus", "count"}, "flag provided but not defined"},
		{[]string{"count", "extra"}, `unexpected argument "extra"`},
		{[]string{"login"}, "missing USER"},
		{[]string{"--session", tokSuper, "kick", tokPlayer, "--user", "alice"}, "exactly one of"},
		{[]string{"--session", tokSuper, "kick"}, "exactly one of"},
		{[]string{"--session", tokSuper, "kick", "--character", "x"}, "want a character id"},
		{[]string{"--session", tokSuper, "clear"}, "--yes"},
		{[]string{"validate", tokAdmin, "--permission", "fly"}, `unknown permission "fly"`},
		{[]string{"validate", tokAdmin, "--game", "--permission", "chat"}, "cannot be combined"},
		{[]string{"sessions"}, "no session"},
		{[]string{"--session", tokAdmin, "sessions", "--sort", "shoe"}, "unknown sort column"},
		{[]string{"--session", tokAdmin, "sessions", "--limit", "-1"}, "0 or more"},
		{[]string{"logout"}, "no session"},
	} {
		r := f.run(tc.args...)
		r.want(t, exitUsage, tc.msg)
		if !strings.Contains(r.stderr, "--help' for usage") {
			t.Errorf("%v: no pointer to the help: %q", tc.args, r.stderr)
		}
	}
	f.env["MUD_SESSION_TTL_MINUTES"] = "eight"
	f.run("count").want(t, exitUsage, "MUD_SESSION_TTL_MINUTES")
}

func TestGlobalFlagsBeforeOrAfterCommand(t *testing.T) {
	f := newFixture(t)
	f.staff()
	other := filepath.Join(t.TempDir(), "nothing.db")
	// The last --db wins, wherever it stands: before, then after the name.
	f.run("--db", other, "count", "--db", f.db).want(t, exitOK, "")
	f.run("count", "--db", other).want(t, exitFailure, "no database at")
	// Flags and the positional ID in either order.
	f.run("kick", "--session", tokAdmin, tokPlayer, "--reason", "afk").want(t, exitOK, "")
	if f.has(tokPlayer) {
		t.Fatal("kick ID --reason R did not kick")
	}
	f.session(f.user("carol", "player"), "f0000000-0000-4000-8000-000000000006")
	f.run("kick", "--reason", "afk", "f0000000", "--session", tokAdmin).want(t, exitOK, "")
	// After "--" everything is an argument, even what looks like a flag.
	f.run("--session", tokAdmin, "kick", "--", "--json").want(t, exitFailure, "not found")
}

func TestMissingDatabaseIsNotCreated(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{{"count"}, {}, {"monitor"}, {"sessions", "--session", tokAdmin}} {
		r := runBinary(t, []string{"MUD_DB_PATH=" + missing}, "", args...)
		r.want(t, exitFailure, "mudtop init --db "+missing)
		if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v created %s", args, missing)
		}
		if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: message is not one line: %q", args, r.stderr)
		}
	}
}

func TestNotADatabase(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("this is not sqlite\n"), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runBinary(t, nil, "", "--db", junk, "count")
	r.want(t, exitFailure, "is not an SQLite database")

	// An SQLite file without the session schema names what is missing.
	other := filepath.Join(dir, "other.db")
	storagetest.Exec(t, storagetest.Raw(t, other, true), `CREATE TABLE notes (x TEXT)`)
	r = runBinary(t, nil, "", "--db", other, "count")
	r.want(t, exitFailure, "this is not a MUD server database")
}

// A bug must end as one line and exit 1, never a stack trace.
func TestRunRecoversPanics(t *testing.T) {
	var errb bytes.Buffer
	g := &Globals{Stdout: &bytes.Buffer{}, Stderr: &errb, Getenv: func(string) string { panic("boom\n\x1b[31mred") }}
	code := Run(context.Background(), []string{"count"}, g)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1", code)
	}
	if got := errb.String(); got != "mudtop: internal error: boom red\n" {
		t.Fatalf("stderr %q", got)
	}
}

func TestBinaryExitCodes(t *testing.T) {
	f := newFixture(t)
	now := time.Now().UTC()
	f.clock.Set(now) // the binary uses the wall clock
	f.staff()
	env := []string{"MUD_DB_PATH=" + f.db}
	runBinary(t, env, "", "validate", "nope").want(t, exitUnauthorized, "Invalid or expired session")
	runBinary(t, env, "", "--session", tokPlayer, "sessions").want(t, exitForbidden, "Insufficient permissions. Required: view_logs")
	runBinary(t, env, "", "validate", "--game", tokPlayer).want(t, exitConflict, "No character selected for session. Select a character first.")
	runBinary(t, env, "", "kick").want(t, exitUsage, "exactly one of")
	r := runBinary(t, env, "", "count")
	r.want(t, exitOK, "")
	if r.stdout != "4\n" {
		t.Fatalf("count printed %q, want 4", r.stdout)
	}
	// A hostile username reaches the real terminal output inert.
	f.session(f.user("x\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2Jy", "player"), "f0000000-0000-4000-8000-0000000000ee")
	r = runBinary(t, append(env, "MUDTOP_SESSION="+tokAdmin), "", "sessions")
	r.want(t, exitOK, "")
	if strings.ContainsAny(r.stdout, "\x1b\x07") || !strings.Contains(r.stdout, "xy") {
		t.Fatalf("hostile username not made inert: %q", r.stdout)
	}
	// A refusal prints the detail text on stderr only, nothing on stdout.
	r = runBinary(t, append(env, "MUDTOP_SESSION="+tokAdmin), "", "kick", "--user", "root")
	r.want(t, exitForbidden, "Insufficient rank: admin cannot manage superuser")
	if r.stdout != "" {
		t.Fatalf("refusal wrote to stdout: %q", r.stdout)
	}
}

// No command is the monitor: it opens the database and the service, runs
// the UI (here fed "q" to quit at once) and closes both.
func TestNoCommandRunsTheMonitor(t *testing.T) {
	f := newFixture(t)
	f.staff()
	f.stdin = "q"
	f.as(tokAdmin).want(t, exitOK, "")
	f.stdin = "q"
	f.as(tokAdmin, "monitor").want(t, exitOK, "")
	f.run("monitor", "extra").want(t, exitUsage, `unexpected argument "extra"`)
}

// testLook stands in for package main's key map and theme, which cli
// cannot import: the few keys the tests press, and every style is plain.
func testLook() Look {
	return Look{
		Keys: func() tui.KeyMap {
			b := func(keys ...string) key.Binding { return key.NewBinding(key.WithKeys(keys...)) }
			return tui.KeyMap{
				Quit: b("q"), FormQuit: b("ctrl+c"), Up: b("up"), Down: b("down"), Filter: b("/"),
				Kick: b("x"), Back: b("esc"), Confirm: b("enter"), Cancel: b("esc"), NextField: b("tab"),
				PrevField: b("shift+tab"), Left: b("left"), Right: b("right"), Submit: b("enter"),
			}
		},
		Rebind: func(*tui.KeyMap, map[string][]string) error { return nil },
		Theme: func(string, bool) (tui.ThemeFunc, bool, error) {
			return func(bool) tui.Theme { return tui.Theme{} }, false, nil
		},
	}
}

// The demo fills a database with made-up players, so only a --db the user
// named reaches it: never the CLI's default path or $MUD_DB_PATH.
func TestDemoGetsOnlyAnExplicitDB(t *testing.T) {
	env := map[string]string{"MUD_DB_PATH": "/srv/mud/mud.db"}
	for db, want := range map[string]string{
		"": "", "data/mud.db": "", "/srv/mud/mud.db": "", "/tmp/x.db": "/tmp/x.db",
	} {
		g := &Globals{DB: db, Getenv: func(k string) string { return env[k] }}
		if got := explicitDB(g); got != want {
			t.Errorf("explicitDB(%q) = %q, want %q", db, got, want)
		}
	}
}
