package storage

import (
	"context"
	"database/sql"
	"fmt"
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

const listColumns = `s.id, s.session_id, s.user_id, coalesce(u.username, ''), coalesce(u.role, ''),
 coalesce(u.is_active, 1) != 0, u.tombstoned_at IS NOT NULL, u.id IS NOT NULL,
 coalesce(s.character_id, 0), coalesce(c.name, ''), coalesce(c.user_id, 0),
 coalesce(CAST(s.world_id AS TEXT), ''), coalesce(CAST(s.client_type AS TEXT), ''),
 coalesce(CAST(s.created_at AS TEXT), ''), coalesce(CAST(s.last_activity AS TEXT), ''),
 typeof(s.expires_at), coalesce(CAST(s.expires_at AS TEXT), ''),
 (SELECT count(*) FROM sessions s2 WHERE s2.user_id = s.user_id),
 CASE WHEN s.character_id IS NULL THEN 0 ELSE (SELECT count(*) FROM sessions s3 WHERE s3.character_id = s.character_id) END`

const listFrom = ` FROM sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN characters c ON c.id = s.character_id`

const filterWhere = ` WHERE (instr(lower(coalesce(u.username, '')), ?1) > 0
 OR instr(lower(coalesce(c.name, '')), ?1) > 0
 OR instr(lower(coalesce(CAST(s.world_id AS TEXT), '')), ?1) > 0
 OR instr(lower(coalesce(CAST(s.client_type AS TEXT), '')), ?1) > 0
 OR instr(lower(coalesce(u.role, '')), ?1) > 0)`

// ListSessions returns one sorted, filtered page and how many rows match
// the filter in all.
func (s *Store) ListSessions(ctx context.Context, q Querier, lq ListQuery) ([]SessionRow, int, error) {
	if lq.Sort < 0 || lq.Sort >= sortColumns {
		return nil, 0, fmt.Errorf("list sessions: unknown sort column %d", lq.Sort)
	}
	if lq.Limit <= 0 {
		lq.Limit = 50
	}
	order := sortSQL[lq.Sort]
	if lq.Desc {
		order = flip(order)
	}
	where, args := "", []any{}
	if f := strings.ToLower(lq.Filter); f != "" {
		where, args = filterWhere, append(args, f)
	}
	var matching int
	countSQL := `SELECT count(*) FROM sessions s`
	if where != "" {
		countSQL = `SELECT count(*)` + listFrom + where
	}
	if err := q.QueryRowContext(ctx, countSQL, args...).Scan(&matching); err != nil {
		return nil, 0, wrap("count sessions", err)
	}
	n := len(args)
	query := `SELECT ` + listColumns + listFrom + where +
		fmt.Sprintf(` ORDER BY %s, s.id LIMIT ?%d OFFSET ?%d`, order, n+1, n+2)
	rows, err := q.QueryContext(ctx, query, append(args, lq.Limit, lq.Offset)...)
	if err != nil {
		return nil, 0, wrap("list sessions", err)
	}
	defer rows.Close()
	out := make([]SessionRow, 0, lq.Limit)
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, matching, wrap("list sessions", rows.Err())
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
