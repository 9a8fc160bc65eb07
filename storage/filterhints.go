package storage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// A filter on a file that changes before every tick is SQL over every
// session, and in this pure-Go SQLite most of its time is lower(): one
// allocation and copy per value, five values per session. Roles, worlds
// and client types are a handful of distinct values repeated 100k times,
// so the values the last count rebuild saw are hints: a value equal to one
// of them (compared byte for byte) has its answer worked out once, in Go,
// and bound as a constant; any other value, including every value that
// appeared since, still goes through lower() and instr(). A stale hint
// costs time, never a wrong answer.

// filterHints are the distinct role, world and client texts last seen.
type filterHints struct {
	roles, worlds, clients []string
}

// maxHints bounds each list: past a few dozen distinct values, the CASE
// that tests them costs what lower() does.
const maxHints = 24

// hintsFrom takes the hints from a count rebuild's groups. Only printable
// ASCII is kept, where lower() and instr() are exactly Go's ASCII folding
// and substring search. The most frequent come first, and so are kept
// when there are too many: a row's CASE stops at the first value equal to
// its own, and with nine accounts in ten players, 'player' first took the
// roles' test from 12.6 to 9.7 ms per 100k.
func hintsFrom(a Aggregates) *filterHints {
	pick := func(m map[string]int) []string {
		var out []string
		for k := range m {
			if k != "" && printableASCII(k) {
				out = append(out, k)
			}
		}
		slices.SortFunc(out, func(x, y string) int {
			return cmp.Or(cmp.Compare(m[y], m[x]), strings.Compare(x, y))
		})
		return out[:min(len(out), maxHints)]
	}
	return &filterHints{roles: pick(a.ByRole), worlds: pick(a.ByWorld), clients: pick(a.ByClient)}
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// likeEscape quotes LIKE's wildcards (and the escape itself) with a
// backslash, for ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// asciiLower is SQLite's lower() without ICU: ASCII letters only.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// filterIDsSQL finds every session filterWhere matches without joining a
// user and a character to each of them: the accounts (by name or role) and
// the characters that match are found once, in their own tables, and their
// sessions through the original's indexes on user_id and character_id;
// one pass over the sessions tests only their own client and, unless
// worlds lists every distinct world_id of the sessions (worldsOf, NULL
// first), their world. With the list, each world value is tested once, in
// SQL as the pass would test it (bound with the storage class it was read
// with, so CAST gives the same text), and the sessions of the matching
// ones come through idx_sessions_world_id: that took the world's half of
// the pass, 35 ms at 100k. u.id and c.id are primary keys, so "the joined
// row matches" and "the key is in the set of matching rows" are the same
// test. ?1 is the lowered filter (never empty here, so a NULL world, read
// as the empty text, matches nothing); the hints' values and the worlds follow it.
//
// half says which ids of the accounts and the sessions this read scans,
// and whether it reads the characters and the world arm (filterids.go);
// wholeFilter reads them all.
func filterIDsSQL(filter string, h *filterHints, worlds []any, half *idHalf) (string, []any) {
	args := []any{filter}
	// in is the span's bound on a table's ids, as a term of its WHERE.
	in := func(sp idSpan) string {
		switch sp.kind {
		case spanFrom:
			args = append(args, sp.at)
			return fmt.Sprintf("id >= ?%d AND ", len(args))
		case spanBelow:
			args = append(args, sp.at)
			return fmt.Sprintf("id < ?%d AND ", len(args))
		}
		return ""
	}
	// name is the test of an account's or a character's name, every row of
	// its table. lower() allocates its result for each value, which made it
	// most of the pass, and two connections scanning at once then spent
	// their time queueing for the allocator's lock. For a printable ASCII
	// filter, LIKE gives instr(lower())'s answer without a copy: it folds
	// ASCII letters as lower() does, and a multi-byte character of the
	// name never equals an ASCII one of the pattern. It never matches a
	// blob, hence the CAST (a no-op on text). It differs in one case, a
	// name with a NUL, where LIKE stops and instr() reads on; LIKE can then
	// only miss, never add, so only the names LIKE rejects are asked
	// whether they hold a NUL, and those go through instr(lower()).
	likeArg := 0
	if printableASCII(filter) {
		args = append(args, "%"+likeEscape(filter)+"%")
		likeArg = len(args)
	}
	name := func(col string) string {
		slow := fmt.Sprintf("instr(lower(coalesce(%s, '')), ?1) > 0", col)
		if likeArg == 0 {
			return slow
		}
		return fmt.Sprintf(`(CAST(%s AS TEXT) LIKE ?%d ESCAPE '\' OR (instr(%s, char(0)) > 0 AND %s))`, col, likeArg, col, slow)
	}
	// match is instr(lower(col), ?1) > 0, with the hinted values answered
	// by a constant. COLLATE BINARY: the hint is that exact text, whatever
	// collation a foreign schema gives the column.
	match := func(col string, hints []string) string {
		slow := fmt.Sprintf("instr(lower(coalesce(CAST(%s AS TEXT), '')), ?1) > 0", col)
		if len(hints) == 0 {
			return slow
		}
		var b strings.Builder
		fmt.Fprintf(&b, "CASE %s COLLATE BINARY", col)
		for _, v := range hints {
			args = append(args, v)
			hit := 0
			if strings.Contains(asciiLower(v), filter) {
				hit = 1
			}
			fmt.Fprintf(&b, " WHEN ?%d THEN %d", len(args), hit)
		}
		b.WriteString(" ELSE " + slow + " END")
		return b.String()
	}
	var roles, worldHints, clients []string
	if h != nil {
		roles, worldHints, clients = h.roles, h.worlds, h.clients
	}
	var ctes, arms []string
	if half.users.kind != spanNone {
		ctes = append(ctes, `mu AS MATERIALIZED (SELECT id FROM users
  WHERE `+in(half.users)+`(`+name("username")+` OR `+match("role", roles)+`))`)
		arms = append(arms, `SELECT id FROM sessions WHERE user_id IN mu`)
	}
	if half.others {
		ctes = append(ctes, `mc AS MATERIALIZED (SELECT id FROM characters WHERE `+name("name")+`)`)
		arms = append(arms, `SELECT id FROM sessions WHERE character_id IN mc`)
	}
	listed := len(worlds) > 0 && worlds[0] == nil && filter != ""
	if half.sessions.kind != spanNone {
		// With the worlds listed, the world arm below tests them.
		bound := in(half.sessions)
		test := "(" + match("client_type", clients) + ")"
		if !listed {
			test = "(" + match("world_id", worldHints) + ` OR ` + match("client_type", clients) + ")"
		}
		arms = append(arms, `SELECT id FROM sessions WHERE `+bound+test)
	}
	if listed && half.others && len(worlds) > 1 {
		var vals []string
		for _, w := range worlds[1:] {
			args = append(args, w)
			vals = append(vals, fmt.Sprintf("(?%d)", len(args)))
		}
		arms = append(arms, `SELECT id FROM sessions WHERE world_id COLLATE BINARY IN (SELECT column1 FROM (VALUES `+strings.Join(vals, ", ")+`)
  WHERE instr(lower(coalesce(CAST(column1 AS TEXT), '')), ?1) > 0)`)
	}
	// UNION ALL: a session may come from more than one arm (its account,
	// its character, its client), and filterIDs drops the repeats in Go,
	// where an id costs 8 bytes; UNION's own dedupe kept every id in an
	// ephemeral b-tree of SQLite's, for a filter matching most of 100k
	// sessions megabytes of it in each half at once.
	query := strings.Join(arms, "\nUNION ALL ")
	if len(ctes) > 0 {
		query = "WITH " + strings.Join(ctes, ",\n ") + "\n" + query
	}
	return query, args
}
