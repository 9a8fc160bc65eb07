package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"mudtop/auth"
)

// cmdGrants answers who may do what, and why, from the accounts behind the
// role table.
func cmdGrants() *command {
	return &command{
		name:     "grants",
		synopsis: "who holds a permission, what an account may do, and grant findings (needs view_logs)",
		usage:    "grants [--limit N] [--offset N]\ngrants --permission P [--limit N] [--offset N]\ngrants --user NAME [--permission P]",
		about: `Verifies permission grants against the accounts in the database, by the MUD
server's own rules (a stored role is lowercased before matching; a role
that is not one of the four holds nothing; superuser holds everything
through full_access). The operator (--session or $MUDTOP_SESSION) needs
view_logs.

With no flag it lists findings, each explained in one line: role strings
outside the four, superusers not created by the server's bootstrap
(account_origin other than 'system'), deactivated or tombstoned accounts
that still hold sessions, expired guests with sessions, and sessions bound
to a world the account has no access to.

--permission P lists every account holding P: username, role as stored,
how it holds P, account state, last login and live sessions.

--user NAME shows the permissions the account holds and lacks, the worlds
granted to it, which of mudtop's actions it may take over which roles,
and its findings (with --permission, first whether it holds P).

Permissions: ` + strings.Join(permissionNames(), ", "),
		flags: runGrants,
	}
}

func permissionNames() []string {
	out := make([]string, len(auth.Permissions))
	for i, p := range auth.Permissions {
		out[i] = string(p)
	}
	return out
}

func runGrants(fs *pflag.FlagSet) runFunc {
	perm := fs.String("permission", "", "list the accounts holding `P`")
	user := fs.String("user", "", "show what the account `NAME` may do")
	limit := fs.Int("limit", 50, "show at most `N` rows; 0 shows all")
	offset := fs.Int("offset", 0, "skip the first `N` rows")
	return func(ctx context.Context, g *Globals, pos []string) error {
		if err := wantArgs(pos, 0, 0, ""); err != nil {
			return err
		}
		var p auth.Permission
		if *perm != "" {
			var ok bool
			if p, ok = auth.ParsePermission(*perm); !ok {
				return usagef("unknown permission %q (want one of %s)", *perm, strings.Join(permissionNames(), ", "))
			}
		}
		if *limit < 0 || *offset < 0 {
			return usagef("--limit and --offset must be 0 or more")
		}
		token, err := needSession(g)
		if err != nil {
			return err
		}
		return withService(ctx, g, func(s *service) error {
			if *user != "" {
				ug, err := s.UserGrants(ctx, token, *user)
				if err != nil {
					return err
				}
				return writeUserGrants(g, ug, p)
			}
			scr, err := readGrants(ctx, s, token, auth.GrantsQuery{Permission: p, Offset: *offset, Limit: *limit})
			if err != nil {
				return err
			}
			if scr.Holders != nil {
				return writeHolders(g, *scr.Holders)
			}
			return writeFindings(g, scr.Findings)
		})
	}
}

// readGrants reads one page, or every page (each its own short read) when
// the limit is 0.
func readGrants(ctx context.Context, s *service, token string, gq auth.GrantsQuery) (auth.GrantsScreen, error) {
	if gq.Limit > 0 {
		return s.Grants(ctx, token, gq)
	}
	gq.Limit = pageSize
	out, err := s.Grants(ctx, token, gq)
	for n := pageLen(out); err == nil && n == pageSize; {
		gq.Offset += pageSize
		var next auth.GrantsScreen
		if next, err = s.Grants(ctx, token, gq); err != nil {
			break
		}
		if out.Holders != nil {
			out.Holders.Holders = append(out.Holders.Holders, next.Holders.Holders...)
		} else {
			out.Findings.Findings = append(out.Findings.Findings, next.Findings.Findings...)
		}
		n = pageLen(next)
	}
	return out, err
}

func pageLen(s auth.GrantsScreen) int {
	if s.Holders != nil {
		return len(s.Holders.Holders)
	}
	return len(s.Findings.Findings)
}

