package storage

import (
	"bytes"
	"context"
	"database/sql"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The monitor polls once a second, and its header counts cover every
// session: on 100k rows each count is a pass over the table, and the
// original's schema has no index that would turn the date comparisons or
// the per-role join into range counts. So the monitor reads through one
// pinned connection and keeps, per row, what the counts need: the instants
// SQLite reads from expires_at and last_activity, and the group keys. While
// nothing has changed the file (PRAGMA data_version on that connection, which
// never writes, moves with every commit of any other connection, this
// process's included), a tick recomputes the counts for the new "now" from
// memory, exactly as the SQL would; after a change the cache is rebuilt in
// one pass, inside the same read transaction as the rest of the tick.

// monitorReader is the store's pinned monitor connection and its cache.
type monitorReader struct {
	mu    sync.Mutex // one monitor read at a time
	conn  *sql.Conn
	gen   uint64                    // the file generation conn was opened in
	tx    atomic.Pointer[monitorTx] // the read in progress, for Aggregate
	cache *aggCache
	// stmts are prepared once for conn: a tick runs the same dozen
	// statements every second, and preparing them is a good part of a
	// small database's tick.
	stmts map[string]*sql.Stmt
	// unprepared are queries a read ran without a prepared statement, to
	// prepare once that read has ended (see monitorTx.stmt).
	unprepared []string
	// seen is the data_version the last ActiveCount found, to tell a quiet
	// file (worth caching) from a busy one.
	seen int64
	// built and buildCost pace rebuilds on a busy file (see rebuildDue).
	built     time.Time
	buildCost time.Duration
	// rebuild is the count rebuild running beside the ticks on a busy
	// file (startRebuild), nil when none is; rebuildWanted asks for one
	// once the current read has ended.
	rebuild       *bgRebuild
	rebuildWanted bool
	// paceRows overrides rebuildPaceRows (tests pace a small cache).
	paceRows int
	// views is the view cache of the file as the last page read found it
	// (viewcache.go); viewGap is how long the file state before it lasted,
	// as the page reads saw it.
	views   *viewCache
	viewGap time.Duration
	// quiet says the last two count reads found the file unchanged
	// (Store.MonitorQuiet); aggConn and aggSeen are what the last one saw.
	quiet   atomic.Bool
	aggConn *sql.Conn
	aggSeen int64
}

// Pacing of count rebuilds on a file that changes between ticks. A game
// server under load commits every second, so without pacing every tick at
// 100k sessions would pay the full pass (hundreds of ms in this pure-Go
// SQLite) and, in rollback-journal mode, hold the server's commits back for
// as long. A rebuild that costs more than rebuildFree is therefore repeated
// at most every rebuildDuty times its own cost (capped at rebuildMaxGap):
// the monitor spends at most a tenth of its time on counts, and between
// rebuilds the header shows the last complete counts, re-judged against the
// current clock. The sessions page itself is read fresh on every tick.
// Databases below rebuildPaceRows sessions are never paced, so their
// counts are exact at every tick however slow the machine (a row count, not
// the measured cost alone, decides, so that a loaded machine or the race
// detector cannot make a small database's counts lag).
const (
	rebuildPaceRows = 20000
	rebuildFree     = 25 * time.Millisecond
	rebuildDuty     = 10
	rebuildMaxGap   = 5 * time.Second
)

// paced reports whether the last rebuild was one rebuildDue paces: a
// large database's, costing more than rebuildFree.
func (m *monitorReader) paced() bool {
	paceRows := rebuildPaceRows
	if m.paceRows > 0 {
		paceRows = m.paceRows
	}
	return m.cache != nil && m.cache.base.Total >= paceRows && m.buildCost >= rebuildFree
}

// rebuildDue reports whether a stale cache should be rebuilt now.
func (m *monitorReader) rebuildDue(wall time.Time) bool {
	if !m.paced() {
		return true
	}
	return wall.Sub(m.built) >= min(rebuildMaxGap, rebuildDuty*m.buildCost)
}

// aggRow is one session as the counts see it. Instants are unix seconds as
// SQLite's unixepoch() reads the stored value; valid is false where SQLite
// reads NULL (unparseable). A stored 'now' or 'subsec' reads as the moment
// of the query, so it is marked and judged at each tick.
type aggRow struct {
	expires, activity     int64
	expiresOK, activityOK bool
	expiresNull           bool // the raw column is NULL (never expires)
	expiresWall           wallKind
	activityWall          wallKind
}

// wallKind marks a stored value SQLite's date functions read as the current
// time. datetime('subsec') carries milliseconds ("... 12:00:00.000"), text
// that sorts after the whole second it starts with, so it compares as a
// moment just after the wall clock's second.
type wallKind uint8

const (
	notWall wallKind = iota
	wallNow
	wallSubsec
)

// halfSeconds is an instant in units of half a second, so that a subsec
// reading can sit strictly between two whole seconds.
func halfSeconds(at int64, kind wallKind, wall int64) int64 {
	switch kind {
	case wallNow:
		return 2 * wall
	case wallSubsec:
		return 2*wall + 1
	}
	return 2 * at
}

// fixedRow is a session whose instants do not depend on the clock, in
// half seconds: expires is math.MaxInt64 for a NULL expiry (never
// expires), activity math.MinInt64 where SQLite reads NULL. Neither
// sentinel is an instant SQLite reads (its dates end in the year 9999, and
// a half-second count is even), so the count's comparisons tell them
// apart from every real bound. A session whose expiry SQLite cannot read
// counts in none of the clock's counts and is not kept at all.
type fixedRow struct {
	expires, activity int64
}

type aggCache struct {
	conn        *sql.Conn
	dataVersion int64
	// fixed are the sessions the clock cannot move, 16 bytes each, so that
	// a tick's recount is a tight pass; wall the few that hold a stored
	// 'now' or 'subsec', judged in full.
	fixed []fixedRow
	wall  []aggRow
	base  Aggregates // the counts that do not depend on now
}

// keep files a session read in full under the cache's fixed or wall rows.
func (c *aggCache) keep(r aggRow) {
	switch {
	case r.expiresWall != notWall || r.activityWall != notWall:
		c.wall = append(c.wall, r)
	case r.expiresNull || r.expiresOK:
		f := fixedRow{expires: math.MaxInt64, activity: math.MinInt64}
		if !r.expiresNull {
			f.expires = 2 * r.expires
		}
		if r.activityOK {
			f.activity = 2 * r.activity
		}
		c.fixed = append(c.fixed, f)
	}
}

// ReadMonitor runs fn in one read transaction on the monitor's pinned
// connection, where Aggregate can reuse what it computed at the previous
// tick if the file has not changed since. Calls are serialised.
func (s *Store) ReadMonitor(ctx context.Context, fn func(q Querier) error) error {
	if err := s.watch.check(); err != nil {
		return err
	}
	if maxOpen := s.db.Stats().MaxOpenConnections; maxOpen > 0 && maxOpen < 3 {
		// Too small a pool to pin one connection for good: read plainly
		// (Aggregate then runs its SQL, ActiveCount the original's query).
		return s.Read(ctx, fn)
	}
	m := &s.monitor
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.conn != nil && m.gen != s.watch.gen.Load() {
		// The file was replaced: the pinned connection still reads the old
		// one. Hand it back (the pool retires it) and start afresh.
		m.closeConn()
	}
	if m.conn == nil {
		gen := s.watch.gen.Load()
		c, err := s.db.Conn(ctx)
		if err != nil {
			return wrap("begin read", err)
		}
		m.conn, m.gen = c, gen
	}
	tx, err := m.conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		m.closeConn()
		return wrap("begin read", err)
	}
	defer tx.Rollback() // a panic in fn must not leave the read open
	mt := &monitorTx{tx: tx, m: m, db: s.db}
	m.tx.Store(mt)
	err = fn(mt)
	m.tx.Store(nil)
	tx.Rollback()
	m.prepareUnprepared(ctx, s.db)
	if m.rebuildWanted {
		// After the tick, not during it: a monitor polls once a second, so
		// the rebuild mostly runs between ticks, where it takes neither
		// the core nor the memory a tick's own reads want.
		m.rebuildWanted = false
		m.startRebuild(s)
	}
	return err
}

