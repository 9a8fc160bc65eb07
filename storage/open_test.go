package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// TestOpenMissingFile: a mistyped --db must never create an empty
// database; the error says how to make one.
func TestOpenMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.db")
	for _, ro := range []bool{false, true} {
		_, err := storage.Open(context.Background(), path, storage.Options{ReadOnly: ro})
		if !errors.Is(err, storage.ErrNoDatabase) || !strings.Contains(err.Error(), "mudtop init") {
			t.Errorf("ro=%v: err = %v; want ErrNoDatabase mentioning `mudtop init`", ro, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("Open created %s", path)
		}
	}
	_, err := storage.Open(context.Background(), t.TempDir(), storage.Options{})
	if err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: err = %v", err)
	}
}

// TestOpenForeignFiles: a file that is not a session database is refused
// with a message naming what is wrong, and left byte for byte as it was.
func TestOpenForeignFiles(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	content := bytes.Repeat([]byte("this is not a database\n"), 300)
	if err := os.WriteFile(text, content, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := storage.Open(context.Background(), text, storage.Options{})
	if !errors.Is(err, storage.ErrNotSQLite) {
		t.Errorf("text file: err = %v, want ErrNotSQLite", err)
	}
	if got, _ := os.ReadFile(text); !bytes.Equal(got, content) {
		t.Error("Open changed a non-SQLite file")
	}

	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = storage.Open(context.Background(), empty, storage.Options{})
	var se *storage.SchemaError
	if !errors.As(err, &se) || se.Table != "sessions" {
		t.Errorf("empty file: err = %v, want a SchemaError naming sessions", err)
	}
	if st, _ := os.Stat(empty); st.Size() != 0 {
		t.Error("Open wrote into an empty file")
	}
	for _, f := range []string{"notes.txt-journal", "notes.txt-wal", "empty.db-wal", "empty.db-journal"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("Open left %s behind", f)
		}
	}
}

// TestOpenSchemaErrors: a database lacking a table or column mudtop needs
// is refused up front, naming the table and column, and is not changed
// (no audit table is added to something that is not a session database).
func TestOpenSchemaErrors(t *testing.T) {
	cases := []struct {
		name   string
		mutate string
		table  string
		column string
	}{
		{"no sessions table", `DROP TABLE sessions`, "sessions", ""},
		{"no users table", `PRAGMA foreign_keys=OFF; DROP TABLE users`, "users", ""},
		{"no expires_at", `ALTER TABLE sessions DROP COLUMN expires_at`, "sessions", "expires_at"},
		{"no tombstoned_at", `ALTER TABLE users DROP COLUMN tombstoned_at`, "users", "tombstoned_at"},
		{"no characters table", `DROP TABLE characters`, "characters", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := storagetest.NewOriginal(t)
			raw := storagetest.Raw(t, path, false)
			// Triggers and indexes name the columns; drop them first.
			storagetest.Exec(t, raw, `DROP TRIGGER enforce_session_invariants_insert; DROP TRIGGER enforce_session_invariants_update;
				DROP INDEX idx_sessions_user_activity; DROP INDEX idx_sessions_world_activity`)
			storagetest.Exec(t, raw, c.mutate)
			raw.Close()
			before, _ := os.ReadFile(path)
			_, err := storage.Open(context.Background(), path, storage.Options{})
			var se *storage.SchemaError
			if !errors.As(err, &se) || se.Table != c.table || se.Column != c.column {
				t.Fatalf("err = %v, want SchemaError{%s, %s}", err, c.table, c.column)
			}
			for _, word := range []string{c.table, c.column} {
				if !strings.Contains(err.Error(), word) {
					t.Errorf("message %q does not name %q", err, word)
				}
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("refused database was modified")
			}
		})
	}
}

