package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"charm.land/fang/v2"
	"github.com/spf13/pflag"

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
	// exitBadRequest is a request the server refuses as malformed (400):
	// naming your own account in ban, a username outside 2-20 characters.
	// Like a usage error it will not succeed if retried, but it is the
	// server's refusal, not a mistake in the command line.
	exitBadRequest = 6
)

// command is one sub-command: its help text, and its flags function, which
// declares the command's own flags and returns what runs it. The cobra
// command is built from it (root.go), so help, completion and the man page
// are made from the same declarations that parse.
type command struct {
	name     string
	synopsis string // one line for `mudtop --help`
	usage    string // the usage line(s), without "mudtop "
	about    string // what it does, when to use it, what it prints
	flags    func(fs *pflag.FlagSet) runFunc
	// rawArgs hands every argument to run unparsed: the demo parses its
	// own flags (and answers its own --help).
	rawArgs bool
	// subs are the commands of a group (keys add, keys list, ...); a group
	// runs nothing itself.
	subs []*command
	// group is the name of the group a sub-command is in ("keys"), for
	// messages that name the whole command.
	group string
}

// fullName is the command as typed after "mudtop": "count", "keys add".
func (c *command) fullName() string {
	if c.group != "" {
		return c.group + " " + c.name
	}
	return c.name
}

// runFunc runs a command with its positional arguments, after the flags
// (its own and the global ones in Globals) have been parsed.
type runFunc func(ctx context.Context, g *Globals, pos []string) error

// commands is the table of sub-commands, in the order `mudtop --help`
// lists them. It is built by a function, not kept in a package variable.
func commands() []*command {
	return []*command{
		cmdMonitor(), cmdDemo(), cmdInit(), cmdLogin(), cmdLogout(), cmdValidate(),
		cmdCount(), cmdSessions(), cmdGrants(), cmdKick(), cmdBan(), cmdUnban(), cmdClear(), cmdRoles(), cmdCleanup(),
		cmdKeys(), cmdServe(),
	}
}

// usageError is a mistake in how mudtop was called: exit 2, with a pointer
// to the help.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// errHelpShown means --help was answered: nothing failed.
var errHelpShown = errors.New("help shown")

// run is mudtop: it builds the command tree over g, lets cobra (styled by
// fang) parse the arguments and run the sub-command (the monitor when there
// is none), and turns its error into a message on stderr and an exit code.
// It never panics on bad input and never prints a stack.
func run(ctx context.Context, args []string, g *Globals) int {
	setDefaults(g)
	code := exitOK
	root := newRoot(g)
	root.SetArgs(args)
	root.SetIn(g.Stdin)
	out := g.Stdout
	if g.Getenv("NO_COLOR") != "" {
		// fang's colour detection accepts only values that parse as
		// true; the convention is any non-empty value. A writer that is
		// not a terminal file gets plain help.
		out = plainWriter{out}
	}
	root.SetOut(out)
	root.SetErr(g.Stderr)
	version, commit := buildVersion()
	_ = fang.Execute(ctx, root,
		fang.WithVersion(version), fang.WithCommit(commit),
		fang.WithErrorHandler(func(_ io.Writer, _ fang.Styles, err error) {
			code = reportCobra(g, err)
		}))
	return code
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
		case 400:
			return exitBadRequest
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

// plainWriter hides the terminal behind a writer, so help drawn on it is
// plain text.
type plainWriter struct{ w io.Writer }

func (p plainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }
