package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"mudtop/storage"
)

// lockedBuffer is a stderr the demo writes from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func demoGlobals(env map[string]string) (*Env, *lockedBuffer) {
	errs := &lockedBuffer{}
	return &Env{Stderr: errs,
		Getenv: func(k string) string { return env[k] }}, errs
}

// startHeadless runs the demo headless in the background, waits until it
// has printed a status line, and returns a stop function that cancels it
// and returns its error.
func startHeadless(t *testing.T, g *Env, errs *lockedBuffer, args ...string) (stop func() error) {
	t.Helper()
	c, err := parseDemoFlags(g, append([]string{"--headless"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	c.adminCost = bcrypt.MinCost // the real cost 12 only slows the test down
	c.statusEvery = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- demo(ctx, g, c) }()
	// Wait for a condition, not for a time: the first status line.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errs.String(), " ops ") {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("demo ended before its first status line: %v\n%s", err, errs.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no status line:\n%s", errs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("demo did not stop after its context was cancelled")
			return nil
		}
	}
}

var printedDB = regexp.MustCompile(`database (\S+)`)

func TestDemoHeadlessTemporaryDatabase(t *testing.T) {
	t.Parallel()
	g, errs := demoGlobals(nil)
	stop := startHeadless(t, g, errs, "--users", "30", "--rate", "200")
	m := printedDB.FindStringSubmatch(errs.String())
	if m == nil {
		t.Fatalf("no database path printed:\n%s", errs.String())
	}
	if _, err := os.Stat(m[1]); err != nil {
		t.Fatalf("printed database %s: %v", m[1], err)
	}
	if err := stop(); err != nil {
		t.Fatalf("demo: %v\n%s", err, errs.String())
	}
	if _, err := os.Stat(filepath.Dir(m[1])); !os.IsNotExist(err) {
		t.Errorf("temporary database directory left behind: %v", err)
	}
	out := errs.String()
	if !regexp.MustCompile(`operator login was demo-admin / \S{20,}`).MatchString(out) {
		t.Errorf("credentials not printed on exit:\n%s", out)
	}
	if !strings.Contains(out, "stopped:") {
		t.Errorf("no final summary:\n%s", out)
	}
}

func TestDemoHeadlessKeptDatabaseAndJournal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, jpath := filepath.Join(dir, "demo.db"), filepath.Join(dir, "ops.jsonl")
	// $MUD_DB_PATH and the global --db default must never become the demo's
	// database: only an explicit path is kept.
	g, errs := demoGlobals(map[string]string{"MUD_DB_PATH": filepath.Join(dir, "server.db")})
	g.DB = filepath.Join(dir, "server.db")
	stop := startHeadless(t, g, errs, "--users", "30", "--rate", "300", "--db", db, "--journal", jpath)
	if err := stop(); err != nil {
		t.Fatalf("demo: %v\n%s", err, errs.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "server.db")); !os.IsNotExist(err) {
		t.Error("the demo touched the server's default database")
	}
	if !strings.Contains(errs.String(), "database kept at "+db) {
		t.Errorf("kept path not printed:\n%s", errs.String())
	}
	st, err := openExisting(db)
	if err != nil {
		t.Fatal(err)
	}
	users := queryInt(t, st, `SELECT count(*) FROM users`)
	st.Close()
	if users != 31 { // 30 seeded and demo-admin
		t.Errorf("users = %d, want 31", users)
	}

	// The journal was flushed on exit: every line parses, none holds a
	// whole session id.
	lines := readJournal(t, jpath)
	if len(lines) == 0 {
		t.Fatal("empty journal")
	}

	// A second run reuses the database without seeding anyone again, and
	// appends to the journal.
	g2, errs2 := demoGlobals(nil)
	stop = startHeadless(t, g2, errs2, "--users", "30", "--rate", "300", "--db", db, "--journal", jpath)
	if err := stop(); err != nil {
		t.Fatalf("second run: %v\n%s", err, errs2.String())
	}
	if !strings.Contains(errs2.String(), "(0 new)") {
		t.Errorf("second run seeded users again:\n%s", errs2.String())
	}
	st, err = openExisting(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := queryInt(t, st, `SELECT count(*) FROM users`); n != 31 {
		t.Errorf("users after reuse = %d, want 31", n)
	}
	if more := readJournal(t, jpath); len(more) <= len(lines) {
		t.Errorf("journal not appended: %d then %d lines", len(lines), len(more))
	}
}

func readJournal(t *testing.T, path string) []journalEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []journalEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if uuidLike.Match(sc.Bytes()) {
			t.Fatalf("full session id in journal: %s", sc.Text())
		}
		var e journalEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("bad journal line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func TestDemoFlags(t *testing.T) {
	t.Parallel()
	g, _ := demoGlobals(map[string]string{"MUD_DB_PATH": "/srv/mud/mud.db"})
	for _, tc := range []struct {
		globalDB string
		args     []string
		wantDB   string
		wantErr  bool
	}{
		{"", nil, "", false},
		{"/tmp/x.db", nil, "/tmp/x.db", false},
		{"", []string{"--db", "/tmp/y.db"}, "/tmp/y.db", false},
		{"", []string{"--users", "5"}, "", true},
		{"", []string{"--rate", "-1"}, "", true},
		{"", []string{"extra"}, "", true},
	} {
		g.DB = tc.globalDB
		c, err := parseDemoFlags(g, tc.args)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q %v: err %v", tc.globalDB, tc.args, err)
			continue
		}
		if err == nil && c.db != tc.wantDB {
			t.Errorf("%q %v: db %q, want %q", tc.globalDB, tc.args, c.db, tc.wantDB)
		}
	}
	c, err := parseDemoFlags(g, nil)
	if err != nil || c.users != 300 || c.rate != 20 || c.headless || c.adminCost != 12 {
		t.Errorf("defaults: %+v %v", c, err)
	}
}

func openExisting(path string) (*storage.Store, error) {
	return storage.Open(context.Background(), path, storage.Options{})
}