// TestReadOnly: reads work, every write is ErrReadOnly, nothing is created.
func TestReadOnly(t *testing.T) {
	path := storagetest.NewOriginal(t)
	raw := storagetest.Raw(t, path, true)
	uid := storagetest.AddUser(t, raw, storagetest.User{Name: "alice"})
	storagetest.AddSession(t, raw, storagetest.Session{UserID: uid, Token: "tok", Now: storagetest.Epoch(), TTL: time.Hour})
	raw.Close()
	before, _ := os.ReadFile(path)

	st := storagetest.Open(t, path, storage.Options{ReadOnly: true})
	ctx := context.Background()
	if !st.ReadOnly() || st.HasAudit() {
		t.Errorf("ReadOnly=%v HasAudit=%v; want true, false", st.ReadOnly(), st.HasAudit())
	}
	a, ok, err := st.SessionAuth(ctx, st.Q(), "tok")
	if err != nil || !ok || a.Username != "alice" {
		t.Fatalf("read on a read-only store: %+v %v %v", a, ok, err)
	}
	if _, err := st.DeleteSession(ctx, st.Q(), "tok"); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("delete: err = %v, want ErrReadOnly", err)
	}
	err = st.Write(ctx, func(q storage.Querier) error {
		_, err := st.TouchSession(ctx, q, storage.Touch{Token: "tok", LastActivity: "2099-01-01 00:00:00"})
		return err
	})
	if !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("write tx: err = %v, want ErrReadOnly", err)
	}
	if err := st.WriteAudit(ctx, st.Q(), storagetest.Epoch(), storage.AuditEntry{Actor: "x"}); err != nil {
		t.Errorf("audit on a read-only foreign db should be a no-op: %v", err)
	}
	if rows, err := st.RecentAudit(ctx, st.Q(), 5); err != nil || rows != nil {
		t.Errorf("RecentAudit = %v, %v", rows, err)
	}
	st.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("read-only store modified the file")
	}
}

// TestBusy: another process's exclusive transaction makes a write wait for
// the busy timeout, then fail with ErrBusy having changed nothing.
func TestBusy(t *testing.T) {
	path := storagetest.NewOriginal(t)
	raw := storagetest.Raw(t, path, true)
	uid := storagetest.AddUser(t, raw, storagetest.User{Name: "alice"})
	storagetest.AddSession(t, raw, storagetest.Session{UserID: uid, Token: "tok", Now: storagetest.Epoch(), TTL: time.Hour})
	st := storagetest.Open(t, path, storage.Options{BusyTimeout: 200 * time.Millisecond})
	ctx := context.Background()
	storagetest.Exec(t, raw, `BEGIN EXCLUSIVE`)
	_, err := st.DeleteSession(ctx, st.Q(), "tok")
	if !errors.Is(err, storage.ErrBusy) || !storage.IsBusy(err) {
		t.Errorf("err = %v, want ErrBusy", err)
	}
	storagetest.Exec(t, raw, `COMMIT`)
	if !storagetest.HasSession(t, raw, "tok") {
		t.Fatal("busy delete removed the row")
	}
	if ok, err := st.DeleteSession(ctx, st.Q(), "tok"); !ok || err != nil {
		t.Errorf("after release: %v %v", ok, err)
	}
}

// TestOddPaths: the DSN is a file: URI, so a path with a space, #, ?, % or
// non-ASCII must be escaped, or SQLite would open (or fail to find) a
// different file than the one os.Stat checked.
func TestOddPaths(t *testing.T) {
	for _, name := range []string{"my mud.db", "a#b.db", "q?mode=rwc.db", "p%20c.db", "ü.db", "semi;colon.db"} {
		dir := filepath.Join(t.TempDir(), "dir with space")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		st, err := storage.Create(context.Background(), p)
		if err != nil {
			t.Errorf("create %q: %v", name, err)
			continue
		}
		st.Close()
		for _, ro := range []bool{false, true} {
			st, err := storage.Open(context.Background(), p, storage.Options{ReadOnly: ro})
			if err != nil {
				t.Errorf("open %q (ro=%v): %v", name, ro, err)
				continue
			}
			st.Close()
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if !strings.HasPrefix(e.Name(), name) {
				t.Errorf("%q: stray file %q", name, e.Name())
			}
		}
	}
}
