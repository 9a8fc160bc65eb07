// Package storage is mudtop's access to the MUD server's SQLite file: open,
// schema, and the queries behind the session API. It holds the facts, not
// the rules: it knows nothing of roles, HTTP statuses or terminals, and every
// "now" it needs is passed in by the caller.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DefaultBusyTimeout matches the original server's 5 s busy timeout.
const DefaultBusyTimeout = 5 * time.Second

// Options tune how a database is opened.
type Options struct {
	// ReadOnly opens the file with mode=ro: every write fails with
	// ErrReadOnly and no journal or audit table is ever created.
	ReadOnly bool
	// BusyTimeout is how long a statement waits for another connection's
	// lock before failing with ErrBusy. Zero means DefaultBusyTimeout.
	BusyTimeout time.Duration
	// MaxConns caps the connection pool. Zero means 8.
	MaxConns int
	// LookupMmap is how many bytes of the file each connection pinned for
	// the validation lookup maps into memory (SQLite's mmap_size). Zero
	// means DefaultLookupMmap; a negative value turns mapping off.
	//
	// Mapping spares a read syscall and a copy for every page a lookup
	// touches, about a quarter of its cost on a file larger than SQLite's
	// page cache, which is what a validating game server wants. The price
	// is SQLite's documented one: should another program truncate the file
	// in the very middle of a lookup, the process dies of SIGBUS instead of
	// getting an error (a truncation between lookups is still reported as
	// an error). Interactive and one-shot processes, which make a lookup a
	// second or one in all, gain nothing from it and turn it off.
	LookupMmap int64
	// PageCacheKiB caps SQLite's page cache on each connection (its
	// cache_size, in KiB). Zero leaves SQLite's default of 2000 KiB.
	//
	// A process that watches a file another one writes gains little from
	// the cache: SQLite drops a connection's cache whenever it finds the
	// file changed, and a view at 100k sessions scans far more than 2 MB
	// anyway. It costs twice its size, as modernc's allocator gives each
	// 4 KiB page plus its header an 8 KiB slot, on each of the monitor's
	// several connections. See MonitorPageCacheKiB.
	PageCacheKiB int
}

// MonitorPageCacheKiB is the page cache of MonitorOptions: at 100k sessions
// on a file committed to every 300 ms, it took the monitor's peak RSS down
// by about 4 MB with no view slower than at SQLite's default.
const MonitorPageCacheKiB = 512

// MonitorOptions open a file for a process that watches what another one
// writes: the monitor, the SSH server and the one-shot commands. They
// validate once a tick or once in all, so mapping the file (LookupMmap)
// gains them nothing and would let a file truncated under them end the
// process; and their reads scan more than any page cache holds.
func MonitorOptions(readOnly bool) Options {
	return Options{ReadOnly: readOnly, LookupMmap: -1, PageCacheKiB: MonitorPageCacheKiB}
}

// DefaultLookupMmap is the mapping Options.LookupMmap stands for when zero:
// the whole of any session database up to 256 MiB (100,000 sessions take
// about 70 MB).
const DefaultLookupMmap = 256 << 20

// Store is an open session database. It is safe for concurrent use.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool
	hasAudit bool
	// hasOrigin: the audit table has the origin column (an older mudtop's
	// table on a read-only file may not); hasKeys: mudtop_ssh_keys exists.
	hasOrigin, hasKeys bool
	wal                bool
	// countIdx: the file has mudtop's count indexes (countindex.go).
	countIdx bool
	stmts    statements
	// watch notices the file being deleted, replaced or truncated while
	// open (see fileident.go).
	watch *fileWatch
	// monitor is the monitor's pinned connection and count cache
	// (aggcache.go).
	monitor monitorReader
	// hints are the role, world and client values the last count rebuild
	// saw, which let a filter skip lower() for them (filterhints.go).
	hints atomic.Pointer[filterHints]
	// edges are the last pages' edges in the expires and client orders
	// (pageedge.go).
	edges pageEdges
	// pairReads counts the paired reads, pairSplits those whose second
	// half ran on its own connection (pairread.go).
	pairReads, pairSplits atomic.Int64
}

