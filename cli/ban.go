package cli

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"mudtop/auth"
)

// banJSON is what ban or unban did, for --json.
type banJSON struct {
	Action  string         `json:"action"`
	User    string         `json:"user"`
	Message string         `json:"message"`
	Removed int            `json:"removed"`
	ByRole  map[string]int `json:"by_role"`
}

// cmdBan is the original's POST /admin/user/manage with action ban.
func cmdBan() *command {
	return &command{
		name:     "ban",
		synopsis: "deactivate an account and end its sessions (needs ban_users)",
		usage:    "ban USER [--reason TEXT]",
		about: `Bans USER as the MUD server's POST /admin/user/manage does: the operator
(--session or $MUDTOP_SESSION) needs ban_users, USER must exist (exit 1,
"User 'USER' not found"), must not be the operator's own account (exit 6,
"Cannot manage your own account") and must rank strictly below the
operator (exit 4, "Insufficient permissions to manage user with role
'ROLE'"). Then the account is deactivated (users.is_active = 0) and every
session of it is removed, in one transaction with an audit row carrying
the reason. The server's login then refuses the account ("Account is
deactivated") until 'mudtop unban USER'.`,
		flags: func(fs *pflag.FlagSet) runFunc { return runManage(fs, true) },
	}
}

// cmdUnban is the same route with action unban.
func cmdUnban() *command {
	return &command{
		name:     "unban",
		synopsis: "reactivate a banned account (needs ban_users)",
		usage:    "unban USER [--reason TEXT]",
		about: `Reactivates USER (users.is_active = 1), with the same checks and exit
codes as 'mudtop ban'. Sessions the ban removed do not come back: the
player logs in again. Written to the audit log with the reason.`,
		flags: func(fs *pflag.FlagSet) runFunc { return runManage(fs, false) },
	}
}

func runManage(fs *pflag.FlagSet, ban bool) runFunc {
	reason := fs.String("reason", "", "`TEXT` saying why, written to the audit log")
	return func(ctx context.Context, g *Globals, pos []string) error {
		if err := wantArgs(pos, 1, 1, "USER"); err != nil {
			return err
		}
		token, err := needSession(g)
		if err != nil {
			return err
		}
		return withService(ctx, g, func(s *service) error {
			var res auth.ActionResult
			var err error
			if ban {
				res, err = s.BanUser(ctx, token, pos[0], *reason)
			} else {
				res, err = s.UnbanUser(ctx, token, pos[0], *reason)
			}
			if err != nil {
				return err
			}
			if g.JSON {
				return writeJSON(g.Stdout, banJSON{Action: res.Action, User: pos[0], Message: res.Message,
					Removed: res.Removed, ByRole: nonNil(res.ByRole)})
			}
			fmt.Fprintln(g.Stdout, sanitize(res.Message)+".")
			if ban {
				fmt.Fprintf(g.Stdout, "Removed %s.\n", sanitize(res.Summary()))
			}
			return nil
		})
	}
}
