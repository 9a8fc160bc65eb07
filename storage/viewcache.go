package storage

import (
	"bytes"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The monitor's slow views (a sort by a joined or unindexed column, a
// filter) cost one sort or one scan of the whole table per tick, and an
// administrator watches the same view second after second. While the file
// has not changed, the answer cannot have either: the page depends on the
// stored values alone, never on "now". So, on the monitor's pinned
// connection, a file found unchanged since the previous tick (PRAGMA
// data_version, as for the header counts in aggcache.go), and for as long
// as its last state lasted (viewQuietCap), gets a view cache:
// each slow sort's full order, asked of SQLite once (so it is SQLite's own
// ordering of every type and collation, not an imitation), and the filter's
// inputs, lowered by SQLite's lower(), against which each filter is matched
// in memory. Any commit by any connection retires the cache at the next
// tick, and a file that changes before every tick never builds one: a busy
// file pays the SQL of list.go, as before, and nothing more.

// viewCache is what one unchanged file's views need.
type viewCache struct {
	conn        *sql.Conn
	dataVersion int64
	total       int
	// perms are the display orders asked for so far, by sort column and
	// direction: the first rows of each, or all of it (complete).
	perms map[permKey]perm
	// unmatchedUsers counts the sessions no account matches, -1 until the
	// sort by user needs it (list.go's userByName).
	unmatchedUsers int
	keys           *filterKeys // nil until a filter is used
	// memo is the last filter's matches, ascending by id: a monitor polls
	// the same filter every second.
	memoFilter string
	memo       []int64
	hits       int // pages answered from the cache (tests look)
	// fresh is set until a later read finds the file unchanged, and
	// unchanged for long enough (viewQuiet).
	fresh bool
	// seen is when this file state was first read.
	seen time.Time
}

// viewQuietCap bounds how long a file must have gone unchanged before its
// views are cached: as long as the last gap between two changes the
// monitor saw, at most this. A file a game server commits to every few
// hundred milliseconds changes before every tick, but an operator's
// keystrokes read it again within milliseconds of a tick: cached at the
// second read, as it first was, each burst of typing built a cache (every
// session's filter keys and a whole sorted order, the monitor's largest
// state: its peak at 100k went past 64 MB) that the next tick threw away.
var viewQuietCap = time.Second

type permKey struct {
	sort SortColumn
	desc bool
}

type perm struct {
	ids      []int64
	complete bool
}

// filterKeys are every session's filter inputs as the SQL reads them:
// lower() of the account's username and role, the character's name, the
// world and the client type. Accounts, characters, worlds and clients are
// held once each, sessions point at them. Names sit in one arena each, so
// that 100k sessions' keys are a few flat slices (the monitor's memory
// budget is 64 MB).
type filterKeys struct {
	// decline is set when some value is one the in-memory match cannot
	// judge exactly as instr() would (a join key that is not an integer,
	// text that is not valid UTF-8 or holds a NUL): filters then run in
	// SQL.
	decline bool
	ids     []int64  // session row ids, ascending
	user    []int32  // per session: index into users, -1 for none
	char    []int32  // per session: index into chars, -1 for none
	world   []int32  // per session: index into texts
	client  []int32  // per session: index into texts
	users   names    // account names, in account id order
	role    []int32  // per account: index into texts
	chars   names    // character names, in character id order
	texts   []string // the distinct world, client and role texts
}

// names is a list of strings in one arena, with their row ids, ascending.
type names struct {
	ids   []int64
	ends  []uint32 // end of each name in arena
	arena []byte
}

func (n *names) add(id int64, name []byte) {
	n.ids = append(n.ids, id)
	n.arena = append(n.arena, name...)
	n.ends = append(n.ends, uint32(len(n.arena)))
}

func (n *names) at(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = n.ends[i-1]
	}
	return n.arena[start:n.ends[i]]
}

// index is the position of row id, -1 when there is none.
func (n *names) index(id int64) int32 {
	if i, ok := slices.BinarySearch(n.ids, id); ok {
		return int32(i)
	}
	return -1
}

// cachedSort reports whether a sort's order is cached. The sort by idle
// time is a merge of one index walk per world (indexorder.go) that costs a
// few milliseconds, and the sort by user has its own walk; every other
// order's head is one top-N query, over an index for world and age.
func cachedSort(col SortColumn) bool {
	switch col {
	case SortIdle, SortUser:
		return false
	}
	return true
}

// permHead is how much of an order is read for an unfiltered page: a top-N
// sort of a thousand costs what the page's own query does, so the first
// tick that caches an order is no slower than one that does not, and a
// thousand rows is twenty pages of scrolling.
var permHead = 1000

