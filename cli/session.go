package cli

import (
	"context"

	"fmt"
	"github.com/spf13/pflag"

	"mudtop/auth"
)

// identityJSON is who a session belongs to, as login and validate print it.
type identityJSON struct {
	UserID        int64  `json:"user_id"`
	Username      string `json:"username"`
	Role          string `json:"role"`
	CharacterID   int64  `json:"character_id,omitempty"`
	CharacterName string `json:"character_name,omitempty"`
	WorldID       string `json:"world_id,omitempty"`
}

func toIdentityJSON(id auth.Identity) identityJSON {
	return identityJSON{UserID: id.UserID, Username: id.Username, Role: id.Role}
}

// cmdLogin creates a session, as the server's login does.
func cmdLogin() *command {
	return &command{
		name:     "login",
		synopsis: "log in and print the new session id",
		usage:    "login USER [--client TYPE]",
		about: `Checks USER's password and creates a session, exactly as the MUD server's
login does (single-session rule, TTL). The password comes from
$MUDTOP_PASSWORD, else it is read from the terminal without echo (or one
line from standard input when that is not a terminal). Prints only the new
session id, so that  export MUDTOP_SESSION=$(mudtop login alice)  works.
This is the one place a whole session id is ever printed: treat it as a
password.`,
		flags: runLogin,
	}
}

func runLogin(fs *pflag.FlagSet) runFunc {
	client := fs.String("client", "cli", "client `TYPE` recorded on the session")
	return func(ctx context.Context, g *Globals, pos []string) error {
		var err error
		if err := wantArgs(pos, 1, 1, "USER"); err != nil {
			return err
		}
		password := g.Getenv("MUDTOP_PASSWORD")
		if password == "" {
			if password, err = readPassword(ctx, g, pos[0]); err != nil {
				return err
			}
		}
		return withService(ctx, g, func(s *service) error {
			res, err := s.Login(ctx, pos[0], password, *client)
			if err != nil {
				return err
			}
			if res.Replaced > 0 {
				fmt.Fprintf(g.Stderr, "mudtop: %d earlier session(s) of %s removed (one session per user)\n",
					res.Replaced, sanitize(res.Username))
			}
			if g.JSON {
				return writeJSON(g.Stdout, struct {
					SessionID string `json:"session_id"`
					identityJSON
					Replaced int `json:"replaced"`
				}{res.SessionID, toIdentityJSON(res.Identity), res.Replaced})
			}
			_, err = fmt.Fprintln(g.Stdout, res.SessionID)
			return err
		})
	}
}

// cmdLogout removes the operator's own session.
func cmdLogout() *command {
	return &command{
		name:     "logout",
		synopsis: "end a session (--session, or the ID given)",
		usage:    "logout [ID]",
		about: `Validates the session and removes it, as the MUD server's logout does.
The session is ID, else --session / $MUDTOP_SESSION.`,
		flags: noFlags(func(ctx context.Context, g *Globals, pos []string) error {
			token, err := sessionArg(g, pos)
			if err != nil {
				return err
			}
			return withService(ctx, g, func(s *service) error {
				id, err := s.Logout(ctx, token)
				if err != nil {
					return err
				}
				if g.JSON {
					return writeJSON(g.Stdout, toIdentityJSON(id))
				}
				_, err = fmt.Fprintf(g.Stdout, "Logged out %s.\n", sanitize(id.Username))
				return err
			})
		}),
	}
}

// sessionArg parses a command whose only argument is an optional session
// id, falling back to --session.
func sessionArg(g *Globals, pos []string) (string, error) {
	if err := wantArgs(pos, 0, 1, "ID"); err != nil {
		return "", err
	}
	if len(pos) == 1 {
		return pos[0], nil
	}
	return needSession(g)
}

// cmdValidate is validate_session and its two variants.
func cmdValidate() *command {
	return &command{
		name:     "validate",
		synopsis: "check a session and print who it belongs to",
		usage:    "validate [ID] [--game | --permission PERM]",
		about: `Validates a session exactly as the MUD server does (it counts as activity
and renews a sliding expiry) and prints its user and role. With --game the
session must have a character selected (exit 5 otherwise); with
--permission its role must hold PERM (exit 4 otherwise). The session is
ID, else --session / $MUDTOP_SESSION.`,
		flags: runValidate,
	}
}

func runValidate(fs *pflag.FlagSet) runFunc {
	game := fs.Bool("game", false, "require a selected character (validate_session_for_game)")
	perm := fs.String("permission", "", "require this `PERM`, e.g. kick_users")
	return func(ctx context.Context, g *Globals, pos []string) error {
		var err error
		if err := wantArgs(pos, 0, 1, "ID"); err != nil {
			return err
		}
		token := g.Session
		if len(pos) == 1 {
			token = pos[0]
		} else if token, err = needSession(g); err != nil {
			return err
		}
		if *game && *perm != "" {
			return usagef("--game and --permission cannot be combined")
		}
		var p auth.Permission
		if *perm != "" {
			var ok bool
			if p, ok = auth.ParsePermission(*perm); !ok {
				return usagef("unknown permission %q (see 'mudtop roles')", *perm)
			}
		}
		return withService(ctx, g, func(s *service) error {
			var out identityJSON
			switch {
			case *game:
				gi, err := s.ValidateSessionForGame(ctx, token)
				if err != nil {
					return err
				}
				out = toIdentityJSON(gi.Identity)
				out.CharacterID, out.CharacterName, out.WorldID = gi.CharacterID, gi.CharacterName, gi.WorldID
			case p != "":
				id, err := s.ValidateSessionWithPermission(ctx, token, p)
				if err != nil {
					return err
				}
				out = toIdentityJSON(id)
			default:
				id, err := s.ValidateSession(ctx, token)
				if err != nil {
					return err
				}
				out = toIdentityJSON(id)
			}
			if g.JSON {
				return writeJSON(g.Stdout, out)
			}
			fmt.Fprintf(g.Stdout, "user:      %s (id %d)\nrole:      %s\n", sanitize(out.Username), out.UserID, sanitize(out.Role))
			if out.CharacterID != 0 {
				fmt.Fprintf(g.Stdout, "character: %s (id %d)\nworld:     %s\n",
					sanitize(out.CharacterName), out.CharacterID, sanitize(out.WorldID))
			}
			return nil
		})
	}
}
