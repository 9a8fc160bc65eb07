package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"mudtop/auth"
)

// scopeFlags are kick's flags for a kick by scope.
type scopeFlags struct {
	filter, world, client, role *string
	idleOver                    *string
	includeSelf, dryRun, yes    *bool
}

func addScopeFlags(fs *pflag.FlagSet) *scopeFlags {
	return &scopeFlags{
		filter:      fs.String("filter", "", "kick every session whose user, character, world, client or role contains `TEXT` (as the monitor's filter)"),
		world:       fs.String("world", "", "kick every session in world `W`"),
		client:      fs.String("client", "", "kick every session of client type `C`"),
		role:        fs.String("role", "", "kick every session whose user has role `R`"),
		idleOver:    fs.String("idle-over", "", "kick every session idle longer than `DURATION` (30m, 2h, 1d)"),
		includeSelf: fs.Bool("include-self", false, "with a scope: remove your own sessions too (they are kept otherwise)"),
		dryRun:      fs.Bool("dry-run", false, "with a scope: print what would be kicked and remove nothing"),
		yes:         fs.Bool("yes", false, "with a scope: really kick, when more than one session matches"),
	}
}

// set reports whether any scope condition was given.
func (f *scopeFlags) set() bool {
	return *f.filter != "" || *f.world != "" || *f.client != "" || *f.role != "" || *f.idleOver != ""
}

// modifiers reports whether a flag that only means something with a scope
// was given.
func (f *scopeFlags) modifiers() bool { return *f.includeSelf || *f.dryRun || *f.yes }

func (f *scopeFlags) scope() (auth.KickScope, error) {
	k := auth.KickScope{Filter: *f.filter, World: *f.world, Client: *f.client, Role: *f.role, IncludeSelf: *f.includeSelf}
	if *f.idleOver != "" {
		d, err := parseIdle(*f.idleOver)
		if err != nil {
			return k, err
		}
		k.IdleOver = d
	}
	return k, nil
}

// parseIdle reads a duration as Go writes it, plus whole days ("2d").
func parseIdle(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if rest, ok := strings.CutSuffix(s, "d"); err != nil && ok {
		var days int
		if _, serr := fmt.Sscanf(rest, "%d", &days); serr == nil && fmt.Sprint(days) == rest {
			d, err = time.Duration(days)*24*time.Hour, nil
		}
	}
	if err != nil || d <= 0 {
		return 0, usagef("--idle-over %q: want a positive duration such as 30m, 2h or 1d", s)
	}
	return d, nil
}

// previewJSON is a scoped kick's preview and outcome, for --json.
type previewJSON struct {
	Scope             string         `json:"scope"`
	Matched           int            `json:"matched"`
	Targets           int            `json:"targets"`
	ByRole            map[string]int `json:"by_role"`
	SkippedSelf       int            `json:"skipped_self"`
	SkippedRank       int            `json:"skipped_rank"`
	SkippedRankByRole map[string]int `json:"skipped_rank_by_role"`
	SelfLogout        bool           `json:"self_logout"`
	DryRun            bool           `json:"dry_run"`
	Result            *actionJSON    `json:"result,omitempty"`
	ResultSkippedRank int            `json:"result_skipped_rank,omitempty"`
}

// runKickScope previews a kick by scope, and kicks when allowed to: more
// than one target needs --yes, and --dry-run never removes anything.
func runKickScope(ctx context.Context, g *Globals, f *scopeFlags, reason string) error {
	k, err := f.scope()
	if err != nil {
		return err
	}
	token, err := needSession(g)
	if err != nil {
		return err
	}
	return withService(ctx, g, func(s *service) error {
		p, err := s.PreviewKick(ctx, token, k)
		if err != nil {
			return err
		}
		pj := previewJSON{Scope: k.String(), Matched: p.Matched, Targets: len(p.Targets), ByRole: nonNil(p.ByRole),
			SkippedSelf: p.SkippedSelf, SkippedRank: p.SkippedRank, SkippedRankByRole: nonNil(p.SkippedRankByRole),
			SelfLogout: p.SelfLogout, DryRun: *f.dryRun}
		if !g.JSON {
			writePreview(g, p)
		}
		switch {
		case *f.dryRun || len(p.Targets) == 0:
			if g.JSON {
				return writeJSON(g.Stdout, pj)
			}
			if len(p.Targets) == 0 {
				fmt.Fprintln(g.Stdout, "Nothing to kick.")
			} else {
				fmt.Fprintln(g.Stdout, "Nothing removed (--dry-run).")
			}
			return nil
		case len(p.Targets) > 1 && !*f.yes:
			if g.JSON {
				if err := writeJSON(g.Stdout, pj); err != nil {
					return err
				}
			}
			return usagef("%d sessions match: add --yes to kick them, or --dry-run to only preview", len(p.Targets))
		}
		res, err := s.KickScoped(ctx, token, p, reason)
		if err != nil {
			return err
		}
		if g.JSON {
			pj.Result = &actionJSON{Action: res.Action, Target: res.Target, Removed: res.Removed,
				ByRole: nonNil(res.ByRole), Missing: res.Missing, SelfRemoved: res.SelfRemoved}
			pj.ResultSkippedRank = res.SkippedRank
			return writeJSON(g.Stdout, pj)
		}
		fmt.Fprintf(g.Stdout, "Kicked %s.\n", sanitize(res.Summary()))
		if res.Missing > 0 {
			fmt.Fprintf(g.Stdout, "%d %s gone or no longer matched when the kick ran.\n", res.Missing, plural(res.Missing, "session was", "sessions were"))
		}
		if res.SkippedRank > 0 {
			fmt.Fprintf(g.Stdout, "%d skipped by the rank rule at the moment of the kick.\n", res.SkippedRank)
		}
		if res.SelfRemoved {
			fmt.Fprintln(g.Stdout, "Your own session was among them: you are logged out.")
		}
		return nil
	})
}

// writePreview prints what a kick by scope would do.
func writePreview(g *Globals, p auth.KickPreview) {
	w := g.Stdout
	fmt.Fprintf(w, "Scope: %s\n", sanitize(p.Scope.String()))
	fmt.Fprintf(w, "Would kick %s.\n", sanitize(auth.SummarizeByRole(len(p.Targets), p.ByRole)))
	for _, s := range p.Sample {
		fmt.Fprintf(w, "  %s\n", sanitize(s))
	}
	if n := len(p.Targets) - len(p.Sample); n > 0 {
		fmt.Fprintf(w, "  and %d more\n", n)
	}
	if p.SkippedSelf > 0 {
		fmt.Fprintf(w, "Kept: %d of your own (--include-self removes them too).\n", p.SkippedSelf)
	}
	if p.SkippedRank > 0 {
		fmt.Fprintf(w, "Skipped by the rank rule (equal or higher rank): %s.\n", sanitize(byRoleList(p.SkippedRankByRole)))
	}
	if p.SelfLogout {
		fmt.Fprintln(w, "This removes your own session: you will be logged out.")
	}
}

func byRoleList(m map[string]int) string {
	roles := make([]string, 0, len(m))
	for r := range m {
		roles = append(roles, r)
	}
	sort.Slice(roles, func(i, j int) bool {
		if li, lj := auth.RoleLevel(roles[i]), auth.RoleLevel(roles[j]); li != lj {
			return li < lj
		}
		return roles[i] < roles[j]
	})
	parts := make([]string, len(roles))
	for i, r := range roles {
		parts[i] = fmt.Sprintf("%d %s", m[r], displayRole(r))
	}
	return strings.Join(parts, ", ")
}
