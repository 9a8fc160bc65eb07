package storage

import (
	"context"
	"database/sql"
	"runtime"
	"sync/atomic"
)

// A read that must see every row of a file that changes before every call
// (the busy count, a busy filter) costs one core for its whole length, and
// the machine a monitor or a game server runs on usually has another. Two
// connections can share that work only if both read the same state of the
// file, and SQLite keeps two read transactions on one snapshot in one case
// it guarantees: in a rollback journal a writer must hold the EXCLUSIVE
// lock to change the file, which it cannot take while any reader holds
// SHARED. So if the second read takes its SHARED lock while the first
// still holds its own, no commit can have come between them.
//
// The first read therefore never waits for the second: a writer holding
// PENDING (waiting for the first read to end) keeps the second from
// locking, and waiting would be a deadlock until the busy timeout. The
// first does its own half, then looks whether the second has its lock. If
// it has, the halves are one snapshot's; if not, the first reads the
// second half too, in its own transaction, as one connection always did.
// In WAL mode readers never exclude writers, so there is no such guarantee
// and no pairing.
//
// The halves must not allocate per row: this SQLite's allocator has one
// lock, and two scans calling lower() on every name spent their time
// waiting for it (the pair then took longer than one connection).

// minPairConns is the smallest pool a paired read may take two connections
// from: the rest must stay for writes, the monitor and validation.
const minPairConns = 6

// pairable reports whether a paired read can help and be exact here.
func (s *Store) pairable() bool {
	if s.wal || runtime.GOMAXPROCS(0) < 2 {
		return false
	}
	maxOpen := s.db.Stats().MaxOpenConnections
	return maxOpen == 0 || maxOpen >= minPairConns
}

// pairWorth reports whether table's ids span enough rows for a paired
// read to pay for its second connection (pairMinSpan): two seeks.
func (s *Store) pairWorth(ctx context.Context, q Querier, table string) (bool, error) {
	if q == Querier(s.db) || !s.pairable() {
		return false, nil
	}
	var span any // NULL for an empty table, a real past int64's range
	err := q.QueryRowContext(ctx, `SELECT (SELECT max(id) FROM `+table+`) - (SELECT min(id) FROM `+table+`)`).Scan(&span)
	if err != nil {
		return false, wrap("list sessions", err)
	}
	switch v := span.(type) {
	case int64:
		return v >= pairMinSpan, nil
	case float64:
		return v >= float64(pairMinSpan), nil
	}
	return false, nil
}

// pairRead runs lead in a read transaction, then mine in that transaction
// and theirs in a second one on another connection, at the same time, and
// returns what each found. When the second read has not taken its lock by
// the time mine is done, the first runs theirs itself, in its own
// transaction: slower, never inexact. ok is false, with nothing run but
// lead, when the store does not pair (pairable) or lead returns no halves.
// theirs may run twice at once (the abandoned second read may not have
// noticed yet), so it must only read and return.
func pairRead[T any](ctx context.Context, s *Store, lead func(q Querier) (mine, theirs func(q Querier) (T, error), err error)) (a, b T, ok bool, err error) {
	if !s.pairable() {
		return a, b, false, nil
	}
	if err := s.watch.check(); err != nil {
		return a, b, false, err
	}
	// The second read gets its connection and transaction ready first, so
	// that between the two locks there is one statement's time, not a
	// connection's: a writer that reaches its commit in between keeps the
	// second from locking.
	p := startSecond[T](ctx, s)
	defer p.stop()
	c1, err := s.db.Conn(ctx)
	if err != nil {
		return a, b, false, wrap("begin read", err)
	}
	defer c1.Close()
	tx1, err := c1.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return a, b, false, wrap("begin read", err)
	}
	defer tx1.Rollback()
	if locked, err := lockedRollback(ctx, tx1); err != nil || !locked {
		return a, b, false, err
	}
	mine, theirs, err := lead(tx1)
	if err != nil || mine == nil {
		return a, b, false, err
	}
	a, b, err = p.pair(ctx, tx1, mine, theirs)
	return a, b, true, err
}