func writeFindings(g *Globals, fp auth.FindingsPage) error {
	if g.JSON {
		return writeJSON(g.Stdout, toFindingsJSON(fp))
	}
	if fp.Total == 0 {
		fmt.Fprintln(g.Stdout, "No findings: every account's role, state and sessions agree with its grants.")
		return nil
	}
	var parts []string
	for _, k := range auth.FindingKinds {
		if n := fp.ByKind[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, auth.FindingKindName(k)))
		}
	}
	shown := fmt.Sprintf("showing %d-%d", fp.Offset+1, fp.Offset+len(fp.Findings))
	if len(fp.Findings) == 0 {
		shown = "none shown"
	}
	fmt.Fprintf(g.Stdout, "%d %s (%s); %s\n\n", fp.Total, plural(fp.Total, "finding", "findings"), strings.Join(parts, ", "), shown)
	for _, f := range fp.Findings {
		fmt.Fprintf(g.Stdout, "! %s (%s): %s\n", quoteName(f.Username), sanitize(displayRole(f.Role)), sanitize(f.Text))
	}
	return nil
}

func writeHolders(g *Globals, hp auth.HoldersPage) error {
	if g.JSON {
		return writeJSON(g.Stdout, toHoldersJSON(hp))
	}
	fmt.Fprintf(g.Stdout, "%d %s %s %s", hp.Total, plural(hp.Total, "account", "accounts"), plural(hp.Total, "holds", "hold"), hp.Permission)
	if len(hp.Holders) > 0 && len(hp.Holders) < hp.Total {
		fmt.Fprintf(g.Stdout, "; showing %d-%d", hp.Offset+1, hp.Offset+len(hp.Holders))
	}
	fmt.Fprint(g.Stdout, "\n\n")
	t := &table{headers: []string{"USER", "ROLE", "VIA", "STATE", "LAST LOGIN", "SESSIONS"}, max: []int{20, 14, 12, 11, 19, 8}}
	for _, h := range hp.Holders {
		last := h.LastLogin
		if last == "" {
			last = "never"
		}
		t.add(h.Username, displayRole(h.Role), h.Via, string(h.State), last, fmt.Sprint(h.Sessions))
	}
	return t.write(g.Stdout)
}

func writeUserGrants(g *Globals, ug auth.UserGrants, p auth.Permission) error {
	if g.JSON {
		return writeJSON(g.Stdout, toUserGrantsJSON(ug, p))
	}
	w := g.Stdout
	if p != "" {
		verb := "lacks"
		if slices.Contains(ug.Holds, p) {
			verb = "holds"
		}
		fmt.Fprintf(w, "%s %s %s.\n\n", quoteName(ug.Username), verb, p)
	}
	role := fmt.Sprintf("%q", sanitize(ug.Role))
	switch {
	case ug.Role == "":
		role = "(empty)"
	case !ug.Known:
		role += ", not one of the four: holds nothing"
	case string(ug.Effective) != ug.Role:
		role += fmt.Sprintf(", matched as %s", ug.Effective)
	}
	last := ug.LastLogin
	if last == "" {
		last = "never"
	}
	fmt.Fprintf(w, "user      %s\nrole      %s (rank %d)\nstate     %s\nlast login %s\nsessions  %d live\n",
		quoteName(ug.Username), role, ug.Level, ug.State, sanitize(last), ug.Sessions)
	fmt.Fprintf(w, "holds     %s\nlacks     %s\n", joinPerms(ug.Holds), joinPerms(ug.Lacks))
	worlds := "none granted in world_permissions"
	if len(ug.Worlds) > 0 {
		worlds = sanitize(strings.Join(ug.Worlds, ", "))
	}
	fmt.Fprintf(w, "worlds    %s\n\nIn mudtop it:\n", worlds)
	for _, a := range ug.Actions {
		fmt.Fprintf(w, "  %s\n", a)
	}
	if len(ug.Findings) > 0 {
		fmt.Fprintln(w, "\nFindings:")
		for _, f := range ug.Findings {
			fmt.Fprintf(w, "  ! %s\n", sanitize(f.Text))
		}
	}
	return nil
}

func joinPerms(ps []auth.Permission) string {
	if len(ps) == 0 {
		return "nothing"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

func displayRole(r string) string {
	if r == "" {
		return "(empty)"
	}
	return r
}

// quoteName shows a username sanitised, quoted when it has spaces at its
// ends (which would otherwise be invisible).
func quoteName(s string) string {
	s = sanitize(s)
	if s == "" || strings.TrimSpace(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}
