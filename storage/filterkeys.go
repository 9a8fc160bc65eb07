package storage

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"unicode/utf8"
)

// The filter's inputs, each lowered by SQLite itself (its lower() folds
// ASCII only, and the match must fold exactly as the SQL does), come back
// packed into one text per table: through database/sql every value of
// every row is an allocation and a copy, a few hundred thousand of them,
// which cost a monitor at 100k sessions both time and some 20 MB of heap
// that its 64 MB budget does not have. Each record is its numbers,
// comma-separated, then each text as its byte length, ':' and its bytes,
// so any byte may occur in a text; records end with ';'. A join key that is
// not an integer is packed as nothing and flagged: the in-memory match
// cannot judge it as the join does, so filters then run in SQL. Rows come
// in id order (the keys are searched by id), packChunk at a time: one text
// of a whole table would cost its size several times over in SQLite's
// growing buffer and the driver's copies.
const (
	filterSessionsSQL = `SELECT group_concat(id || ',' || (CASE WHEN typeof(user_id) = 'integer' THEN user_id ELSE '' END) || ','
 || (CASE WHEN typeof(character_id) = 'integer' THEN character_id ELSE '' END) || ','
 || (typeof(user_id) IN ('integer', 'null') AND typeof(character_id) IN ('integer', 'null')) || ','
 || octet_length(w) || ':' || w || octet_length(c) || ':' || c, ';')
FROM (SELECT id, user_id, character_id, lower(coalesce(CAST(world_id AS TEXT), '')) AS w,
 lower(coalesce(CAST(client_type AS TEXT), '')) AS c FROM sessions
 WHERE id > ?1 ORDER BY id LIMIT ?2)`
	filterUsersSQL = `SELECT group_concat(id || ',' || octet_length(n) || ':' || n || octet_length(r) || ':' || r, ';')
FROM (SELECT id, lower(coalesce(username, '')) AS n, lower(coalesce(role, '')) AS r FROM users
 WHERE id > ?1 ORDER BY id LIMIT ?2)`
	filterCharsSQL = `SELECT group_concat(id || ',' || octet_length(n) || ':' || n, ';')
FROM (SELECT id, lower(coalesce(name, '')) AS n FROM characters
 WHERE id > ?1 ORDER BY id LIMIT ?2)`
)

var errPacked = errors.New("malformed packed keys")

// packChunk is how many rows one packed text holds.
var packChunk = 4096

// packed reads one table's records.
type packed struct{ b []byte }

func (p *packed) done() bool { return len(p.b) == 0 }

// num reads a number and its ',' ("" reads as ok false, a NULL key).
func (p *packed) num() (int64, bool, error) {
	i := bytes.IndexByte(p.b, ',')
	if i < 0 {
		return 0, false, errPacked
	}
	f := p.b[:i]
	p.b = p.b[i+1:]
	if len(f) == 0 {
		return 0, false, nil
	}
	v, err := parseInt(f)
	return v, true, err
}

// parseInt is strconv.ParseInt for the decimal integers SQLite writes,
// without the string each call would allocate: a few hundred thousand per
// load.
func parseInt(b []byte) (int64, error) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, errPacked
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errPacked
		}
		v = v*10 + uint64(c-'0')
	}
	switch {
	case neg && v <= 1<<63:
		return -int64(v-1) - 1, nil
	case !neg && v < 1<<63:
		return int64(v), nil
	}
	return 0, errPacked
}

// text reads a length-prefixed text.
func (p *packed) text() ([]byte, error) {
	i := bytes.IndexByte(p.b, ':')
	if i < 0 {
		return nil, errPacked
	}
	n64, err := parseInt(p.b[:i])
	n := int(n64)
	if err != nil || n < 0 || i+1+n > len(p.b) {
		return nil, errPacked
	}
	t := p.b[i+1 : i+1+n]
	p.b = p.b[i+1+n:]
	return t, nil
}

// end reads a record's end.
func (p *packed) end() error {
	if len(p.b) == 0 {
		return nil
	}
	if p.b[0] != ';' {
		return errPacked
	}
	p.b = p.b[1:]
	return nil
}

// eachPacked reads a table's packed records chunk by chunk, in id order,
// handing fn each record to parse; fn returns the record's id.
func eachPacked(ctx context.Context, q Querier, query string, fn func(p *packed) (int64, error)) error {
	after := int64(math.MinInt64)
	for {
		var b []byte
		if err := q.QueryRowContext(ctx, query, after, packChunk).Scan(&b); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return wrap("list sessions", err)
		}
		if len(b) == 0 {
			return nil
		}
		p := &packed{b: b}
		for !p.done() {
			id, err := fn(p)
			if err != nil {
				return wrap("list sessions", err)
			}
			if id <= after {
				return wrap("list sessions", errPacked)
			}
			after = id
		}
	}
}

func loadFilterKeys(ctx context.Context, q Querier, sessions int) (*filterKeys, error) {
	k := &filterKeys{ids: make([]int64, 0, sessions), user: make([]int32, 0, sessions), char: make([]int32, 0, sessions),
		world: make([]int32, 0, sessions), client: make([]int32, 0, sessions)}
	texts := map[string]int32{}
	intern := func(b []byte) int32 {
		if i, ok := texts[string(b)]; ok {
			return i
		}
		if !plainText(b) {
			k.decline = true
		}
		i := int32(len(k.texts))
		k.texts = append(k.texts, string(b))
		texts[string(b)] = i
		return i
	}
	read := func(into *names, role bool) func(p *packed) (int64, error) {
		return func(p *packed) (int64, error) {
			id, _, err := p.num()
			if err != nil {
				return 0, err
			}
			name, err := p.text()
			if err != nil {
				return 0, err
			}
			if !plainText(name) {
				k.decline = true
			}
			into.add(id, name)
			if role {
				r, err := p.text()
				if err != nil {
					return 0, err
				}
				k.role = append(k.role, intern(r))
			}
			return id, p.end()
		}
	}
	if err := eachPacked(ctx, q, filterUsersSQL, read(&k.users, true)); err != nil {
		return nil, err
	}
	if err := eachPacked(ctx, q, filterCharsSQL, read(&k.chars, false)); err != nil {
		return nil, err
	}
	err := eachPacked(ctx, q, filterSessionsSQL, func(p *packed) (int64, error) {
		id, _, err := p.num()
		if err != nil {
			return 0, err
		}
		uid, hasUser, err1 := p.num()
		cid, hasChar, err2 := p.num()
		flag, _, err3 := p.num()
		world, err4 := p.text()
		client, err5 := p.text()
		if err := errors.Join(err1, err2, err3, err4, err5, p.end()); err != nil {
			return 0, err
		}
		if flag != 1 {
			k.decline = true
		}
		user, char := int32(-1), int32(-1)
		if hasUser {
			user = k.users.index(uid)
		}
		if hasChar {
			char = k.chars.index(cid)
		}
		k.ids = append(k.ids, id)
		k.user = append(k.user, user)
		k.char = append(k.char, char)
		k.world = append(k.world, intern(world))
		k.client = append(k.client, intern(client))
		return id, nil
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// plainText reports whether instr() over b is a plain byte search: valid
// UTF-8 (instr steps by characters) without NUL.
func plainText(b []byte) bool {
	return utf8.Valid(b) && !slices.Contains(b, 0)
}
