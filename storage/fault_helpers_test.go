package storage_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mudtop/storage"
)

// The fault tests build their own databases instead of sharing fixtures:
// each needs files it can delete, replace and lock from outside the store.

// faultNow is the fixed instant the fault tests' rows are written at.
var faultNow = time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)

// journalModes are the two layouts a store meets: mudtop's own (WAL) and
// the original server's (rollback journal).
var journalModes = []string{"wal", "rollback"}

// makeDB creates a database with the session schema at path, in WAL mode
// (storage.Create) or, for "rollback", the same schema written onto a plain
// file through database/sql, never switched to WAL, as the original leaves
// its file. It returns the path.
func makeDB(t *testing.T, path, mode string) string {
	t.Helper()
	ctx := context.Background()
	if mode == "wal" {
		st, err := storage.Create(ctx, path)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		st.Close()
		return path
	}
	scratch := filepath.Join(t.TempDir(), "scratch.db")
	st, err := storage.Create(ctx, scratch)
	if err != nil {
		t.Fatalf("create scratch: %v", err)
	}
	var stmts []string
	rows, err := st.DB().QueryContext(ctx, `SELECT sql FROM sqlite_master
		WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid`)
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("read schema: %v", err)
		}
		stmts = append(stmts, s)
	}
	rows.Close()
	st.Close()
	db := rawDB(t, path)
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("schema %q: %v", s, err)
		}
	}
	var jm string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&jm); err != nil || jm != "delete" {
		t.Fatalf("journal_mode = %q, %v; want delete", jm, err)
	}
	db.Close()
	return path
}

// rawDB is a plain connection to path from outside the store, as another
// process (the game server, an operator's sqlite3 shell) would hold one. It
// creates the file if needed; it is closed when the test ends.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// seed adds n users with one session each, through the store's own writes,
// and returns the tokens.
func seed(t *testing.T, st *storage.Store, prefix string, n int) []string {
	t.Helper()
	ctx := context.Background()
	var tokens []string
	err := st.Write(ctx, func(q storage.Querier) error {
		for i := 0; i < n; i++ {
			name := prefix + string(rune('a'+i))
			id, err := st.CreateUser(ctx, q, storage.NewUser{Username: name, PasswordHash: "x", Role: "player", Now: faultNow})
			if err != nil {
				return err
			}
			tok := strings.Repeat(string(rune('a'+i)), 8) + "-" + prefix + "-0000-0000-000000000000"
			if _, err := st.CreateSession(ctx, q, storage.NewSession{UserID: id, Token: tok, ClientType: "test",
				Now: faultNow, TTL: time.Hour}); err != nil {
				return err
			}
			tokens = append(tokens, tok)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return tokens
}

// countSessions is the monitor's shape of read: one read transaction.
func countSessions(st *storage.Store) (int, error) {
	var n int
	err := st.Read(context.Background(), func(q storage.Querier) error {
		return q.QueryRowContext(context.Background(), `SELECT count(*) FROM sessions`).Scan(&n)
	})
	return n, err
}

// snapshotFile returns the file's bytes with everything committed in it
// (a WAL database is checkpointed first), for putting back later.
func snapshotFile(t *testing.T, st *storage.Store, path string) []byte {
	t.Helper()
	if st.WAL() {
		if _, err := st.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			t.Fatalf("checkpoint: %v", err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// putBack writes data to path the way an operator restores a backup: to a
// new file renamed into place.
func putBack(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".restore"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}
