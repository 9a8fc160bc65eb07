package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

const helpGlobals = `Global flags (before or after the command):
  --db FILE        database file (env MUD_DB_PATH, default data/mud.db)
  --session ID     the operator's session id (env MUDTOP_SESSION)
  --json           print data as JSON (sessions, validate, count, roles, ...)
  --config FILE    monitor config: keys, theme, interval
                   (default $XDG_CONFIG_HOME/mudtop/config.toml)
  --read-only      open the database read-only; every action fails
`

const helpEnv = `Environment:
  MUD_DB_PATH                        database file (default data/mud.db)
  MUD_SESSION_TTL_MINUTES            session lifetime, 0 = never expires (480)
  MUD_SESSION_SLIDING_EXPIRATION     renew expiry on each validation (true)
  MUD_SESSION_ALLOW_MULTIPLE         several sessions per user (false)
  MUD_SESSION_ACTIVE_WINDOW_MINUTES  window of the active count, 0 = off (30)
  MUDTOP_ACTIVITY_FLUSH_MS           monitor/demo activity write-behind (1000)
  MUDTOP_SESSION                     default for --session
  MUDTOP_PASSWORD                    password for 'mudtop login'
  MUDTOP_ADMIN_PASSWORD              superuser password for 'mudtop init'
  NO_COLOR                           any value: the monitor draws without colour
`

const helpExit = `Exit codes:
  0 ok   1 failure   2 usage   3 not logged in (401)
  4 not allowed (403)   5 no character selected (409)
`

// writeMainHelp is `mudtop --help`.
func writeMainHelp(w io.Writer) {
	fmt.Fprint(w, `mudtop: top for a MUD server's login sessions.

Usage:
  mudtop [global flags] [command] [flags] [arguments]

With no command, mudtop opens the live monitor.

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.synopsis)
	}
	fmt.Fprint(w, "  help      help for a command: mudtop help kick\n\n")
	fmt.Fprint(w, helpGlobals+"\n"+helpEnv+"\n"+helpExit)
	fmt.Fprint(w, "\nRun 'mudtop COMMAND --help' for a command's flags.\n")
}

// writeCommandHelp is `mudtop CMD --help`: usage, what it does, its own
// flags, then the shared flags, environment and exit codes.
func writeCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintln(w, "Usage:")
	for _, u := range strings.Split(c.usage, "\n") {
		fmt.Fprintln(w, "  mudtop "+u)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, strings.TrimSpace(c.about))
	own := commandFlags(fs)
	if own != "" {
		fmt.Fprint(w, "\nFlags:\n"+own)
	}
	fmt.Fprint(w, "\n"+helpGlobals+"\n"+helpEnv+"\n"+helpExit)
}

// commandFlags prints the flags a command adds to the global ones.
func commandFlags(fs *flag.FlagSet) string {
	global := flag.NewFlagSet("", flag.ContinueOnError)
	addGlobalFlags(global, &Globals{})
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		if global.Lookup(f.Name) != nil {
			return
		}
		name, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if name != "" {
			left += " " + name
		}
		fmt.Fprintf(&b, "  %-20s %s", left, usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	return b.String()
}

// runHelp is `mudtop help [CMD]`.
func runHelp(g *Globals, args []string) int {
	if len(args) == 0 {
		writeMainHelp(g.Stdout)
		return exitOK
	}
	c := findCommand(args[0])
	if c == nil {
		return report(g, "", usagef("unknown command %q", args[0]))
	}
	// Running the command with --help prints its help with its flags.
	if err := c.run(context.Background(), g, c, []string{"--help"}); err != nil && err != errHelpShown {
		return report(g, c.name, err)
	}
	return exitOK
}
