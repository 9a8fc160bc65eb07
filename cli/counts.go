package cli

import (
	"context"
	"fmt"
	"github.com/spf13/pflag"
)

// cmdCount is get_active_session_count, open to anyone like the server's
// health endpoint.
func cmdCount() *command {
	return &command{
		name:     "count",
		synopsis: "print the active session count (no session needed)",
		usage:    "count",
		about: `Prints the number of active sessions exactly as the MUD server counts them
(not expired, and active within MUD_SESSION_ACTIVE_WINDOW_MINUTES). Needs
no session, like the server's health endpoint. Reads only.`,
		flags: noFlags(func(ctx context.Context, g *Globals, pos []string) error {
			if err := wantArgs(pos, 0, 0, ""); err != nil {
				return err
			}
			return withService(ctx, g, func(s *service) error {
				n, err := s.ActiveSessionCount(ctx)
				if err != nil {
					return err
				}
				if g.JSON {
					return writeJSON(g.Stdout, struct {
						Active int `json:"active"`
					}{n})
				}
				_, err = fmt.Fprintln(g.Stdout, n)
				return err
			})
		}),
	}
}

// cmdCleanup is cleanup_expired_sessions.
func cmdCleanup() *command {
	return &command{
		name:     "cleanup",
		synopsis: "delete expired sessions and print how many",
		usage:    "cleanup",
		about: `Deletes the sessions whose expiry has passed, exactly as the MUD server's
cleanup does (rows whose expires_at cannot be read are kept), and prints
how many it removed. Needs no session: it removes nothing a validation
would not also remove.`,
		flags: noFlags(func(ctx context.Context, g *Globals, pos []string) error {
			if err := wantArgs(pos, 0, 0, ""); err != nil {
				return err
			}
			return withService(ctx, g, func(s *service) error {
				n, err := s.CleanupExpiredSessions(ctx)
				if err != nil {
					return err
				}
				if g.JSON {
					return writeJSON(g.Stdout, struct {
						Removed int `json:"removed"`
					}{n})
				}
				_, err = fmt.Fprintf(g.Stdout, "Removed %d expired %s.\n", n, plural(n, "session", "sessions"))
				return err
			})
		}),
	}
}

// noFlags is the flags function of a command with no flags of its own.
func noFlags(run runFunc) func(*pflag.FlagSet) runFunc {
	return func(*pflag.FlagSet) runFunc { return run }
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
