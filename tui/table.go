package tui

import (
	"strings"
	"time"

	"mudtop/auth"
)

// table is the sessions table. It only ever holds the visible page: sorting,
// filtering and paging happen in auth (and SQL), so a frame costs the same
// with ten sessions or a hundred thousand. Rows, the cursor and tags are
// keyed by auth.SessionRef, never by position, so a refresh that inserts or
// removes rows above the cursor does not move it to another session.
type table struct {
	rows     []auth.SessionInfo
	rowsAt   int // position of rows[0] within matching
	offset   int // first row of the page wanted (rowsAt once read)
	matching int // rows passing the filter
	now      time.Time

	cursor   int             // absolute position within matching
	selected auth.SessionRef // the session under the cursor
	sort     auth.SortColumn
	desc     bool
	tags     map[auth.SessionRef]auth.SessionInfo

	width, height int // height includes the header line
	cols          []colLayout
	// fitted holds each row's cells already sanitised and cut to their
	// column (the mark column aside, which changes with tags): computed
	// once per poll and per resize, not once per frame.
	fitted [][]string
	// pad fills a row out to the table's width; blank is an empty line.
	// Every line of the table is exactly width cells, so the detail panel
	// can be set beside it without measuring anything.
	pad, blank string
}

// column describes one column of the table.
type column struct {
	title string
	sort  auth.SortColumn // sortNone when the column cannot be sorted
	min   int
	max   int
	grow  int // share of spare width
	right bool
}

const sortNone auth.SortColumn = -1

// columns, left to right. The mark column shows tag (+), own (*) and
// anomaly (!) marks.
var columns = []column{
	{title: "", sort: sortNone, min: 2, max: 2},
	{title: "USER", sort: auth.SortUser, min: 8, max: 20, grow: 2},
	{title: "ROLE", sort: auth.SortRole, min: 6, max: 12, grow: 2},
	{title: "CHARACTER", sort: auth.SortCharacter, min: 8, max: 24, grow: 3},
	{title: "WORLD", sort: auth.SortWorld, min: 6, max: 20, grow: 2},
	{title: "CLIENT", sort: auth.SortClient, min: 6, max: 12, grow: 1},
	{title: "STATE", sort: sortNone, min: 8, max: 8},
	{title: "IDLE", sort: auth.SortIdle, min: 4, max: 6, grow: 1, right: true},
	{title: "AGE", sort: auth.SortAge, min: 4, max: 6, grow: 1, right: true},
	{title: "EXPIRES", sort: auth.SortExpires, min: 7, max: 8, grow: 1, right: true},
	{title: "ID", sort: sortNone, min: 8, max: 8},
}

// colLayout is a column placed at x with a width.
type colLayout struct {
	column
	x, w int
}

func newTable() table {
	return table{sort: auth.SortUser, tags: map[auth.SessionRef]auth.SessionInfo{}}
}

