package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"mudtop/auth"
	"mudtop/demo"
)

// cmdMonitor opens the full-screen monitor (also what plain `mudtop` does).
func cmdMonitor() *command {
	return &command{
		name:     "monitor",
		synopsis: "the live session monitor (the default command)",
		usage:    "[monitor] [--db FILE] [--session ID] [--read-only] [--config FILE]",
		about: `Opens the full-screen monitor on the database: live counts, the sessions
table, details, roles and the audit log, with guarded kicks and clear-all.
Without --session (or $MUDTOP_SESSION) it starts on a login form. The
operator needs the view_logs permission (admin or superuser). Needs a
terminal; for scripts use 'mudtop sessions'.`,
		flags: noFlags(func(ctx context.Context, g *Globals, pos []string) error {
			if err := wantArgs(pos, 0, 0, ""); err != nil {
				return err
			}
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			s, err := openService(ctx, g, cfg)
			if err != nil {
				return err
			}
			err = runMonitor(ctx, g, s.Service, g.Session)
			if cerr := s.close(); err == nil && cerr != nil {
				err = fmt.Errorf("close database: %w", cerr)
			}
			return err
		}),
	}
}

// cmdDemo hands its arguments to the demo, which parses its own flags.
func cmdDemo() *command {
	return &command{
		name:     "demo",
		synopsis: "a simulated game server in a temporary database, with the monitor",
		usage:    "demo [--db FILE] [--headless] [--rate N] [--users N]",
		about: `Runs a simulated MUD server (logins, character selection, activity, logouts)
in a temporary database and opens the monitor on it as a demo superuser.
Run 'mudtop demo --help' for its flags.`,
		rawArgs: true,
		flags: noFlags(func(ctx context.Context, g *Globals, args []string) error {
			err := demo.Run(ctx, demo.Env{
				DB: explicitDB(g), Stderr: g.Stderr, Getenv: g.Getenv,
				Monitor: func(ctx context.Context, svc *auth.Service, token string) error {
					return runMonitor(ctx, g, svc, token)
				},
			}, args)
			if errors.Is(err, flag.ErrHelp) {
				return errHelpShown
			}
			return err
		}),
	}
}

// explicitDB returns the global --db when it differs from the defaults the
// CLI fills in, i.e. when the user named a file for this run.
func explicitDB(g *Globals) string {
	getenv := g.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	switch g.DB {
	case "", "data/mud.db", getenv("MUD_DB_PATH"):
		return ""
	}
	return g.DB
}
