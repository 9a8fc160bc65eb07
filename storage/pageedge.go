package storage

import (
	"context"
	"sync"
)

// No index of the original's schema gives sessions in expires_at or
// client_type order, so a page of either order on a busy file is a scan of
// every session, and much of the scan's cost is the sorter: each of 100k
// rows goes into SQLite's top-N sort. But a page seldom moves far between
// two ticks. The sort value of the last row of the page the previous tick
// read (its edge) splits the order in three: the rows before the edge, the
// rows equal to it (ties, in id order), and the rest. So a page is read as
// the rows strictly before the edge (a comparison each, and a sort of the
// few that pass) followed by the edge's ties in id order (a walk of the
// table that stops at the page's end: a client type is shared by
// thousands of sessions, an expiry by few). When the two fill the page it
// is exactly the plain query's, because the rows before a value, then the
// rows equal to it, are a prefix of the order. When they do not (rows
// before the edge were removed), the plain query runs and records the new
// edge.
//
// The comparisons are on +column: the unary plus keeps the column's
// collation, so values compare as ORDER BY compares them (by storage class,
// then by number, collation or bytes, 4 and 4.0 equal), and drops its
// affinity, which would otherwise be applied to the bound edge for every
// row at a cost greater than the scan's. The edge is bound with the
// storage class it was read with (int64, float64, string, []byte): it is
// selected as +column too, because a result column declared TIMESTAMP
// would come back from the driver as a time.Time, and be bound again as
// other text.

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

// edgeColumn is an order read from an edge: its column, and whether its
// values are shared by so many rows that the edge's ties are walked in id
// order apart from the sort (client types). An expiry is shared by few, so
// its ties are sorted with the rows before them: a walk that looks for one
// tie may cross half the table.
type edgeColumn struct {
	col       string
	splitTies bool
}

var edgeColumns = map[SortColumn]edgeColumn{
	SortExpires: {"s.expires_at", false},
	SortClient:  {"s.client_type", true},
}

// edgePage is one page of an order of edgeColumns.
func (s *Store) edgePage(ctx context.Context, q Querier, lq ListQuery) ([]int64, error) {
	ec := edgeColumns[lq.Sort]
	col := ec.col
	k := edgeKey{lq.Sort, lq.Desc, lq.Offset, lq.Limit}
	if edge, known := s.edges.get(k); known && (edge != nil || !lq.Desc) {
		// Descending, NULLs sort last: every row is before a NULL edge.
		ids, last, filled, err := edgeSplit(ctx, q, lq, ec, edge)
		if err != nil {
			return nil, err
		}
		if filled {
			s.edges.set(k, last, true)
			return ids, nil
		}
	}
	ids, last, err := edgeIDs(ctx, q, `SELECT s.id, +`+col+` FROM sessions s ORDER BY `+sortOrder(lq)+`, s.id LIMIT ?1 OFFSET ?2`, lq.Limit, lq.Offset)
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

// edgeSplit reads lq's page as the rows before edge, then edge's ties, and
// the page's last sort value; the bool is false when the two do not reach
// the page's end.
func edgeSplit(ctx context.Context, q Querier, lq ListQuery, ec edgeColumn, edge any) ([]int64, any, bool, error) {
	col := ec.col
	need := lq.Offset + lq.Limit
	var before []int64
	var last any
	if edge != nil {
		// NULLs sort first: before any value ascending, after every
		// value descending. Without splitTies the ties come in too.
		lt, gt := ` < ?2`, ` > ?2`
		if !ec.splitTies {
			lt, gt = ` <= ?2`, ` >= ?2`
		}
		cond := col + ` IS NULL OR +` + col + lt
		if lq.Desc {
			cond = `+` + col + gt
		}
		var err error
		before, last, err = edgeIDs(ctx, q, `SELECT s.id, +`+col+` FROM sessions s WHERE `+cond+` ORDER BY `+sortOrder(lq)+`, s.id LIMIT ?1`, need, edge)
		if err != nil {
			return nil, nil, false, err
		}
	}
	if len(before) < need && (ec.splitTies || edge == nil) {
		tie, args := `+`+col+` = ?2`, []any{need - len(before), edge}
		if edge == nil {
			tie, args = col+` IS NULL`, args[:1]
		}
		ties, _, err := edgeIDs(ctx, q, `SELECT s.id, NULL FROM sessions s WHERE `+tie+` ORDER BY s.id LIMIT ?1`, args...)
		if err != nil {
			return nil, nil, false, err
		}
		before, last = append(before, ties...), edge
	}
	if len(before) < need {
		return nil, nil, false, nil
	}
	return before[lq.Offset:need], last, true, nil
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