// Querier is what both *sql.DB and *sql.Tx offer, so store methods run
// either on their own or inside a transaction the caller (auth) controls.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func dsn(path string, opt Options) string {
	bt := opt.BusyTimeout
	if bt <= 0 {
		bt = DefaultBusyTimeout
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", bt.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if opt.PageCacheKiB > 0 {
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -opt.PageCacheKiB))
	}
	// BEGIN IMMEDIATE for write transactions: taking the write lock up front
	// avoids the deadlock of two readers both trying to upgrade.
	q.Set("_txlock", "immediate")
	if opt.ReadOnly {
		q.Set("mode", "ro")
	} else {
		// rw, never rwc: a mistyped --db must not create an empty file.
		q.Set("mode", "rw")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens an existing database of the original server. It never creates
// the file, never changes its journal mode, and refuses (with a SchemaError)
// a database that lacks a table or column mudtop needs. On a writable
// database it adds mudtop's audit table if missing.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w (create one with `mudtop init --db %s`)", path, ErrNoDatabase, path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a database file", path)
	}
	if st.Size() == 0 {
		// SQLite treats an empty file as an empty database; for us it is a
		// file something else truncated or created, and it has no sessions.
		return nil, fmt.Errorf("%s: file is empty: %w", path, &SchemaError{Table: "sessions"})
	}
	s, err := open(ctx, path, opt)
	if err != nil {
		return nil, err
	}
	if err := verifySchema(ctx, s.db); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	tables, err := ensureAudit(ctx, s.db, s.readOnly)
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.hasAudit, s.hasOrigin, s.hasKeys = tables.audit, tables.origin, tables.keys
	if s.countIdx, err = hasCountIndexes(ctx, s.db); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := s.prepare(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Create makes a new database with the original's schema, the default world
// and mudtop's audit table, in WAL mode (safe here: mudtop owns the file).
// It refuses a file that already holds data.
func Create(ctx context.Context, path string) (*Store, error) {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrExists)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	f.Close()
	s, err := open(ctx, path, Options{})
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Store, error) {
		s.db.Close()
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA journal_mode=WAL`); err != nil {
		return fail(wrap("set WAL", err))
	}
	s.wal = true
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(wrap("begin", err))
	}
	if err := createSchema(ctx, tx); err != nil {
		tx.Rollback()
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(wrap("commit schema", err))
	}
	s.hasAudit, s.hasOrigin, s.hasKeys, s.countIdx = true, true, true, true
	if err := s.prepare(ctx); err != nil {
		return fail(err)
	}
	return s, nil
}

func open(ctx context.Context, path string, opt Options) (*Store, error) {
	watch := newFileWatch(path)
	conn, err := newConnector(dsn(path, opt), watch)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := sql.OpenDB(conn)
	n := opt.MaxConns
	if n <= 0 {
		n = 8
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	watch.setDrain(func() { db.SetMaxIdleConns(0); db.SetMaxIdleConns(n) })
	// Reading the header forces SQLite to look at the file: a foreign file
	// fails here with "not a database" rather than at the first query.
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, wrap("read header", err))
	}
	st := &Store{db: db, path: path, readOnly: opt.ReadOnly, wal: mode == "wal", watch: watch}
	switch {
	case opt.LookupMmap == 0:
		st.stmts.hot.mmap = DefaultLookupMmap
	case opt.LookupMmap > 0:
		st.stmts.hot.mmap = opt.LookupMmap
	}
	return st, nil
}

// Close releases the connections.
func (s *Store) Close() error {
	s.monitor.close()
	s.stmts.close()
	return s.db.Close()
}

// Path is the database file this store was opened on.
func (s *Store) Path() string { return s.path }

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// WAL reports whether the database is in WAL journal mode.
func (s *Store) WAL() bool { return s.wal }

// HasAudit reports whether the audit table exists (it cannot be created on a
// read-only database that lacks it).
func (s *Store) HasAudit() bool { return s.hasAudit }

// DB gives direct access for code (tests, benchmarks, the demo generator)
// that must write rows exactly as the original server would.
func (s *Store) DB() *sql.DB { return s.db }

// Write runs fn in one write transaction (BEGIN IMMEDIATE) and commits it,
// or rolls it back if fn or the commit fails.
func (s *Store) Write(ctx context.Context, fn func(q Querier) error) error {
	if err := s.watch.check(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap("begin write", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.watch.writeErr(err)
	}
	if err := tx.Commit(); err != nil {
		return s.watch.writeErr(wrap("commit", err))
	}
	return nil
}

// Read runs fn in one read transaction, so everything it reads comes from a
// single consistent snapshot. Keep fn short: in rollback-journal mode a reader
// delays every writer's commit until it ends.
func (s *Store) Read(ctx context.Context, fn func(q Querier) error) error {
	if err := s.watch.check(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrap("begin read", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// Q is the store's own pool, for single statements outside a transaction.
// It checks the file's identity too: it cannot return the error, but a
// missing file then fails the statement when no connection can be opened.
func (s *Store) Q() Querier {
	_ = s.watch.check()
	return s.db
}
