package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// newEmptyFixture is a fixture whose database does not exist yet.
func newEmptyFixture(t *testing.T, path string) *fixture {
	return &fixture{t: t, db: path, env: map[string]string{}, clock: storagetest.NewClock(storagetest.Epoch())}
}

// The init tests hash and verify at the original's bcrypt cost 12, so they
// run the real binary: under the race detector in-process they take seconds.

func TestInitWithPasswordFromEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "mud.db")
	f := newEmptyFixture(t, path)
	r := runBinary(t, []string{"MUDTOP_ADMIN_PASSWORD=correct horse"}, "", "init", "--admin", "keeper", "--db", path)
	r.want(t, exitOK, "")
	if strings.Contains(r.stdout, "correct horse") {
		t.Fatal("init printed a password it did not generate")
	}
	f.store = storagetest.Open(t, path, storage.Options{})
	row := storagetest.Scalar[string](t, f.store.DB(),
		`SELECT username || '|' || role || '|' || account_origin || '|' || is_active FROM users`)
	if row != "keeper|superuser|system|1" {
		t.Fatalf("superuser row %q", row)
	}
	if !f.store.WAL() {
		t.Error("a database mudtop creates should be in WAL mode")
	}
	r = runBinary(t, []string{"MUDTOP_PASSWORD=correct horse", "MUD_DB_PATH=" + path}, "", "login", "keeper")
	r.want(t, exitOK, "")
	f.as(strings.TrimSpace(r.stdout), "validate", "--permission", "manage_users").want(t, exitOK, "")
}

func TestInitGeneratesPasswordOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mud.db")
	r := runBinary(t, []string{"MUD_DB_PATH=" + path}, "", "--json", "init")
	r.want(t, exitOK, "")
	var out struct{ DB, Admin, Password string }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.DB != path || out.Admin != "admin" || len(out.Password) < 20 {
		t.Fatalf("init --json = %s", r.stdout)
	}
	// The password is fed on standard input, as a script without a terminal would.
	runBinary(t, []string{"MUD_DB_PATH=" + path}, out.Password+"\n", "login", "admin").want(t, exitOK, "")
}

func TestInitRefusals(t *testing.T) {
	dir := t.TempDir()
	// An existing database is never touched.
	existing := filepath.Join(dir, "live.db")
	content := bytes.Repeat([]byte("precious"), 512)
	if err := os.WriteFile(existing, content, 0o600); err != nil {
		t.Fatal(err)
	}
	f := newEmptyFixture(t, existing)
	f.env["MUDTOP_ADMIN_PASSWORD"] = "long enough"
	f.run("init").want(t, exitFailure, "already exists and is not empty")
	if got, _ := os.ReadFile(existing); !bytes.Equal(got, content) {
		t.Fatal("init changed an existing file")
	}

	// Bad input creates nothing.
	fresh := filepath.Join(dir, "fresh.db")
	f = newEmptyFixture(t, fresh)
	f.env["MUDTOP_ADMIN_PASSWORD"] = "short"
	f.run("init").want(t, exitUsage, "shorter than 8")
	f.env["MUDTOP_ADMIN_PASSWORD"] = "long enough"
	f.run("init", "--admin", "x").want(t, exitUsage, "2-20 printable")
	f.run("init", "--admin", "evil\x1b[2J").want(t, exitUsage, "2-20 printable")
	f.run("init", "--read-only").want(t, exitUsage, "--read-only")
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Fatal("a refused init created the file")
	}
}
