package storage

import (
	"context"
	"sync"
)

// No index of the original's schema gives sessions in expires_at order, so
// a page of that order on a busy file is a scan of every session, and the
// scan's cost is mostly the sorter: each of 100k rows goes into SQLite's
// top-N sort. But a page seldom moves far between two ticks. The sort value
// of the last row of the page the previous tick read (its edge) bounds the
// page: every row of the order up to the page's end is at or before the
// edge, unless rows before it were removed. So the scan keeps only the rows
// at or before the edge (a comparison each, no sorting) and sorts those few;
// when they fill the page, the page is exactly the plain query's, because
// rows at or before a value are a prefix of the order. When they do not, the
// plain query runs and records the new edge.
//
// The comparison is on +expires_at: the unary plus keeps the column's
// collation, so values compare as ORDER BY compares them (by storage class,
// then by number, collation or bytes), and drops its NUMERIC affinity,
// which would otherwise be applied to the bound edge for every row at a
// cost greater than the scan's. The edge is bound with the storage class it
// was read with (int64, float64, string, []byte): it is selected as
// +expires_at too, because a result column declared TIMESTAMP would come
// back from the driver as a time.Time, and be bound again as other text.

// edgeKey names one view's page.
type edgeKey struct {
	sort          SortColumn
	desc          bool
	offset, limit int
}

// pageEdges are the edges of the pages read last, per view.
type pageEdges struct {
	mu   sync.Mutex
	m    map[edgeKey]any
	hits int // pages answered from an edge, for the tests
}

// maxEdges bounds the map: a view a scrolling viewer left behind is just
// forgotten.
const maxEdges = 64

func (e *pageEdges) get(k edgeKey) (any, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.m[k]
	return v, ok
}

func (e *pageEdges) set(k edgeKey, v any, hit bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil || len(e.m) >= maxEdges {
		e.m = map[edgeKey]any{}
	}
	e.m[k] = v
	if hit {
		e.hits++
	}
}

func (e *pageEdges) forget(k edgeKey) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.m, k)
}

// expiresPage is one page of the expires order.
func (s *Store) expiresPage(ctx context.Context, q Querier, lq ListQuery) ([]int64, error) {
	k := edgeKey{SortExpires, lq.Desc, lq.Offset, lq.Limit}
	order := sortOrder(lq) + `, s.id`
	if edge, ok := s.edges.get(k); ok {
		var where string
		args := []any{lq.Limit, lq.Offset}
		switch {
		case edge == nil && !lq.Desc:
			// The page is inside the NULLs, which sort first and tie:
			// id order alone, a walk that stops at the page's end.
			where, order = ` WHERE s.expires_at IS NULL`, `s.id`
		case edge == nil:
			// Descending, NULLs sort last: every row is at or before.
		case lq.Desc:
			where, args = ` WHERE +s.expires_at >= ?3`, append(args, edge)
		default:
			where, args = ` WHERE s.expires_at IS NULL OR +s.expires_at <= ?3`, append(args, edge)
		}
		if where != "" {
			ids, last, err := edgeIDs(ctx, q, `SELECT s.id, +s.expires_at FROM sessions s`+where+` ORDER BY `+order+` LIMIT ?1 OFFSET ?2`, args...)
			if err != nil {
				return nil, err
			}
			if len(ids) == lq.Limit {
				s.edges.set(k, last, true)
				return ids, nil
			}
		}
	}
	ids, last, err := edgeIDs(ctx, q, `SELECT s.id, +s.expires_at FROM sessions s ORDER BY `+sortOrder(lq)+`, s.id LIMIT ?1 OFFSET ?2`, lq.Limit, lq.Offset)
	if err != nil {
		return nil, err
	}
	if len(ids) == lq.Limit {
		s.edges.set(k, last, false)
	} else {
		s.edges.forget(k) // the page ends the table: no edge to keep
	}
	return ids, nil
}

// edgeIDs reads a page's ids and the sort value of its last row.
func edgeIDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, any, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, wrap("list sessions", err)
	}
	defer rows.Close()
	var ids []int64
	var last any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &last); err != nil {
			return nil, nil, wrap("list sessions", err)
		}
		ids = append(ids, id)
	}
	return ids, last, wrap("list sessions", rows.Err())
}