// prepareUnprepared prepares, on the pool, the queries the last read ran
// without a statement. It must run outside the read: preparing takes a
// lock on another connection, and inside the read that could deadlock
// with a writer of a rollback-journal file, which holds its pending lock
// waiting for this read to end while the prepare waits for the writer (the
// monitor and 20 SSH viewers hit it as five seconds of "database is
// busy"). A statement that fails to prepare is simply tried again later.
func (m *monitorReader) prepareUnprepared(ctx context.Context, db *sql.DB) {
	for _, query := range m.unprepared {
		if _, ok := m.stmts[query]; ok {
			continue
		}
		st, err := db.PrepareContext(ctx, query)
		if err != nil {
			continue
		}
		if m.stmts == nil || len(m.stmts) > 256 {
			// Unbounded query texts (an IN list per page size, a filter
			// per world set) must not grow this forever.
			for _, old := range m.stmts {
				old.Close()
			}
			m.stmts = map[string]*sql.Stmt{}
		}
		m.stmts[query] = st
	}
	m.unprepared = m.unprepared[:0]
}

// monitorTx is the monitor's read transaction. It runs statements prepared
// once on the pinned connection, bound to the transaction.
type monitorTx struct {
	tx *sql.Tx
	m  *monitorReader
	db *sql.DB
}

