package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
)

// SQLite keeps reading an unlinked inode through connections that are
// already open, so a database file deleted, replaced or truncated under a
// running monitor would otherwise go on answering from the old file, or
// from nothing, forever. The store therefore checks the file's identity (a
// cheap stat) before each use and, when it changed, retires every pooled
// connection: connections carry the generation they were opened in, and the
// pool discards a connection from an older generation the next time it would
// be reused or returned. New connections open the path afresh (mode=rw or
// ro, never rwc), so a missing file is refused, never created.

// fileWatch is the store's view of its file's identity.
type fileWatch struct {
	path string
	gen  atomic.Uint64

	mu    sync.Mutex
	ident os.FileInfo // nil while the file is missing or empty
	// known is set once a file has been seen: the first sight (Create
	// fills an empty file after opening it) is a baseline, not a change.
	known bool
	// drain closes the pool's idle connections at once. In WAL mode the
	// old file's -wal and -shm stay beside the path, and a new connection
	// would read the old file's frames as if they were the new file's: the
	// old connections must be gone (the last one checkpoints and removes
	// them) before new ones open. A connection busy at that moment is
	// dropped when it comes back to the pool.
	drain func()
	// staleWAL is set when the file changed while a -wal file sat beside
	// it. SQLite does not checkpoint a moved file's WAL on close and opens
	// whatever -wal it finds beside a path, so a new connection would read
	// the old file's frames into the new one. Until that -wal is gone the
	// store refuses the file rather than show or write wrong data.
	staleWAL bool
}

func newFileWatch(path string) *fileWatch {
	w := &fileWatch{path: path}
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		w.ident, w.known = fi, true
	}
	return w
}

// check stats the file and retires the pool's connections when the file is
// no longer the one they were opened on. It returns why the file cannot be
// used right now (gone or empty), or nil.
func (w *fileWatch) check() error {
	fi, err := os.Stat(w.path)
	var why error
	switch {
	case err != nil && os.IsNotExist(err):
		why = fmt.Errorf("%s: %w (deleted or moved while open)", w.path, ErrNoDatabase)
	case err != nil:
		why = fmt.Errorf("%s: %w", w.path, err)
	case fi.Size() == 0:
		why = fmt.Errorf("%s: file is empty (truncated while open): %w", w.path, &SchemaError{Table: "sessions"})
	}
	w.mu.Lock()
	changed, shrunk := false, false
	if why != nil {
		if w.ident != nil {
			w.ident = nil
			changed = true
		}
	} else if !w.known {
		w.ident, w.known = fi, true
	} else if w.ident == nil || !os.SameFile(w.ident, fi) {
		w.ident = fi
		changed = true
	} else {
		// The same file, shorter. SQLite's own connections notice when
		// SQLite shrinks a file (VACUUM); a cut by anything else they do
		// not, and one that maps the file (the validation lookup's) would
		// touch pages past the new end and die of SIGBUS. So every
		// connection is retired and the next ones map what is there and
		// report any damage. A VACUUM costs only that reconnection.
		shrunk = fi.Size() < w.ident.Size()
		w.ident = fi
	}
	if changed {
		w.gen.Add(1)
		w.staleWAL = walPresent(w.path)
	} else if shrunk {
		w.gen.Add(1)
	}
	drain := w.drain
	if why == nil && w.staleWAL {
		if w.staleWAL = walPresent(w.path); w.staleWAL {
			why = fmt.Errorf("%s: %w: the file was replaced while open and %s-wal belongs to the old file; remove it (and -shm) or restore the old file", w.path, ErrStaleWAL, w.path)
		}
	}
	w.mu.Unlock()
	if (changed || shrunk) && drain != nil {
		drain()
	}
	return why
}

// walPresent reports whether a non-empty -wal file sits beside path.
func walPresent(path string) bool {
	fi, err := os.Stat(path + "-wal")
	return err == nil && fi.Size() > 0
}

// connector opens modernc connections tagged with the current generation.
type connector struct {
	driver.Connector
	watch *fileWatch
}

func newConnector(dsn string, w *fileWatch) (driver.Connector, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return &connector{Connector: base, watch: w}, nil
}

// Connect opens a connection for the current file generation.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	gen := c.watch.gen.Load()
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &genConn{Conn: conn, gen: gen, watch: c.watch}, nil
}

// genConn forwards every optional interface of modernc's connection (its
// documentation lists them) and adds the generation check to the two hooks
// database/sql asks before reusing or pooling a connection.
type genConn struct {
	driver.Conn
	gen   uint64
	watch *fileWatch
}

func (c *genConn) stale() bool { return c.gen != c.watch.gen.Load() }

// Unwrap gives the driver's own connection, as modernc asks of wrappers.
func (c *genConn) Unwrap() driver.Conn { return c.Conn }

// ResetSession refuses a connection opened on a file that is no longer there.
func (c *genConn) ResetSession(ctx context.Context) error {
	if c.stale() {
		return driver.ErrBadConn
	}
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid keeps a stale connection out of the pool.
func (c *genConn) IsValid() bool {
	if c.stale() {
		return false
	}
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// BeginTx forwards to the driver.
func (c *genConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	//lint:ignore SA1019 the fallback for drivers without BeginTx is the deprecated Begin itself
	return c.Conn.Begin()
}

// PrepareContext forwards to the driver.
func (c *genConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

// ExecContext forwards to the driver.
func (c *genConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := c.Conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

// QueryContext forwards to the driver.
func (c *genConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := c.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

// Ping forwards to the driver.
func (c *genConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (w *fileWatch) setDrain(f func()) {
	w.mu.Lock()
	w.drain = f
	w.mu.Unlock()
}

// writeErr corrects one misleading answer: SQLite reports "unable to open
// database file" when it cannot create the rollback journal beside an
// existing file (a read-only directory), which wrap reads as ErrNoDatabase.
// While the file is there, that is a read-only database.
func (w *fileWatch) writeErr(err error) error {
	if !errors.Is(err, ErrNoDatabase) {
		return err
	}
	if fi, serr := os.Stat(w.path); serr != nil || fi.Size() == 0 {
		return err
	}
	return fmt.Errorf("%s: %w: its journal cannot be created beside it (read-only directory?): %v", w.path, ErrReadOnly, err)
}
