// Package storagetest builds real SQLite session databases for tests: a
// store on a temp file, a database laid out exactly as the original Python
// server lays it out (rollback-journal mode), rows shaped exactly as the
// original writes them (COMPAT.md §1.1, §2, §4), raw inserts for the odd
// rows a real database may hold, and a fake clock.
//
// Everything here fails the test at once on error, so test bodies stay about
// the behaviour they check.
package storagetest

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"testing"

	"mudtop/storage"

	_ "modernc.org/sqlite" // the same driver storage uses
)

// Password is the plain text of both test hashes below.
const Password = "hunter22"

// Hash12 is a real passlib bcrypt hash of Password at the original's cost 12,
// as the original's create_user stores it. Verifying it takes about 250 ms:
// use it where the original's exact hash matters, Hash4 everywhere else.
const Hash12 = "$2b$12$hGVjC5Se/R7QAu0NyLwI/eBrm7B9Ezaux1mvxhBpXTWj3ikpjDXhy"

// Hash4 is a $2b$ hash of Password at cost 4: the same format, cheap enough
// for a suite that runs on two cores.
const Hash4 = "$2b$04$iHto1DWqkLB.iXT5tMfBWeR7XpIdxlrUwg/0eSviettTMc9tg10Ii"

// New returns a store on a fresh database made by storage.Create (mudtop's
// own schema, WAL mode) in t.TempDir(). It is closed when the test ends.
func New(t testing.TB) *storage.Store {
	t.Helper()
	return NewAt(t, filepath.Join(t.TempDir(), "mud.db"))
}

// NewAt is New on a chosen path (which must not exist or be empty).
func NewAt(t testing.TB, path string) *storage.Store {
	t.Helper()
	s, err := storage.Create(context.Background(), path)
	if err != nil {
		t.Fatalf("storage.Create(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Open opens an existing database with storage.Open and closes it when the
// test ends.
func Open(t testing.TB, path string, opt storage.Options) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), path, opt)
	if err != nil {
		t.Fatalf("storage.Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// NewOriginal creates, in t.TempDir(), a database exactly as the original
// server's init_database leaves it (see OriginalSchema): rollback-journal
// mode, never touched by mudtop. It returns the file's path; open it with
// Open (or storage.Open) to test mudtop against it.
func NewOriginal(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mud.db")
	db := Raw(t, path, true)
	for _, stmt := range OriginalSchema {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("original schema: %v\n%s", err, stmt)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatalf("close original db: %v", err)
	}
	return path
}

// Raw opens a plain connection pool to path, outside storage, the way the
// original connects (foreign_keys on, 5 s busy timeout), creating the file if
// needed. Pass foreignKeys=false to write rows the foreign keys would refuse
// (an orphaned session, say). It is closed when the test ends.
func Raw(t testing.TB, path string, foreignKeys bool) *sql.DB {
	t.Helper()
	fk := "foreign_keys(1)"
	if !foreignKeys {
		fk = "foreign_keys(0)"
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", fk)
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	// One connection: a PRAGMA or an open transaction then applies to every
	// statement the test sends through this handle.
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Exec runs one statement on q and fails the test on error.
func Exec(t testing.TB, q storage.Querier, query string, args ...any) sql.Result {
	t.Helper()
	res, err := q.ExecContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
	return res
}

// Scalar reads one value with query and fails the test on error.
func Scalar[T any](t testing.TB, q storage.Querier, query string, args ...any) T {
	t.Helper()
	var v T
	if err := q.QueryRowContext(context.Background(), query, args...).Scan(&v); err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	return v
}

// JournalMode reads PRAGMA journal_mode on q.
func JournalMode(t testing.TB, q storage.Querier) string {
	t.Helper()
	return Scalar[string](t, q, `PRAGMA journal_mode`)
}
