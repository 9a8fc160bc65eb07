package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SortColumn names a column of the monitor's sessions table.
type SortColumn int

// The sortable columns, in the order the monitor cycles through them.
const (
	SortIdle SortColumn = iota // last_activity, most recent first when ascending idle
	SortUser
	SortRole
	SortCharacter
	SortWorld
	SortClient
	SortAge     // created_at
	SortExpires // expires_at
	sortColumns
)

// SortColumns is how many sortable columns there are.
const SortColumns = int(sortColumns)

// sortSQL maps a column to its ORDER BY expression. The ascending direction
// of Idle is "least idle first", which is last_activity descending.
var sortSQL = [sortColumns]string{
	SortIdle:      "s.last_activity DESC",
	SortUser:      "u.username",
	SortRole:      "u.role",
	SortCharacter: "c.name",
	SortWorld:     "s.world_id",
	SortClient:    "s.client_type",
	SortAge:       "s.id DESC", // ids grow with creation time; youngest first
	SortExpires:   "s.expires_at",
}

// ListQuery selects one page of sessions for the monitor. Filtering, sorting
// and paging all happen in SQL, so the work done is bounded by the page.
type ListQuery struct {
	Filter string // case-insensitive substring of user, character, world, client or role
	Sort   SortColumn
	Desc   bool
	Offset int
	Limit  int
}

// SessionRow is one session joined with its user and character, the raw
// material of the monitor's table and detail panel.
type SessionRow struct {
	RowID           int64
	SessionID       string
	UserID          int64
	Username        string
	Role            string
	UserActive      bool
	Tombstoned      bool
	UserFound       bool
	CharacterID     int64
	CharacterName   string
	CharacterUserID int64 // owner of the character row; 0 when NULL
	WorldID         string
	ClientType      string
	CreatedAt       string
	LastActivity    string
	ExpiresType     string
	ExpiresAt       string
	// UserSessions and CharacterSessions count all sessions sharing this
	// row's user and character: more than one is an anomaly under the
	// single-session rule, and a character should never be in two.
	UserSessions      int
	CharacterSessions int
}

const listColumns = `s.id, s.session_id, CASE WHEN typeof(s.user_id) = 'integer' THEN s.user_id ELSE 0 END, coalesce(u.username, ''), coalesce(u.role, ''),
 coalesce(u.is_active, 1) != 0, u.tombstoned_at IS NOT NULL, u.id IS NOT NULL,
 CASE WHEN typeof(s.character_id) = 'integer' THEN s.character_id ELSE 0 END, coalesce(c.name, ''),
 CASE WHEN typeof(c.user_id) = 'integer' THEN c.user_id ELSE 0 END,
 coalesce(CAST(s.world_id AS TEXT), ''), coalesce(CAST(s.client_type AS TEXT), ''),
 coalesce(CAST(s.created_at AS TEXT), ''), coalesce(CAST(s.last_activity AS TEXT), ''),
 typeof(s.expires_at), coalesce(CAST(s.expires_at AS TEXT), ''),
 (SELECT count(*) FROM sessions s2 WHERE s2.user_id = s.user_id),
 CASE WHEN s.character_id IS NULL THEN 0 ELSE (SELECT count(*) FROM sessions s3 WHERE s3.character_id = s.character_id) END`

const listFrom = ` FROM sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN characters c ON c.id = s.character_id`

// filterWhere is the monitor's filter over the joined row, as a scoped kick
// re-checks it inside its transaction; filterIDsSQL (filterhints.go) is the
// same predicate without the per-session joins, for the page. TestFastPathListMatchesSQL
// holds the two to the same answer.
const filterWhere = ` WHERE (instr(lower(coalesce(u.username, '')), ?1) > 0
 OR instr(lower(coalesce(c.name, '')), ?1) > 0
 OR instr(lower(coalesce(CAST(s.world_id AS TEXT), '')), ?1) > 0
 OR instr(lower(coalesce(CAST(s.client_type AS TEXT), '')), ?1) > 0
 OR instr(lower(coalesce(u.role, '')), ?1) > 0)`