// setSize lays the columns out: every column gets its minimum, spare width
// goes to the growing columns by weight, up to their maximum.
func (t *table) setSize(w, h int) {
	t.width, t.height = w, h
	t.cols = t.cols[:0]
	used := len(columns) - 1 // one space between columns
	widths := make([]int, len(columns))
	for i, c := range columns {
		widths[i] = c.min
		used += c.min
	}
	for spare := w - used; spare > 0; {
		grew := false
		for i, c := range columns {
			for k := 0; k < c.grow && spare > 0 && widths[i] < c.max; k++ {
				widths[i]++
				spare--
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	x := 0
	for i, c := range columns {
		t.cols = append(t.cols, colLayout{column: c, x: x, w: widths[i]})
		x += widths[i] + 1
	}
	t.pad = strings.Repeat(" ", max(w-(x-1), 0))
	t.blank = strings.Repeat(" ", max(w, 0))
	t.refit()
}

// refit recomputes the fitted cells of the rows held.
func (t *table) refit() {
	t.fitted = t.fitted[:0]
	for _, r := range t.rows {
		cells := t.cells(r)
		out := make([]string, len(t.cols))
		for i, c := range t.cols {
			if i > 0 {
				out[i] = cell(cells[i], c)
			}
		}
		t.fitted = append(t.fitted, out)
	}
}

// pageSize is how many rows fit under the header.
func (t *table) pageSize() int { return max(t.height-1, 0) }

// reset forgets everything read from the database (logout).
func (t *table) reset() {
	s, d := t.sort, t.desc
	w, h := t.width, t.height
	*t = newTable()
	t.sort, t.desc = s, d
	t.setSize(w, h)
}

// apply takes a new page. The cursor follows the selected session if it is
// still on the page; otherwise it keeps its position. Tags of sessions that
// are gone disappear. It reports whether the page is past the end and must
// be read again.
func (t *table) apply(s auth.Snapshot, gone []auth.SessionRef) (reread bool) {
	t.rows, t.offset, t.matching, t.now = s.Rows, s.Offset, s.Matching, s.Now
	t.rowsAt = s.Offset
	if t.offset > 0 && t.offset >= t.matching {
		t.offset = max(t.matching-t.pageSize(), 0)
		t.cursor = min(t.cursor, max(t.matching-1, 0))
		return true
	}
	found := false
	for i, r := range t.rows {
		if r.Ref == t.selected && t.selected != (auth.SessionRef{}) {
			t.cursor = t.rowsAt + i
			found = true
		}
		if _, ok := t.tags[r.Ref]; ok {
			t.tags[r.Ref] = r
		}
	}
	if !found {
		t.cursor = clamp(t.cursor, 0, max(t.matching-1, 0))
		t.selectAtCursor()
	}
	for _, ref := range gone {
		delete(t.tags, ref)
	}
	t.refit()
	return false
}

// move shifts the cursor by delta rows and reports whether the page
// changed (a new read is needed).
func (t *table) move(delta int) bool {
	return t.moveTo(t.cursor + delta)
}

// moveTo puts the cursor at an absolute position, scrolling the page so it
// stays visible.
func (t *table) moveTo(pos int) bool {
	if t.matching == 0 {
		return false
	}
	t.cursor = clamp(pos, 0, t.matching-1)
	old := t.offset
	page := max(t.pageSize(), 1)
	if t.cursor < t.offset {
		t.offset = t.cursor
	} else if t.cursor >= t.offset+page {
		t.offset = t.cursor - page + 1
	}
	t.selectAtCursor()
	return t.offset != old
}

// selectAtCursor makes the session at the cursor the selected one. When
// that row is not loaded yet (the page is being read) nothing is selected
// until it arrives, so an action can never hit the row that used to be there.
func (t *table) selectAtCursor() {
	if i := t.cursor - t.rowsAt; i >= 0 && i < len(t.rows) {
		t.selected = t.rows[i].Ref
		return
	}
	t.selected = auth.SessionRef{}
}

// current is the selected session, when it is on the page.
func (t *table) current() (auth.SessionInfo, bool) {
	for _, r := range t.rows {
		if r.Ref == t.selected {
			return r, true
		}
	}
	return auth.SessionInfo{}, false
}

// toggleTag tags or untags the selected session.
func (t *table) toggleTag() {
	r, ok := t.current()
	if !ok {
		return
	}
	if _, tagged := t.tags[r.Ref]; tagged {
		delete(t.tags, r.Ref)
	} else {
		t.tags[r.Ref] = r
	}
}

// tagRefs lists the tagged sessions.
func (t *table) tagRefs() []auth.SessionRef {
	out := make([]auth.SessionRef, 0, len(t.tags))
	for ref := range t.tags {
		out = append(out, ref)
	}
	return out
}

// cycleSort moves to the next sortable column.
func (t *table) cycleSort() {
	t.sort = (t.sort + 1) % auth.SortColumn(auth.SortColumns)
}

// sortBy sorts by c; choosing the current column again flips direction.
func (t *table) sortBy(c auth.SortColumn) {
	if t.sort == c {
		t.desc = !t.desc
		return
	}
	t.sort, t.desc = c, false
}

// columnAt is the column under x, for header clicks.
func (t *table) columnAt(x int) (colLayout, bool) {
	for _, c := range t.cols {
		if x >= c.x && x < c.x+c.w {
			return c, true
		}
	}
	return colLayout{}, false
}

// mark is the two-cell mark column: tagged (+), then anomaly (!) or own (*).
func (t *table) mark(r auth.SessionInfo) string {
	mark := " "
	if _, ok := t.tags[r.Ref]; ok {
		mark = "+"
	}
	switch {
	case len(r.Anomalies) > 0:
		return mark + "!"
	case r.Own:
		return mark + "*"
	}
	return mark + " "
}

// cells are a row's texts, raw, in column order (the mark column first).
func (t *table) cells(r auth.SessionInfo) []string {
	mark := t.mark(r)
	char, world := r.CharacterName, r.WorldID
	if !r.InWorld {
		char, world = "-", "-"
	}
	return []string{
		mark, r.Username, r.Role, char, world, r.ClientType, string(r.State),
		since(t.now, r.LastActivity), since(t.now, r.CreatedAt), expiresIn(t.now, r), auth.ShortID(r.Ref.Token),
	}
}

// cell sanitises s and cuts or pads it to exactly the column's width, so
// wide and combining characters cannot shift the columns after it.
func cell(s string, c colLayout) string {
	if c.right {
		t := Truncate(s, c.w)
		return strings.Repeat(" ", c.w-displayWidth(t)) + t
	}
	return Fit(s, c.w)
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }
