package storage

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
)

// AccountRow is one account as the grants view lists it.
type AccountRow struct {
	ID         int64
	Username   string
	Role       string // as stored
	Origin     string // account_origin
	Active     bool
	Tombstoned bool
	Guest      bool
	// GuestExpires and LastLogin are the stored text ("" when NULL).
	GuestExpires string
	LastLogin    string
	// Sessions counts the account's live sessions: those SQLite does not
	// read as expired at the query's Now.
	Sessions int
}

// AccountQuery selects a page of accounts by role. The caller (auth) says
// which roles qualify: storage knows nothing of what a role may do.
type AccountQuery struct {
	// Roles are lowercase role values; an account qualifies when its
	// stored role, lowercased by SQLite, is one of them. SQLite's lower()
	// folds ASCII only, where Python's folds Unicode too; no non-ASCII
	// letter folds into the letters of the four role names except the
	// Kelvin sign (to k, which none of them has), so for these values
	// the two agree.
	Roles  []string
	Now    time.Time
	Offset int
	Limit  int
}

const accountColumns = `u.id, u.username, coalesce(u.role, ''), coalesce(CAST(u.account_origin AS TEXT), ''),
 coalesce(u.is_active, 1) != 0, u.tombstoned_at IS NOT NULL, coalesce(u.is_guest, 0) != 0,
 coalesce(CAST(u.guest_expires_at AS TEXT), ''), coalesce(CAST(u.last_login AS TEXT), ''),
 (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND ` + liveSession + `)`

func scanAccount(sc interface{ Scan(...any) error }) (AccountRow, error) {
	var a AccountRow
	err := sc.Scan(&a.ID, &a.Username, &a.Role, &a.Origin, &a.Active, &a.Tombstoned, &a.Guest,
		&a.GuestExpires, &a.LastLogin, &a.Sessions)
	return a, err
}

// ListAccounts returns one page of the accounts whose role qualifies,
// ordered by username, and how many qualify in all. Both are computed in
// SQL; the live-session counts are made for the page's rows only.
func (s *Store) ListAccounts(ctx context.Context, q Querier, aq AccountQuery) ([]AccountRow, int, error) {
	if aq.Limit <= 0 {
		aq.Limit = 50
	}
	args := []any{FormatTime(aq.Now)}
	where := ` WHERE lower(coalesce(u.role, '')) IN (` + marks(len(aq.Roles), 2) + `)`
	if len(aq.Roles) == 0 {
		where = ` WHERE 0`
	}
	for _, r := range aq.Roles {
		args = append(args, r)
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM users u`+where, args...).Scan(&total); err != nil {
		return nil, 0, wrap("count accounts", err)
	}
	// The page walks the username index and stops at its end; the
	// live-session counts are made for the page's rows only.
	n := len(args)
	rows, err := q.QueryContext(ctx, `SELECT `+accountColumns+` FROM users u`+where+
		` ORDER BY u.username LIMIT ?`+strconv.Itoa(n+1)+` OFFSET ?`+strconv.Itoa(n+2), append(args, aq.Limit, max(aq.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("list accounts", err)
	}
	defer rows.Close()
	var out []AccountRow
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, 0, wrap("list accounts", err)
		}
		out = append(out, a)
	}
	return out, total, wrap("list accounts", rows.Err())
}

// AccountByName reads one account by exact username; ok is false when
// there is none.
func (s *Store) AccountByName(ctx context.Context, q Querier, username string, now time.Time) (AccountRow, bool, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM users u WHERE u.username = ?2`,
		FormatTime(now), username))
	if err == sql.ErrNoRows {
		return AccountRow{}, false, nil
	}
	if err != nil {
		return AccountRow{}, false, wrap("read account", err)
	}
	return a, true, nil
}

// marks is n numbered placeholders from ?first: "?2, ?3, ?4".
func marks(n, first int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "?" + strconv.Itoa(first+i)
	}
	return strings.Join(parts, ", ")
}
