package storage

import (
	"context"
	"strconv"
	"time"
)

// FindingKind is which check of the grants view found something. Each is
// a plain fact about rows; what it means for permissions is auth's to say.
type FindingKind int

// The checks, in the order the grants view lists them.
const (
	// FindOddRole: the stored role is not exactly one of FindingsQuery.KnownRoles.
	FindOddRole FindingKind = iota + 1
	// FindSuperNotSystem: the role, lowercased, is FindingsQuery.SuperRole
	// and account_origin is not 'system' (the value the original's
	// bootstrap writes for the one superuser it creates).
	FindSuperNotSystem
	// FindInactiveWithSessions: is_active = 0 or tombstoned_at set, and
	// the account still holds live sessions.
	FindInactiveWithSessions
	// FindGuestExpired: a guest past guest_expires_at with live sessions.
	FindGuestExpired
	// FindWorldNoAccess: sessions bound to a world that is missing or
	// inactive, or for which the user has neither a grant nor a character
	// of their own, and whose role is not one of FindingsQuery.WorldBypass.
	FindWorldNoAccess
)

// FindingRow is one finding: an account and, for FindWorldNoAccess, the world.
type FindingRow struct {
	Kind       FindingKind
	UserID     int64
	Username   string
	Role       string
	Origin     string
	Active     bool
	Tombstoned bool
	// GuestExpires is the stored text (FindGuestExpired).
	GuestExpires string
	WorldID      string
	// Sessions is how many sessions the finding concerns: the account's
	// live ones, or (FindWorldNoAccess) its rows in that world.
	Sessions int
}

// FindingsQuery carries the rules the checks need from auth, and the page.
type FindingsQuery struct {
	Now time.Time
	// KnownRoles are the role values the server recognises as stored.
	KnownRoles []string
	// SuperRole is the lowercase value of the all-powerful role.
	SuperRole string
	// WorldBypass are the exact role values let into every world.
	WorldBypass []string
	// UserID, when non-zero, limits the checks to one account.
	UserID int64
	Offset int
	Limit  int
}

// liveSession is the condition on a sessions row s that SQLite does not
// read it as expired at ?1 (a value it cannot read counts as live: the
// original's cleanup keeps such rows too). ?1 is FormatTime's text, which
// is already SQLite's normal form, so it is compared without datetime().
const liveSession = `(s.expires_at IS NULL OR coalesce(datetime(s.expires_at) > ?1, 1))`

