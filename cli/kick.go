package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/pflag"

	"mudtop/auth"
)

// actionJSON is what a guarded action did, for --json.
type actionJSON struct {
	Action      string         `json:"action"`
	Target      string         `json:"target"`
	Removed     int            `json:"removed"`
	ByRole      map[string]int `json:"by_role"`
	Missing     int            `json:"missing"`
	SelfRemoved bool           `json:"self_removed"`
}

// cmdKick is the guarded kick of one session, a user or a character.
func cmdKick() *command {
	return &command{
		name:     "kick",
		synopsis: "end a session, a user's or character's, or every session in a scope (needs kick_users)",
		usage: "kick ID [--reason TEXT]\nkick --user NAME [--reason TEXT]\nkick --character ID [--reason TEXT]\n" +
			"kick [--filter TEXT] [--world W] [--client C] [--idle-over DURATION] [--role R] [--dry-run] [--yes] [--include-self] [--reason TEXT]",
		about: `Removes sessions as the operator (--session or $MUDTOP_SESSION), who needs
kick_users and must outrank the role of every session removed (an admin
cannot kick an admin or a superuser). ID is a whole session id or the
8-character prefix 'mudtop sessions' shows. --user removes every session
of that user, --character every session bound to that character id.
Kicking your own session logs you out. Each kick, and each refused one, is
written to the audit log with the reason.

A scope (--filter, --world, --client, --idle-over, --role; several are
combined with AND) kicks every session it matches, on every page. It first
prints a preview: how many sessions, by role, which are skipped and why
(your own are kept unless --include-self; sessions of equal or higher rank
are skipped by the rank rule and counted). --dry-run stops there; more
than one session needs --yes. The kick then removes only what the preview
showed and is still there and still matches: a session that logged in
after the preview is never removed. One audit row records the scope, the
counts and the reason. An empty scope is refused: use 'mudtop clear'.`,
		flags: runKick,
	}
}

func runKick(fs *pflag.FlagSet) runFunc {
	user := fs.String("user", "", "kick every session of this `NAME`")
	char := fs.String("character", "", "kick every session bound to this character `ID`")
	reason := fs.String("reason", "", "`TEXT` saying why, written to the audit log")
	sc := addScopeFlags(fs)
	return func(ctx context.Context, g *Globals, pos []string) error {
		var err error
		if err := wantArgs(pos, 0, 1, "ID"); err != nil {
			return err
		}
		if sc.set() {
			if len(pos) > 0 || *user != "" || *char != "" {
				return usagef("a scope (--filter, --world, --client, --idle-over, --role) cannot be combined with a session ID, --user or --character")
			}
			return runKickScope(ctx, g, sc, *reason)
		}
		if sc.modifiers() {
			return usagef("--dry-run, --yes and --include-self go with a scope (--filter, --world, --client, --idle-over, --role)")
		}
		targets := len(pos)
		for _, s := range []string{*user, *char} {
			if s != "" {
				targets++
			}
		}
		if targets != 1 {
			return usagef("name exactly one of: a session ID, --user NAME, --character ID, or a scope")
		}
		var charID int64
		if *char != "" {
			if charID, err = strconv.ParseInt(*char, 10, 64); err != nil || charID <= 0 {
				return usagef("--character %q: want a character id (a positive number)", *char)
			}
		}
		token, err := needSession(g)
		if err != nil {
			return err
		}
		return withService(ctx, g, func(s *service) error {
			var res auth.ActionResult
			var err error
			switch {
			case *user != "":
				res, err = s.KickUser(ctx, token, *user, *reason)
			case charID != 0:
				res, err = s.KickCharacter(ctx, token, charID, *reason)
			default:
				res, err = kickOne(ctx, s, token, pos[0], *reason)
			}
			if err != nil {
				return err
			}
			return writeAction(g, "Kicked", res)
		})
	}
}

// kickOne resolves the id or prefix to the row it names now, then kicks
// exactly that session (the kick re-checks the row under its own lock).
func kickOne(ctx context.Context, s *service, token, id, reason string) (auth.ActionResult, error) {
	ref, err := s.FindSession(ctx, id)
	if err == nil {
		var res auth.ActionResult
		if res, err = s.KickSession(ctx, token, ref, reason); err == nil {
			return res, nil
		}
	}
	switch {
	case errors.Is(err, auth.ErrNotFound):
		return auth.ActionResult{}, fmt.Errorf("session %s not found (already gone?)", auth.ShortID(id))
	case errors.Is(err, auth.ErrAmbiguousID):
		return auth.ActionResult{}, fmt.Errorf("session %s: %w", auth.ShortID(id), err)
	}
	return auth.ActionResult{}, err
}

// cmdClear is the guarded clear-all.
func cmdClear() *command {
	return &command{
		name:     "clear",
		synopsis: "end every session (needs manage_users; asks for --yes)",
		usage:    "clear --yes [--include-self] [--reason TEXT]",
		about: `Removes every session in the database: every player is logged out. The
operator (--session or $MUDTOP_SESSION) needs manage_users (superuser).
The operator's own session is kept unless --include-self is given.
Nothing happens without --yes. Written to the audit log with the reason.`,
		flags: runClear,
	}
}

func runClear(fs *pflag.FlagSet) runFunc {
	yes := fs.Bool("yes", false, "really remove every session")
	self := fs.Bool("include-self", false, "remove the operator's own session too")
	reason := fs.String("reason", "", "`TEXT` saying why, written to the audit log")
	return func(ctx context.Context, g *Globals, pos []string) error {
		var err error
		if err := wantArgs(pos, 0, 0, ""); err != nil {
			return err
		}
		if !*yes {
			return usagef("clear logs out every player; add --yes to confirm")
		}
		token, err := needSession(g)
		if err != nil {
			return err
		}
		return withService(ctx, g, func(s *service) error {
			res, err := s.ClearAll(ctx, token, *self, *reason)
			if err != nil {
				return err
			}
			return writeAction(g, "Cleared", res)
		})
	}
}

// writeAction reports what a guarded action removed.
func writeAction(g *Globals, verb string, res auth.ActionResult) error {
	if g.JSON {
		return writeJSON(g.Stdout, actionJSON{
			Action: res.Action, Target: res.Target, Removed: res.Removed,
			ByRole: nonNil(res.ByRole), Missing: res.Missing, SelfRemoved: res.SelfRemoved,
		})
	}
	fmt.Fprintf(g.Stdout, "%s %s (%s).\n", verb, sanitize(res.Summary()), sanitize(res.Target))
	if res.Missing > 0 {
		fmt.Fprintf(g.Stdout, "%d %s already gone.\n", res.Missing, plural(res.Missing, "session was", "sessions were"))
	}
	if res.SelfRemoved {
		fmt.Fprintln(g.Stdout, "Your own session was among them: you are logged out.")
	}
	return nil
}