// stmt is query's statement bound to the read, or nil when it has not
// been prepared yet: the read then runs the text on its own connection (a
// lock it holds already) and the statement is prepared after the read.
func (t *monitorTx) stmt(ctx context.Context, query string) *sql.Stmt {
	st, ok := t.m.stmts[query]
	if !ok {
		t.m.unprepared = append(t.m.unprepared, query)
		return nil
	}
	// Prepared on the pool, not on the pinned *sql.Conn: Tx.StmtContext
	// re-prepares a connection-bound statement every time, but keeps a
	// pool statement's copy per connection.
	return t.tx.StmtContext(ctx, st)
}

// ExecContext runs a statement in the monitor's transaction.
func (t *monitorTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the monitor's transaction.
func (t *monitorTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query in the monitor's transaction.
func (t *monitorTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (m *monitorReader) close() {
	m.mu.Lock()
	b := m.rebuild
	m.mu.Unlock()
	if b != nil {
		// Its last step takes mu: wait for it unlocked.
		b.cancel()
		<-b.done
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.conn != nil {
		m.closeConn()
	}
}

// bgRebuild is a count rebuild in its own read, beside the ticks.
type bgRebuild struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startRebuild rebuilds the count cache in a read transaction of its own,
// on another connection, unless a rebuild is running already. On a file
// that changes before every tick a rebuild at 100k took a tick 180-290 ms
// every couple of seconds, inside the tick's own read; beside it, on the
// other core, the ticks keep their pace and the header moves to the new
// counts when the rebuild is done. Its counts are of its own snapshot, so
// the cache it leaves never passes for fresh (dataVersion -1, which no
// connection's data_version is): the next rebuild is paced from it, and a
// file gone quiet is rebuilt in a tick's read, exact, once due. The read
// is as long as a rebuild inside a tick was, so a writer waits no longer.
// m.mu is held.
func (m *monitorReader) startRebuild(s *Store) {
	if m.rebuild != nil || m.conn == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &bgRebuild{cancel: cancel, done: make(chan struct{})}
	m.rebuild = b
	conn, gen := m.conn, m.gen
	go func() {
		defer close(b.done)
		defer cancel()
		start := time.Now()
		var c *aggCache
		err := s.Read(ctx, func(q Querier) error {
			var err error
			c, err = loadAggCache(ctx, q)
			return err
		})
		cost := time.Since(start)
		m.mu.Lock()
		defer m.mu.Unlock()
		m.rebuild = nil
		if err != nil || m.conn != conn || m.gen != gen {
			// Failed (the next due tick tries again, in its own read if
			// the file has gone quiet), or the monitor's connection is
			// no longer the one the cache was for.
			return
		}
		c.conn, c.dataVersion = conn, -1
		m.cache = c
		m.built, m.buildCost = time.Now(), cost
		s.hints.Store(hintsFrom(c.base))
	}()
}

func (m *monitorReader) closeConn() {
	for _, st := range m.stmts {
		st.Close()
	}
	m.stmts = nil
	m.conn.Close()
	m.conn, m.cache, m.views = nil, nil, nil
}

// MonitorQuiet reports whether the monitor's last two count reads found
// the file unchanged: a hint, for a shared poll, that its viewers' pages
// will be answered by the view cache of the monitor's connection
// (viewcache.go) rather than by SQL. The cache checks for itself; a wrong
// hint costs time, never a wrong page.
func (s *Store) MonitorQuiet() bool { return s.monitor.quiet.Load() }

// cachedAggregate is Aggregate on the monitor's pinned transaction.
func (s *Store) cachedAggregate(ctx context.Context, q Querier, now time.Time, window, soon time.Duration) (Aggregates, error) {
	m := &s.monitor
	var total int
	// The first read starts the transaction's snapshot; data_version is
	// only meaningful after it.
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&total); err != nil {
		return Aggregates{}, wrap("count sessions", err)
	}
	var dv int64
	if err := q.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&dv); err != nil {
		return Aggregates{}, wrap("count sessions", err)
	}
	busy := m.aggConn == m.conn && m.aggSeen != dv // changed since the last tick
	m.quiet.Store(m.aggConn == m.conn && m.aggSeen == dv)
	m.aggConn, m.aggSeen = m.conn, dv
	c := m.cache
	stale := c == nil || c.conn != m.conn || c.dataVersion != dv || c.base.Total != total
	if stale && c != nil && c.conn == m.conn && busy && m.paced() {
		// Still changing: this tick shows the last complete counts, and
		// the rebuild runs beside it rather than in it.
		m.rebuildWanted = m.rebuildDue(time.Now())
	} else if stale && (c == nil || c.conn != m.conn || m.rebuildDue(time.Now())) {
		start := time.Now()
		var err error
		if c, err = loadAggCache(ctx, q); err != nil {
			return Aggregates{}, err
		}
		c.conn, c.dataVersion = m.conn, dv
		m.cache = c
		m.built, m.buildCost = time.Now(), time.Since(start)
		s.hints.Store(hintsFrom(c.base))
	}
	a := c.base
	a.ByRole, a.ByWorld, a.ByClient = copyCounts(c.base.ByRole), copyCounts(c.base.ByWorld), copyCounts(c.base.ByClient)
	c.count(&a, now, window, soon, time.Now())
	_ = q.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'sessions'`).Scan(&a.Issued)
	return a, nil
}

// activeFromCache answers ActiveCount from the monitor's cache when the
// file has not changed since it was built. When the cache is stale it is
// rebuilt only if the file has not changed since the previous call either
// (a quiet file: the next calls will hit); on a busy file ok is false and
// the caller runs the original's query, which costs less than a rebuild.
func (s *Store) activeFromCache(ctx context.Context, now time.Time, window time.Duration) (n int, ok bool, err error) {
	err = s.ReadMonitor(ctx, func(q Querier) error {
		if _, pinned := q.(*monitorTx); !pinned {
			return nil // a pool too small to pin: the original's query
		}
		m := &s.monitor
		var dv int64
		if err := q.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&dv); err != nil {
			return wrap("count active sessions", err)
		}
		c := m.cache
		stale := c == nil || c.conn != m.conn || c.dataVersion != dv
		if stale && m.seen != dv {
			// Changed since the previous call: decided below without the
			// row count, which on a busy file re-reads an index's pages.
			m.seen = dv
			return nil
		}
		var total int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&total); err != nil {
			return wrap("count active sessions", err)
		}
		if stale || c.base.Total != total {
			if m.seen != dv {
				// Changed since the previous call (or the first call of
				// a one-shot process): a rebuild may never be used.
				m.seen = dv
				return nil
			}
			var err error
			start := time.Now()
			if c, err = loadAggCache(ctx, q); err != nil {
				return err
			}
			c.conn, c.dataVersion = m.conn, dv
			m.cache = c
			m.built, m.buildCost = time.Now(), time.Since(start)
		}
		var a Aggregates
		c.count(&a, now, window, 0, time.Now())
		n, ok = a.Active, true
		return nil
	})
	return n, ok, err
}

func copyCounts(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// aggScanSQL reads every session once. Each value comes as its own column:
// SQLite's text concatenation (with the separators and coalesce() it
// needed) cost more per row than the driver's extra columns, a third of
// the pass at 100k. The timestamps are selected as +column, which SQLite
// hands over with no declared type, so the driver returns them as stored
// (a NULL apart from the empty text). The group keys are SQLite's own text
// of the value, as Aggregate's GROUP BY reads them; a NULL is the empty
// text. The common canonical timestamps are read in Go (parseCanonical),
// several times cheaper than SQLite's date parser in this pure-Go build;
// anything else is handed back to SQLite (oddInstant).
const aggScanSQL = `SELECT s.id, +s.expires_at, +s.last_activity, s.character_id IS NOT NULL,
 CAST(u.role AS TEXT), CAST(s.world_id AS TEXT), CAST(s.client_type AS TEXT)
FROM sessions s LEFT JOIN users u ON u.id = s.user_id`

// storedInstant reads a timestamp as the driver returned it: ok is false
// when it is not canonical text (or a blob of it), which SQLite must read.
func storedInstant(v any) (int64, bool) {
	switch v := v.(type) {
	case string:
		return parseCanonical(v)
	case []byte:
		return parseCanonical(v)
	}
	return 0, false
}

func loadAggCache(ctx context.Context, q Querier) (*aggCache, error) {
	rows, err := q.QueryContext(ctx, aggScanSQL)
	if err != nil {
		return nil, wrap("count sessions", err)
	}
	defer rows.Close()
	c := &aggCache{base: Aggregates{ByRole: map[string]int{}, ByWorld: map[string]int{}, ByClient: map[string]int{}}}
	var exp, act any
	var inWorld bool
	var role, world, client sql.RawBytes
	type oddRef struct {
		row      int
		id       int64
		activity bool
	}
	var odd []oddRef
	var pending []aggRow // the rows with a value SQLite must read (oddInstant)
	for rows.Next() {
		var r aggRow
		var id int64
		if err := rows.Scan(&id, &exp, &act, &inWorld, &role, &world, &client); err != nil {
			return nil, wrap("count sessions", err)
		}
		odds := len(odd)
		r.expiresNull = exp == nil
		if !r.expiresNull {
			if r.expires, r.expiresOK = storedInstant(exp); !r.expiresOK {
				odd = append(odd, oddRef{len(pending), id, false})
			}
		}
		if act != nil {
			if r.activity, r.activityOK = storedInstant(act); !r.activityOK {
				odd = append(odd, oddRef{len(pending), id, true})
			}
		}
		if len(odd) > odds {
			pending = append(pending, r)
		} else {
			c.keep(r)
		}
		c.base.Total++
		if r.expiresNull {
			c.base.NeverExpires++
		}
		if inWorld {
			c.base.InWorld++
		}
		c.base.ByRole[string(role)]++
		c.base.ByWorld[string(world)]++
		c.base.ByClient[string(client)]++
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("count sessions", err)
	}
	rows.Close()
	for _, o := range odd {
		v, err := oddInstant(ctx, q, o.id, o.activity)
		if err != nil {
			return nil, err
		}
		r := &pending[o.row]
		if o.activity {
			r.activity, r.activityOK, r.activityWall = v.at, v.ok, v.wall
		} else {
			r.expires, r.expiresOK, r.expiresWall = v.at, v.ok, v.wall
		}
	}
	for _, r := range pending {
		c.keep(r)
	}
	return c, nil
}

type oddValue struct {
	at   int64
	ok   bool
	wall wallKind
}

// oddInstant asks SQLite how it reads one stored value that is not
// canonical text, in place (so with its stored type). unixepoch() parses
// exactly as datetime() does (same parser, same NULLs), to the second. The
// values SQLite reads as the current time are found the way its parser finds
// them: the text up to any NUL, 'now', 'subsec' or 'subsecond' in any case
// (a blob reads as its bytes' text).
func oddInstant(ctx context.Context, q Querier, id int64, activity bool) (oddValue, error) {
	col := "expires_at"
	if activity {
		col = "last_activity"
	}
	var at sql.NullFloat64
	var typ string
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT unixepoch(`+col+`), typeof(`+col+`), CAST(`+col+` AS BLOB)
 FROM sessions WHERE id = ?`, id).Scan(&at, &typ, &raw)
	if err != nil {
		return oddValue{}, wrap("count sessions", err)
	}
	if typ == "text" || typ == "blob" {
		text, _, _ := bytes.Cut(raw, []byte{0})
		switch strings.ToLower(string(text)) {
		case "now":
			return oddValue{ok: true, wall: wallNow}, nil
		case "subsec", "subsecond":
			return oddValue{ok: true, wall: wallSubsec}, nil
		}
	}
	return oddValue{at: int64(math.Floor(at.Float64)), ok: at.Valid}, nil
}

// parseCanonical reads the one form the original writes, YYYY-MM-DD
// HH:MM:SS with a real calendar date, as unix seconds; SQLite reads such a
// value as exactly that instant. ok is false for anything else.
func parseCanonical[T string | []byte](b T) (int64, bool) {
	if len(b) != 19 || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for j := i; j < i+n; j++ {
			ch := b[j]
			if ch < '0' || ch > '9' {
				return 0, false
			}
			v = v*10 + int(ch-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || y < 1000 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return 0, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // Feb 30 and the like: SQLite rolls them over
		return 0, false
	}
	return t.Unix(), true
}

// count fills the counts that depend on now, as the SQL of Aggregate
// computes them; wall is the real clock, which is what a stored 'now' reads.
func (c *aggCache) count(a *Aggregates, now time.Time, window, soon time.Duration, wall time.Time) {
	// In half seconds (halfSeconds), so a subsec reading compares right.
	n := 2 * now.Unix()
	lo := 2 * now.Add(-window).Unix()
	hi := 2 * now.Add(soon).Unix()
	// A fixed row's NULL activity (math.MinInt64) is active only with the
	// window off; no real bound lies that low, so lifting lo past it
	// changes no other row.
	lo = max(lo, math.MinInt64+1)
	var expired, expiring, active int
	if window <= 0 {
		for _, r := range c.fixed {
			if r.expires <= n {
				expired++
			} else if r.expires <= hi {
				expiring++
			}
		}
		active = len(c.fixed) - expired
	} else {
		for _, r := range c.fixed {
			if r.expires <= n {
				expired++
				continue
			}
			if r.expires <= hi {
				expiring++
			}
			if r.activity >= lo {
				active++
			}
		}
	}
	a.Expired += expired
	a.ExpiringSoon += expiring
	a.Active += active
	w := wall.Unix()
	for i := range c.wall {
		r := &c.wall[i]
		e, eok := halfSeconds(r.expires, r.expiresWall, w), r.expiresOK
		l, lok := halfSeconds(r.activity, r.activityWall, w), r.activityOK
		if eok && e <= n {
			a.Expired++
		}
		if eok && e > n && e <= hi {
			a.ExpiringSoon++
		}
		if (r.expiresNull || (eok && e > n)) && (window <= 0 || (lok && l >= lo)) {
			a.Active++
		}
	}
}