// cachedList answers ListSessions from the view cache; ok is false when it
// does not apply (a busy file, a fast view, a value it cannot judge) and
// the caller runs the SQL.
func (s *Store) cachedList(ctx context.Context, q *monitorTx, lq ListQuery, filter string) (out []SessionRow, matching int, ok bool, err error) {
	m := &s.monitor
	var total int
	// The first read starts the transaction's snapshot; data_version is
	// only meaningful after it.
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&total); err != nil {
		return nil, 0, false, wrap("count sessions", err)
	}
	var dv int64
	if err := q.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&dv); err != nil {
		return nil, 0, false, wrap("list sessions", err)
	}
	c := m.views
	now := time.Now()
	if c == nil || c.conn != m.conn || c.dataVersion != dv || c.total != total {
		// A file seen for the first time: only what this read computes
		// anyway is kept (the sort by user's count) until a later read
		// finds it unchanged, so a file that changes before every tick
		// never pays for a cached order.
		if c != nil && c.conn == m.conn {
			m.viewGap = now.Sub(c.seen)
		}
		c = &viewCache{conn: m.conn, dataVersion: dv, total: total, perms: map[permKey]perm{}, unmatchedUsers: -1, fresh: true, seen: now}
		m.views = c
	} else if now.Sub(c.seen) >= min(m.viewGap, viewQuietCap) {
		c.fresh = false
	}
	if filter == "" && lq.Sort == SortUser {
		ids, ok, err := userByName(ctx, q, lq, &c.unmatchedUsers)
		if err != nil || !ok {
			return nil, 0, false, err
		}
		c.hits++
		out, err := s.rowsByID(ctx, q, ids)
		return out, total, true, err
	}
	if c.fresh {
		return nil, 0, false, nil
	}
	if filter == "" {
		if !cachedSort(lq.Sort) {
			return nil, 0, false, nil
		}
		p, err := c.perm(ctx, q, lq, max(permHead, 2*(lq.Offset+lq.Limit)))
		if err != nil {
			return nil, 0, false, err
		}
		c.hits++
		out, err := s.rowsByID(ctx, q, window(p.ids, lq.Offset, lq.Limit))
		return out, total, true, err
	}
	if !utf8.ValidString(filter) || strings.IndexByte(filter, 0) >= 0 {
		return nil, 0, false, nil
	}
	if c.keys == nil {
		if c.keys, err = loadFilterKeys(ctx, q, total); err != nil {
			return nil, 0, false, err
		}
		if len(c.keys.ids) != total {
			c.keys.decline = true // a record went missing: trust the SQL
		}
	}
	if c.keys.decline {
		return nil, 0, false, nil
	}
	if c.memo == nil || c.memoFilter != filter {
		c.memo, c.memoFilter = c.keys.match(filter), filter
	}
	matched := c.memo
	c.hits++
	if len(matched) == 0 || lq.Offset >= len(matched) {
		return []SessionRow{}, len(matched), true, nil
	}
	p, have := c.perms[permKey{lq.Sort, lq.Desc}]
	if (!have || !p.complete) && len(matched) <= maxSQLSortedMatches {
		out, err := s.filteredPage(ctx, q, lq, matched)
		return out, len(matched), true, err
	}
	if !have || !p.complete {
		if p, err = c.perm(ctx, q, lq, -1); err != nil {
			return nil, 0, false, err
		}
	}
	page := make([]int64, 0, lq.Limit)
	skip := lq.Offset
	for _, id := range p.ids {
		if _, hit := slices.BinarySearch(matched, id); !hit {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if page = append(page, id); len(page) == lq.Limit {
			break
		}
	}
	out, err = s.rowsByID(ctx, q, page)
	return out, len(matched), true, err
}

// maxSQLSortedMatches is how many matches the SQL sorts for a filtered
// page before a full cached order becomes the cheaper way: sorting a few
// hundred rows by id list is a millisecond, walking a cached order of 100k
// is a few.
var maxSQLSortedMatches = 5000

func window(ids []int64, offset, limit int) []int64 {
	if offset >= len(ids) {
		return nil
	}
	return ids[offset:min(len(ids), offset+limit)]
}

// perm is the display order of lq's sort, at least its first n rows (all
// of it when n < 0), asked of SQLite once per unchanged file and kept.
// The whole order comes back from one aggregate, as one text, which the
// driver moves far faster than 100k rows.
func (c *viewCache) perm(ctx context.Context, q Querier, lq ListQuery, n int) (perm, error) {
	key := permKey{lq.Sort, lq.Desc}
	if p, ok := c.perms[key]; ok && (p.complete || (n >= 0 && len(p.ids) >= n)) {
		return p, nil
	}
	order := sortOrder(lq) + `, s.id`
	var p perm
	if n >= 0 {
		ids, err := scanIDs(ctx, q, `SELECT s.id`+sortFrom(lq.Sort)+` ORDER BY `+order+` LIMIT ?1`, n)
		if err != nil {
			return perm{}, err
		}
		p = perm{ids: ids, complete: len(ids) < n}
	} else {
		var text sql.NullString
		if err := q.QueryRowContext(ctx, `SELECT group_concat(s.id, ',' ORDER BY `+order+`)`+sortFrom(lq.Sort)).Scan(&text); err != nil {
			return perm{}, wrap("list sessions", err)
		}
		p = perm{ids: make([]int64, 0, c.total), complete: true}
		for f := range strings.SplitSeq(text.String, ",") {
			if f == "" {
				continue
			}
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return perm{}, wrap("list sessions", err)
			}
			p.ids = append(p.ids, id)
		}
	}
	c.perms[key] = p
	return p, nil
}

// match returns the ids of the sessions filterWhere matches, ascending:
// each account, character and text is tested once, then each session by
// what it points at.
func (k *filterKeys) match(filter string) []int64 {
	text := make([]bool, len(k.texts))
	for i, t := range k.texts {
		text[i] = strings.Contains(t, filter)
	}
	f := []byte(filter)
	user := make([]bool, len(k.users.ids))
	for i := range user {
		user[i] = text[k.role[i]] || bytes.Contains(k.users.at(i), f)
	}
	char := make([]bool, len(k.chars.ids))
	for i := range char {
		char[i] = bytes.Contains(k.chars.at(i), f)
	}
	matched := []int64{}
	for i, id := range k.ids {
		if (k.user[i] >= 0 && user[k.user[i]]) || (k.char[i] >= 0 && char[k.char[i]]) || text[k.world[i]] || text[k.client[i]] {
			matched = append(matched, id)
		}
	}
	return matched
}
