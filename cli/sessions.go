package cli

import (
	"context"

	"fmt"
	"github.com/spf13/pflag"
	"strings"
	"time"

	"mudtop/auth"
	"mudtop/tui"
)

// sortNames are the --sort values, indexed by auth's sort column.
func sortNames() []string {
	n := [auth.SortColumns]string{
		auth.SortIdle: "idle", auth.SortUser: "user", auth.SortRole: "role",
		auth.SortCharacter: "character", auth.SortWorld: "world", auth.SortClient: "client",
		auth.SortAge: "age", auth.SortExpires: "expires",
	}
	return n[:]
}

// pageSize is how many rows one read fetches when --limit 0 asks for all:
// each read stays one short transaction beside a live server.
const pageSize = 1000

// cmdSessions lists sessions for an operator holding view_logs.
func cmdSessions() *command {
	return &command{
		name:     "sessions",
		synopsis: "list sessions (needs view_logs)",
		usage:    "sessions [--filter TEXT] [--sort COLUMN] [--desc] [--limit N] [--offset N] [--csv]",
		about: `Lists sessions with their user, role, character, world, client, state,
idle time, age and expiry, after a line of counts. The operator (--session
or $MUDTOP_SESSION) needs view_logs; reading does not count as the
operator's activity. Session ids are shown as an 8-character prefix (the
operator's own marked *), which 'mudtop kick' accepts. Rows with an anomaly
are marked ! and explained below the table. --json prints everything as
data; --csv prints the rows as CSV (RFC 4180, a header row, the same
columns as the monitor's export key, ids as the 8-character prefix, and
no counts line), for a spreadsheet: --csv --limit 0 exports them all.

Sort columns: ` + strings.Join(sortNames(), ", ") + `
(a leading - reverses: --sort -user).`,
		flags: runSessions,
	}
}

func runSessions(fs *pflag.FlagSet) runFunc {
	filter := fs.String("filter", "", "show only sessions whose user, character, world, client or role contains `TEXT`")
	sortBy := fs.String("sort", "idle", "sort by `COLUMN`")
	desc := fs.Bool("desc", false, "reverse the sort")
	limit := fs.Int("limit", 50, "show at most `N` sessions; 0 shows all")
	offset := fs.Int("offset", 0, "skip the first `N` sessions")
	asCSV := fs.Bool("csv", false, "print the sessions as CSV")
	return func(ctx context.Context, g *Globals, pos []string) error {
		var err error
		if err := wantArgs(pos, 0, 0, ""); err != nil {
			return err
		}
		lq := auth.ListQuery{Filter: *filter, Desc: *desc, Offset: *offset, Limit: *limit}
		if lq.Sort, lq.Desc, err = parseSort(*sortBy, *desc); err != nil {
			return err
		}
		if *limit < 0 || *offset < 0 {
			return usagef("--limit and --offset must be 0 or more")
		}
		if *asCSV && g.JSON {
			return usagef("--csv and --json: choose one")
		}
		token, err := needSession(g)
		if err != nil {
			return err
		}
		return withService(ctx, g, func(s *service) error {
			snap, err := readSessions(ctx, s, token, lq)
			if err != nil {
				return err
			}
			if g.JSON {
				return writeJSON(g.Stdout, toSnapshotJSON(snap))
			}
			if *asCSV {
				return tui.WriteCSV(g.Stdout, snap.Now, snap.Rows)
			}
			return writeSessions(g, snap)
		})
	}
}

func parseSort(name string, desc bool) (auth.SortColumn, bool, error) {
	if rest, ok := strings.CutPrefix(name, "-"); ok {
		name, desc = rest, !desc
	}
	for i, n := range sortNames() {
		if n == name {
			return auth.SortColumn(i), desc, nil
		}
	}
	return 0, false, usagef("unknown sort column %q (want one of %s)", name, strings.Join(sortNames(), ", "))
}

// readSessions reads one page, or every page when the limit is 0. The
// counts and operator come from the first read.
func readSessions(ctx context.Context, s *service, token string, lq auth.ListQuery) (auth.Snapshot, error) {
	if lq.Limit > 0 {
		return s.Snapshot(ctx, token, lq)
	}
	lq.Limit = pageSize
	first, err := s.Snapshot(ctx, token, lq)
	if err != nil {
		return first, err
	}
	for n := len(first.Rows); n == pageSize; {
		lq.Offset += pageSize
		next, err := s.Snapshot(ctx, token, lq)
		if err != nil {
			return first, err
		}
		first.Rows = append(first.Rows, next.Rows...)
		n = len(next.Rows)
	}
	return first, nil
}

func writeSessions(g *Globals, snap auth.Snapshot) error {
	c := snap.Counts
	shown := ""
	if len(snap.Rows) > 0 {
		shown = fmt.Sprintf("; showing %d-%d of %d", snap.Offset+1, snap.Offset+len(snap.Rows), snap.Matching)
	} else {
		shown = fmt.Sprintf("; none of %d shown", snap.Matching)
	}
	fmt.Fprintf(g.Stdout, "%d %s: %d active, %d idle, %d in world, %d expiring soon, %d expired%s\n\n",
		c.Sessions, plural(c.Sessions, "session", "sessions"), c.Active, c.Idle, c.InWorld, c.ExpiringSoon, c.Expired, shown)
	t := &table{
		headers: []string{"ID", "USER", "ROLE", "CHARACTER", "WORLD", "CLIENT", "STATE", "IDLE", "AGE", "EXPIRES"},
		max:     []int{10, 20, 12, 20, 16, 12, 8, 7, 7, 10},
	}
	var notes []string
	for _, r := range snap.Rows {
		id := auth.ShortID(r.Ref.Token)
		if r.Own {
			id += "*"
		}
		if len(r.Anomalies) > 0 {
			id += "!"
			for _, a := range r.Anomalies {
				notes = append(notes, fmt.Sprintf("! %s %s: %s", auth.ShortID(r.Ref.Token), sanitize(r.Username), a))
			}
		}
		char, world := "-", "-"
		if r.InWorld {
			char, world = r.CharacterName, r.WorldID
		}
		t.add(id, r.Username, r.Role, char, world, r.ClientType, string(r.State),
			since(snap.Now, r.LastActivity), since(snap.Now, r.CreatedAt), expiresIn(snap.Now, r))
	}
	if err := t.write(g.Stdout); err != nil {
		return err
	}
	if len(notes) > 0 {
		fmt.Fprintln(g.Stdout)
		for _, n := range notes {
			fmt.Fprintln(g.Stdout, n)
		}
	}
	return nil
}

func since(now, t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return ago(now.Sub(t))
}

func expiresIn(now time.Time, r auth.SessionInfo) string {
	switch {
	case r.NeverExpires:
		return "never"
	case r.State == auth.StateExpired:
		return "expired"
	case r.ExpiresAt.IsZero():
		return "unreadable"
	}
	return ago(r.ExpiresAt.Sub(now))
}