// pairIn is pairRead inside a read transaction the caller already has
// open (the monitor's tick): q must be that transaction. ok is false, with
// nothing run, when the store does not pair or q is the pool itself, whose
// statements each read their own snapshot. As in pairRead, theirs may run
// twice at once and must only read and return.
func pairIn[T any](ctx context.Context, s *Store, q Querier, mine, theirs func(q Querier) (T, error)) (a, b T, ok bool, err error) {
	if q == Querier(s.db) || !s.pairable() {
		return a, b, false, nil
	}
	p := startSecond[T](ctx, s)
	defer p.stop()
	// The caller's read may not have read the file yet, and the second
	// read's lock only proves one snapshot if this one is already held.
	if locked, err := lockedRollback(ctx, q); err != nil || !locked {
		return a, b, false, err
	}
	a, b, err = p.pair(ctx, q, mine, theirs)
	return a, b, true, err
}

// second is the second read of a pair, on its own connection.
type second[T any] struct {
	// The store's counts of paired reads, and of those whose second half
	// was read on the second connection.
	reads, splits *atomic.Int64
	cancel        context.CancelFunc
	work          chan func(Querier) (T, error)
	locked        chan bool
	done          chan pairResult[T]
}

type pairResult[T any] struct {
	v   T
	err error
}

// startSecond opens the second read's connection and transaction, which
// then waits for its work.
func startSecond[T any](ctx context.Context, s *Store) *second[T] {
	ctx2, cancel := context.WithCancel(ctx)
	p := &second[T]{reads: &s.pairReads, splits: &s.pairSplits, cancel: cancel, work: make(chan func(Querier) (T, error), 1),
		locked: make(chan bool, 1), done: make(chan pairResult[T], 1)}
	go func() {
		// The second read owns its connection and ends it itself, whether
		// or not the first one still wants its half.
		v, err := p.read(ctx2, s)
		p.done <- pairResult[T]{v, err}
	}()
	return p
}

// pair hands theirs to the second read, runs mine in q (a read that holds
// its lock), and then takes the second read's result if it locked while q
// held its lock, or runs theirs in q.
func (p *second[T]) pair(ctx context.Context, q Querier, mine, theirs func(Querier) (T, error)) (a, b T, err error) {
	p.reads.Add(1)
	p.work <- theirs
	if a, err = mine(q); err != nil {
		return a, b, err
	}
	select {
	case got := <-p.locked:
		if got {
			// Locked while q was: one snapshot.
			p.splits.Add(1)
			r := <-p.done
			return a, r.v, r.err
		}
	default:
		// Not locked yet, perhaps behind a writer that waits for q: the
		// second half is q's to do.
	}
	p.cancel()
	b, err = theirs(q)
	return a, b, err
}

// stop ends a second read that has not been given work, and abandons one
// that has not locked.
func (p *second[T]) stop() {
	p.cancel()
	close(p.work)
}

// read is the second read's goroutine: it reports on locked whether it
// holds a rollback-journal SHARED lock once given its work, and if so does
// the work.
func (p *second[T]) read(ctx context.Context, s *Store) (v T, err error) {
	c2, err := s.db.Conn(ctx)
	if err != nil {
		return v, wrap("begin read", err)
	}
	defer c2.Close()
	tx2, err := c2.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return v, wrap("begin read", err)
	}
	defer tx2.Rollback()
	var theirs func(Querier) (T, error)
	select {
	case theirs = <-p.work:
	case <-ctx.Done():
	}
	if theirs == nil {
		return v, nil
	}
	ok, err := lockedRollback(ctx, tx2)
	p.locked <- ok
	if !ok {
		return v, err
	}
	return theirs(tx2)
}

// lockedRollback takes tx's SHARED lock (any read of the file does) and
// reports whether the file is in a rollback-journal mode, where that lock
// keeps every writer out. A file switched to WAL by another process since
// the store opened reads as "wal" here once locked.
func lockedRollback(ctx context.Context, tx Querier) (bool, error) {
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM sqlite_master LIMIT 1`).Scan(&one); err != nil && err != sql.ErrNoRows {
		return false, wrap("begin read", err)
	}
	var mode string
	if err := tx.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return false, wrap("begin read", err)
	}
	return mode != "wal", nil
}