// findingsSQL builds the findings as a CTE f and its arguments. Users are
// read once (10,000 rows is a few milliseconds), into the few flagged
// ones, whose live sessions are then counted through an index; the world
// check starts from a small set found through indexes: the worlds that
// sessions name, walked with a skip-scan of idx_sessions_world_id (one
// probe per distinct world, not one per session), and ownerless characters
// through idx_characters_user_world. So the cost follows accounts and
// worlds, not the number of sessions. f is materialised: the caller reads
// it twice (its counts and its page) in one statement.
func findingsSQL(fq FindingsQuery) (string, []any) {
	args := []any{FormatTime(fq.Now), fq.SuperRole}
	list := func(vals []string) string {
		if len(vals) == 0 {
			return "NULL"
		}
		s := ""
		for i, v := range vals {
			args = append(args, v)
			if i > 0 {
				s += ", "
			}
			s += "?" + strconv.Itoa(len(args))
		}
		return s
	}
	known, bypass := list(fq.KnownRoles), list(fq.WorldBypass)
	kind := func(k FindingKind) string { return strconv.Itoa(int(k)) }
	// The checks on users, written out where they are tested: SQLite then
	// evaluates the flag columns for the flagged rows only.
	odd := `coalesce(u.role, '') NOT IN (` + known + `)`
	sup := `(lower(coalesce(u.role, '')) = ?2 AND coalesce(u.account_origin, '') != 'system')`
	ina := `(coalesce(u.is_active, 1) = 0 OR u.tombstoned_at IS NOT NULL)`
	gex := `(coalesce(u.is_guest, 0) = 1 AND u.guest_expires_at IS NOT NULL AND datetime(u.guest_expires_at) <= ?1)`
	userCond, sessCond := "", ""
	if fq.UserID != 0 {
		args = append(args, fq.UserID)
		n := "?" + strconv.Itoa(len(args))
		userCond, sessCond = " AND u.id = "+n, " AND s.user_id = "+n
	}
	const cols = `id, username, role, origin, active, tomb, guest_exp`
	q := `WITH RECURSIVE sw(w) AS (
  SELECT min(world_id) FROM sessions
  UNION ALL SELECT (SELECT min(world_id) FROM sessions WHERE world_id > sw.w) FROM sw WHERE sw.w IS NOT NULL
),
bad(w) AS (SELECT w FROM sw WHERE w IS NOT NULL AND w NOT IN (SELECT id FROM worlds WHERE is_active = 1)),
cand(user_id, world_id) AS (
  SELECT s.user_id, s.world_id FROM sessions s WHERE s.world_id IN (SELECT w FROM bad)` + sessCond + `
  UNION
  SELECT s.user_id, s.world_id FROM characters c JOIN sessions s ON s.character_id = c.id WHERE c.user_id IS NULL` + sessCond + `
),
uf AS MATERIALIZED (
  SELECT u.id, u.username, coalesce(u.role, '') AS role, coalesce(CAST(u.account_origin AS TEXT), '') AS origin,
    coalesce(u.is_active, 1) != 0 AS active, u.tombstoned_at IS NOT NULL AS tomb,
    coalesce(CAST(u.guest_expires_at AS TEXT), '') AS guest_exp,
    ` + odd + ` AS odd, ` + sup + ` AS sup, ` + ina + ` AS ina, ` + gex + ` AS gex
   FROM users u WHERE (` + odd + ` OR ` + sup + ` OR ` + ina + ` OR ` + gex + `)` + userCond + `
),
ul AS MATERIALIZED (
  SELECT uf.*, (SELECT count(*) FROM sessions s WHERE s.user_id = uf.id AND ` + liveSession + `) AS n FROM uf
),
f(kind, id, username, role, origin, active, tomb, guest_exp, world_id, n) AS MATERIALIZED (
  SELECT ` + kind(FindOddRole) + `, ` + cols + `, '', n FROM ul WHERE odd
  UNION ALL SELECT ` + kind(FindSuperNotSystem) + `, ` + cols + `, '', n FROM ul WHERE sup
  UNION ALL SELECT ` + kind(FindInactiveWithSessions) + `, ` + cols + `, '', n FROM ul WHERE ina AND n > 0
  UNION ALL SELECT ` + kind(FindGuestExpired) + `, ` + cols + `, '', n FROM ul WHERE gex AND n > 0
  UNION ALL
  SELECT ` + kind(FindWorldNoAccess) + `, u.id, u.username, coalesce(u.role, ''), coalesce(CAST(u.account_origin AS TEXT), ''),
   coalesce(u.is_active, 1) != 0, u.tombstoned_at IS NOT NULL, coalesce(CAST(u.guest_expires_at AS TEXT), ''),
   CAST(cand.world_id AS TEXT),
   (SELECT count(*) FROM sessions s WHERE s.user_id = cand.user_id AND s.world_id = cand.world_id)
   FROM cand JOIN users u ON u.id = cand.user_id
   WHERE coalesce(u.role, '') NOT IN (` + bypass + `)
   AND NOT (EXISTS (SELECT 1 FROM worlds w WHERE w.id = cand.world_id AND w.is_active = 1)
    AND (EXISTS (SELECT 1 FROM world_permissions p WHERE p.user_id = cand.user_id AND p.world_id = cand.world_id AND p.can_access = 1)
     OR EXISTS (SELECT 1 FROM characters c WHERE c.user_id = cand.user_id AND c.world_id = cand.world_id)))
)`
	return q, args
}

// Findings returns one page of findings, ordered by kind then username,
// and how many of each kind there are in all, both computed in SQL in one
// statement (the counts are rows with part 0, the page part 1).
func (s *Store) Findings(ctx context.Context, q Querier, fq FindingsQuery) ([]FindingRow, map[FindingKind]int, error) {
	if fq.Limit <= 0 {
		fq.Limit = 50
	}
	with, args := findingsSQL(fq)
	n := len(args)
	rows, err := q.QueryContext(ctx, with+`
 SELECT 0, kind, 0, '', '', '', 0, 0, '', '', count(*) FROM f GROUP BY kind
 UNION ALL
 SELECT * FROM (SELECT 1, * FROM f ORDER BY kind, username, world_id LIMIT ?`+
		strconv.Itoa(n+1)+` OFFSET ?`+strconv.Itoa(n+2)+`)`, append(args, fq.Limit, max(fq.Offset, 0))...)
	if err != nil {
		return nil, nil, wrap("read findings", err)
	}
	defer rows.Close()
	counts := map[FindingKind]int{}
	var out []FindingRow
	for rows.Next() {
		var part int
		var r FindingRow
		if err := rows.Scan(&part, &r.Kind, &r.UserID, &r.Username, &r.Role, &r.Origin, &r.Active, &r.Tombstoned,
			&r.GuestExpires, &r.WorldID, &r.Sessions); err != nil {
			return nil, nil, wrap("read findings", err)
		}
		if part == 0 {
			counts[r.Kind] = r.Sessions
			continue
		}
		out = append(out, r)
	}
	return out, counts, wrap("read findings", rows.Err())
}

// UserFindings returns every finding about one account (a handful at most).
func (s *Store) UserFindings(ctx context.Context, q Querier, fq FindingsQuery, userID int64) ([]FindingRow, error) {
	fq.UserID, fq.Offset, fq.Limit = userID, 0, 100
	rows, _, err := s.Findings(ctx, q, fq)
	return rows, err
}