// ListSessions returns one sorted, filtered page and how many rows match
// the filter in all.
//
// It works in two steps so the cost follows the page, not the table: first
// the page's row ids, ordered by the sort key alone (no per-row subqueries,
// joins only when the key or the filter needs them, and an index walk where
// one gives the order); then the 50 rows' details, with their per-user and
// per-character counts, by rowid.
func (s *Store) ListSessions(ctx context.Context, q Querier, lq ListQuery) ([]SessionRow, int, error) {
	if lq.Sort < 0 || lq.Sort >= sortColumns {
		return nil, 0, fmt.Errorf("list sessions: unknown sort column %d", lq.Sort)
	}
	if lq.Limit <= 0 {
		lq.Limit = 50
	}
	if lq.Offset < 0 {
		lq.Offset = 0
	}
	filter := strings.ToLower(lq.Filter)
	if mt, ok := q.(*monitorTx); ok && mt == s.monitor.tx.Load() {
		if out, matching, ok, err := s.cachedList(ctx, mt, lq, filter); err != nil || ok {
			return out, matching, err
		}
	}
	if filter != "" {
		return s.listFiltered(ctx, q, lq, filter)
	}
	var matching int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sessions s`).Scan(&matching); err != nil {
		return nil, 0, wrap("count sessions", err)
	}
	ids, err := s.pageIDs(ctx, q, lq)
	if err != nil {
		return nil, 0, err
	}
	out, err := s.rowsByID(ctx, q, ids)
	return out, matching, err
}

// pageIDs returns the row ids of one page in display order.
func (s *Store) pageIDs(ctx context.Context, q Querier, lq ListQuery) ([]int64, error) {
	switch lq.Sort {
	case SortIdle:
		ids, ok, err := idleByWorld(ctx, q, lq)
		if err != nil || ok {
			return ids, err
		}
	case SortUser:
		unmatched := -1
		ids, ok, err := userByName(ctx, q, lq, &unmatched)
		if err != nil || ok {
			return ids, err
		}
	case SortCharacter:
		ids, ok, err := characterByName(ctx, q, lq)
		if err != nil || ok {
			return ids, err
		}
	case SortRole:
		ids, ok, err := s.roleFirstGroup(ctx, q, lq)
		if err != nil || ok {
			return ids, err
		}
	case SortExpires, SortClient:
		return s.edgePage(ctx, q, lq)
	}
	query := `SELECT s.id` + sortFrom(lq.Sort) + ` ORDER BY ` + sortOrder(lq) + `, s.id LIMIT ?1 OFFSET ?2`
	return scanIDs(ctx, q, query, lq.Limit, lq.Offset)
}

// sortOrder is lq's ORDER BY term, before the s.id that breaks ties.
func sortOrder(lq ListQuery) string {
	if lq.Desc {
		return flip(sortSQL[lq.Sort])
	}
	return sortSQL[lq.Sort]
}

// sortFrom joins only the table the sort key lives in.
func sortFrom(col SortColumn) string {
	switch col {
	case SortUser, SortRole:
		return ` FROM sessions s LEFT JOIN users u ON u.id = s.user_id`
	case SortCharacter:
		return ` FROM sessions s LEFT JOIN characters c ON c.id = s.character_id`
	}
	return ` FROM sessions s`
}

// listFiltered is ListSessions under a filter. The matching ids are read
// once (their number is the count), and only they are sorted for the page:
// the filter of a flood hunt matches a few hundred of 100k sessions, and
// the old count-then-page over the whole join made two passes of joins
// and five lower() calls per session.
func (s *Store) listFiltered(ctx context.Context, q Querier, lq ListQuery, filter string) ([]SessionRow, int, error) {
	worlds, ok, err := worldsOf(ctx, q, "sessions")
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		worlds = nil // too many to list: the pass tests each session's
	}
	matched, err := s.filterIDs(ctx, q, filter, worlds)
	if err != nil {
		return nil, 0, err
	}
	if len(matched) == 0 || lq.Offset >= len(matched) {
		return []SessionRow{}, len(matched), nil
	}
	out, err := s.filteredPage(ctx, q, lq, matched)
	return out, len(matched), err
}

// filteredPage reads one page of the matched sessions in lq's order.
func (s *Store) filteredPage(ctx context.Context, q Querier, lq ListQuery, matched []int64) ([]SessionRow, error) {
	var b strings.Builder
	b.Grow(len(matched)*8 + 2) // ids of up to seven digits: no regrowth
	b.WriteByte('[')
	for i, id := range matched {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	query := `SELECT s.id` + sortFrom(lq.Sort) + ` WHERE s.id IN (SELECT value FROM json_each(?1)) ORDER BY ` +
		sortOrder(lq) + `, s.id LIMIT ?2 OFFSET ?3`
	ids, err := scanIDs(ctx, q, query, b.String(), lq.Limit, lq.Offset)
	if err != nil {
		return nil, err
	}
	return s.rowsByID(ctx, q, ids)
}

func scanIDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap("list sessions", err)
	}
	defer rows.Close()
	// One destination for every row: a filter matching every session at
	// 100k scans 100k ids, and a fresh one per row (with the column names
	// asked again) was 400k allocations a tick.
	var id int64
	var rest any
	dest := []any{&id}
	if cols, _ := rows.Columns(); len(cols) > 1 {
		dest = append(dest, &rest)
	}
	var ids []int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, wrap("list sessions", err)
		}
		ids = append(ids, id)
	}
	return ids, wrap("list sessions", rows.Err())
}

// rowsByID reads the full rows of a page and returns them in ids' order.
func (s *Store) rowsByID(ctx context.Context, q Querier, ids []int64) ([]SessionRow, error) {
	out := make([]SessionRow, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	marks := strings.Repeat("?,", len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	got, err := s.sessionsWhere(ctx, q, `s.id IN (`+marks[:len(marks)-1]+`)`, args...)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]SessionRow, len(got))
	for _, r := range got {
		byID[r.RowID] = r
	}
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// SessionByRowID reads one session row for the detail panel and for
// re-checking, at the moment of an action, that a row is still the session
// the operator saw.
func (s *Store) SessionByRowID(ctx context.Context, q Querier, rowID int64) (SessionRow, bool, error) {
	rows, err := s.sessionsWhere(ctx, q, `s.id = ?`, rowID)
	if err != nil || len(rows) == 0 {
		return SessionRow{}, false, err
	}
	return rows[0], true, nil
}

// SessionsByUser reads every session of a user (through idx_sessions_user_id).
func (s *Store) SessionsByUser(ctx context.Context, q Querier, userID int64) ([]SessionRow, error) {
	return s.sessionsWhere(ctx, q, `s.user_id = ?`, userID)
}

// SessionsByCharacter reads every session bound to a character.
func (s *Store) SessionsByCharacter(ctx context.Context, q Querier, characterID int64) ([]SessionRow, error) {
	return s.sessionsWhere(ctx, q, `s.character_id = ?`, characterID)
}

func (s *Store) sessionsWhere(ctx context.Context, q Querier, where string, args ...any) ([]SessionRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+listColumns+listFrom+` WHERE `+where+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, wrap("read sessions", err)
	}
	defer rows.Close()
	var out []SessionRow
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, wrap("read sessions", rows.Err())
}

func scanRow(rows *sql.Rows) (SessionRow, error) {
	var r SessionRow
	err := rows.Scan(&r.RowID, &r.SessionID, &r.UserID, &r.Username, &r.Role,
		&r.UserActive, &r.Tombstoned, &r.UserFound,
		&r.CharacterID, &r.CharacterName, &r.CharacterUserID, &r.WorldID, &r.ClientType,
		&r.CreatedAt, &r.LastActivity, &r.ExpiresType, &r.ExpiresAt,
		&r.UserSessions, &r.CharacterSessions)
	return r, wrap("read sessions", err)
}

// flip reverses the direction of an ORDER BY term.
func flip(term string) string {
	if t, ok := strings.CutSuffix(term, " DESC"); ok {
		return t
	}
	return term + " DESC"
}

// Aggregates are the monitor's header counts over every session.
type Aggregates struct {
	Total        int
	InWorld      int
	NeverExpires int
	// Expired counts rows SQLite reads as past their expiry but still
	// present (nobody has looked them up or cleaned up since).
	Expired      int
	ExpiringSoon int
	// Active is exactly the original's active count.
	Active   int
	ByRole   map[string]int
	ByWorld  map[string]int
	ByClient map[string]int
	// Issued is the highest session row id ever handed out (sqlite_sequence;
	// ids are AUTOINCREMENT and never reused): the difference between two
	// readings counts logins, even of sessions already gone again.
	Issued int64
}

// Aggregate computes the header counts at now. window is the activity
// window (0: off) and soon how far ahead "expiring soon" looks.
func (s *Store) Aggregate(ctx context.Context, q Querier, now time.Time, window, soon time.Duration) (Aggregates, error) {
	if mt, ok := q.(*monitorTx); ok && mt != nil && mt == s.monitor.tx.Load() {
		return s.cachedAggregate(ctx, q, now, window, soon)
	}
	a := Aggregates{ByRole: map[string]int{}, ByWorld: map[string]int{}, ByClient: map[string]int{}}
	nowS := FormatTime(now)
	windowCond := "1"
	if window > 0 {
		windowCond = "datetime(last_activity) >= datetime(?2)"
	}
	err := q.QueryRowContext(ctx, `SELECT count(*),
		coalesce(sum(character_id IS NOT NULL), 0),
		coalesce(sum(expires_at IS NULL), 0),
		coalesce(sum(datetime(expires_at) <= datetime(?1)), 0),
		coalesce(sum(datetime(expires_at) > datetime(?1) AND datetime(expires_at) <= datetime(?3)), 0),
		coalesce(sum((expires_at IS NULL OR datetime(expires_at) > datetime(?1)) AND `+windowCond+`), 0)
		FROM sessions`, nowS, FormatTime(now.Add(-window)), FormatTime(now.Add(soon))).
		Scan(&a.Total, &a.InWorld, &a.NeverExpires, &a.Expired, &a.ExpiringSoon, &a.Active)
	if err != nil {
		return a, wrap("count sessions", err)
	}
	groups := []struct {
		query string
		into  map[string]int
	}{
		{`SELECT coalesce(u.role, ''), count(*) FROM sessions s LEFT JOIN users u ON u.id = s.user_id GROUP BY 1`, a.ByRole},
		{`SELECT coalesce(CAST(world_id AS TEXT), ''), count(*) FROM sessions GROUP BY 1`, a.ByWorld},
		{`SELECT coalesce(CAST(client_type AS TEXT), ''), count(*) FROM sessions GROUP BY 1`, a.ByClient},
	}
	for _, g := range groups {
		if err := groupCounts(ctx, q, g.query, g.into); err != nil {
			return a, err
		}
	}
	// A database whose sessions table never held a row may lack
	// sqlite_sequence; Issued then stays 0 and churn is simply unknown.
	_ = q.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'sessions'`).Scan(&a.Issued)
	return a, nil
}

func groupCounts(ctx context.Context, q Querier, query string, into map[string]int) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return wrap("count sessions", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return wrap("count sessions", err)
		}
		into[k] += n
	}
	return wrap("count sessions", rows.Err())
}

// CountByRole counts all sessions by their user's role.
func (s *Store) CountByRole(ctx context.Context, q Querier) (map[string]int, error) {
	m := map[string]int{}
	err := groupCounts(ctx, q, `SELECT coalesce(u.role, ''), count(*) FROM sessions s LEFT JOIN users u ON u.id = s.user_id GROUP BY 1`, m)
	return m, err
}
