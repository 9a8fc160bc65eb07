package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"mudtop/auth"
	"mudtop/storage"
)

// Exit codes. Scripts branch on them, so they never change meaning: the
// auth refusals map one to one onto the original's HTTP statuses.
const (
	exitOK           = 0
	exitFailure      = 1
	exitUsage        = 2
	exitUnauthorized = 3 // 401
	exitForbidden    = 4 // 403
	exitConflict     = 5 // 409
)

// command is one sub-command: its help text and the function that runs it.
// Each run function builds its own FlagSet with newFlags, so `CMD --help`
// and bad flags are handled in one place.
type command struct {
	name     string
	synopsis string // one line for `mudtop --help`
	usage    string // the usage line(s), without "mudtop "
	about    string // what it does, when to use it, what it prints
	run      func(ctx context.Context, g *Globals, c *command, args []string) error
}

// commands is the table of sub-commands, in the order `mudtop --help`
// lists them. It is built by a function, not kept in a package variable.
func commands() []*command {
	return []*command{
		cmdMonitor(), cmdDemo(), cmdInit(), cmdLogin(), cmdLogout(), cmdValidate(),
		cmdCount(), cmdSessions(), cmdKick(), cmdClear(), cmdRoles(), cmdCleanup(),
	}
}

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usageError is a mistake in how mudtop was called: exit 2, with a pointer
// to the help.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// errHelpShown means --help was answered: nothing failed.
var errHelpShown = errors.New("help shown")

// run is mudtop: it parses the global flags, picks the sub-command (the
// monitor when there is none) and turns its error into a message on stderr
// and an exit code. It never panics on bad input and never prints a stack.
func run(ctx context.Context, args []string, g *Globals) int {
	setDefaults(g)
	fs := flag.NewFlagSet("mudtop", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addGlobalFlags(fs, g)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeMainHelp(g.Stdout)
			return exitOK
		}
		return report(g, "", &usageError{err.Error()})
	}
	noteDBFlag(fs, g)
	rest := fs.Args()
	name := "monitor"
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if name == "help" {
		return runHelp(g, rest)
	}
	c := findCommand(name)
	if c == nil {
		return report(g, "", usagef("unknown command %q", name))
	}
	err := c.run(ctx, g, c, rest)
	if errors.Is(err, errHelpShown) {
		return exitOK
	}
	return report(g, c.name, err)
}

// setDefaults fills the global flags' defaults from the environment, so
// flags parsed later override them.
func setDefaults(g *Globals) {
	if g.Getenv == nil {
		g.Getenv = func(string) string { return "" }
	}
	if g.Stdout == nil {
		g.Stdout = io.Discard
	}
	if g.Stderr == nil {
		g.Stderr = io.Discard
	}
	if g.Stdin == nil {
		g.Stdin = strings.NewReader("")
	}
	if g.DB == "" {
		g.DB = g.Getenv("MUD_DB_PATH")
	}
	if g.DB == "" {
		g.DB = filepath.Join("data", "mud.db")
	}
	if g.Session == "" {
		g.Session = g.Getenv("MUDTOP_SESSION")
	}
	if g.Config == "" {
		g.Config = defaultConfigPath(g.Getenv)
	}
}

// defaultConfigPath follows the XDG base directory convention.
func defaultConfigPath(getenv func(string) string) string {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "mudtop", "config.toml")
}

// addGlobalFlags registers the shared flags on fs. Every FlagSet gets them,
// so they are accepted before and after the sub-command's name.
func addGlobalFlags(fs *flag.FlagSet, g *Globals) {
	fs.StringVar(&g.DB, "db", g.DB, "database `file` (env MUD_DB_PATH, default data/mud.db)")
	fs.StringVar(&g.Session, "session", g.Session, "the operator's session `id` (env MUDTOP_SESSION)")
	fs.BoolVar(&g.JSON, "json", g.JSON, "print data as JSON")
	fs.StringVar(&g.Config, "config", g.Config, "config `file` for the monitor's keys, theme and interval")
	fs.BoolVar(&g.ReadOnly, "read-only", g.ReadOnly, "open the database read-only (actions fail; nothing is written)")
}

// newFlags is a sub-command's FlagSet with the global flags on it.
func newFlags(g *Globals, c *command) *flag.FlagSet {
	fs := flag.NewFlagSet("mudtop "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addGlobalFlags(fs, g)
	return fs
}

// parseFlags parses flags and positional arguments in any order (the
// standard library stops at the first positional one), answers --help, and
// turns flag mistakes into usage errors. After "--" everything is
// positional.
func parseFlags(g *Globals, c *command, fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				writeCommandHelp(g.Stdout, c, fs)
				return nil, errHelpShown
			}
			return nil, &usageError{err.Error()}
		}
		noteDBFlag(fs, g)
		rest := fs.Args()
		used := len(args) - len(rest)
		if used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// noteDBFlag records whether --db was given explicitly.
func noteDBFlag(fs *flag.FlagSet, g *Globals) {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "db" {
			g.DBFlag = true
		}
	})
}

// wantArgs checks the number of positional arguments.
func wantArgs(pos []string, min, max int, what string) error {
	switch {
	case len(pos) < min:
		return usagef("missing %s", what)
	case len(pos) > max:
		return usagef("unexpected argument %q", pos[max])
	}
	return nil
}

// report prints err and returns the exit code. Auth refusals print their
// detail text as the original's API returns it, so scripts can match it;
// everything else is one sentence saying what failed.
func report(g *Globals, name string, err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		cmd := "mudtop"
		if name != "" {
			cmd += " " + name
		}
		fmt.Fprintf(g.Stderr, "%s: %s\nRun '%s --help' for usage.\n", cmd, oneLine(ue.msg), cmd)
		return exitUsage
	}
	if st := auth.Status(err); st != 0 {
		fmt.Fprintln(g.Stderr, oneLine(err.Error()))
		switch st {
		case 401:
			return exitUnauthorized
		case 403:
			return exitForbidden
		case 409:
			return exitConflict
		}
		return exitFailure
	}
	fmt.Fprintln(g.Stderr, "mudtop: "+oneLine(explain(err)))
	return exitFailure
}

// explain adds what the user can do about the database conditions people
// actually hit.
func explain(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, storage.ErrBusy):
		return msg + " (another process held the database lock past the busy timeout; nothing was changed, try again)"
	case errors.Is(err, storage.ErrReadOnly):
		return msg + " (the database or its directory is not writable, or --read-only is set; nothing was changed)"
	}
	return msg
}

// oneLine makes a message safe and single-line for stderr: error texts can
// carry database strings (usernames) and driver output.
func oneLine(s string) string {
	return strings.Join(strings.Fields(sanitize(s)), " ")
}
