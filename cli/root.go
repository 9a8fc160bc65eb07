package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// cmdError carries a sub-command's error to the error handler with the
// command's name, so a usage error points at that command's help.
type cmdError struct {
	name string
	err  error
}

func (e *cmdError) Error() string { return e.err.Error() }
func (e *cmdError) Unwrap() error { return e.err }

// newRoot builds the cobra tree over g. Global flags are persistent flags
// of the root, bound to g's fields (whose defaults setDefaults took from the
// environment), so they are accepted before or after the command's name.
func newRoot(g *Globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "mudtop",
		Short: "top for a MUD server's login sessions",
		Long: "mudtop: top for a MUD server's login sessions.\n\n" +
			"With no command, mudtop opens the live monitor.\n\n" + helpEnv + "\n" + helpExit,
		// No Args: with sub-commands, cobra then refuses an unknown
		// command's name instead of handing it to the monitor.
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.DB, "db", g.DB, "database file (env MUD_DB_PATH)")
	pf.StringVar(&g.Session, "session", g.Session, "the operator's session id (env MUDTOP_SESSION)")
	pf.BoolVar(&g.JSON, "json", g.JSON, "print data as JSON (sessions, validate, count, roles, ...)")
	pf.StringVar(&g.Config, "config", g.Config, "the monitor's config file: keys, theme, interval")
	pf.BoolVar(&g.ReadOnly, "read-only", g.ReadOnly, "open the database read-only; every action fails")
	_ = root.MarkPersistentFlagFilename("db", "db", "sqlite", "sqlite3")
	_ = root.MarkPersistentFlagFilename("config", "toml")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdError{commandName(c), &usageError{flagError(err)}}
	})
	// The monitor's own flags are the root's (plain `mudtop` is the monitor).
	monitorRun := cmdMonitor().flags(root.Flags())
	root.RunE = func(cmd *cobra.Command, args []string) error {
		return runCommand(cmd, g, cmdMonitor(), monitorRun, args)
	}
	for _, c := range commands() {
		root.AddCommand(newCobraCommand(g, c))
	}
	return root
}

// newCobraCommand turns one command into a cobra command: its help text,
// its flags (declared once, by c.flags) and its completions.
func newCobraCommand(g *Globals, c *command) *cobra.Command {
	cc := &cobra.Command{
		Use:                useLine(c),
		Short:              c.synopsis,
		Long:               strings.TrimSpace(c.about) + "\n\n" + helpEnv + "\n" + helpExit,
		Example:            "mudtop " + strings.ReplaceAll(c.usage, "\n", "\nmudtop "),
		Args:               cobra.ArbitraryArgs, // counted by the command, with its own message
		DisableFlagParsing: c.rawArgs,
	}
	if len(c.subs) > 0 {
		for _, sub := range c.subs {
			sub.group = c.name
			sc := newCobraCommand(g, sub)
			sc.Long = strings.TrimSpace(sub.about) + "\n\n" + strings.TrimSpace(c.about)
			sc.Example = "mudtop " + c.name + " " + strings.ReplaceAll(sub.usage, "\n", "\nmudtop "+c.name+" ")
			cc.AddCommand(sc)
		}
		cc.Use = c.name
		cc.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &cmdError{c.name, usagef("unknown command %q for %q", args[0], "mudtop "+c.name)}
			}
			return cmd.Help()
		}
		return cc
	}
	run := c.flags(cc.Flags())
	// Usage texts use `NAME` to name a flag's value, as the standard
	// library does; pflag keeps them for its own usage lines, but the help
	// page prints the text as it is.
	cc.Flags().VisitAll(func(f *pflag.Flag) {
		if name, usage := pflag.UnquoteUsage(f); name != "" && strings.Contains(f.Usage, "`") {
			f.Usage = usage
		}
	})
	registerCompletions(cc)
	cc.RunE = func(cmd *cobra.Command, args []string) error {
		return runCommand(cmd, g, c, run, args)
	}
	return cc
}

// useLine is the command's name and positional arguments from the first
// usage line (flags are listed on their own): "kick ID", "logout [ID]".
func useLine(c *command) string {
	first, _, _ := strings.Cut(c.usage, "\n")
	words := []string{c.name}
	for i, w := range strings.Fields(first) {
		if i == 0 || w == "|" || strings.HasPrefix(strings.TrimLeft(w, "[("), "-") || strings.HasSuffix(w, "]") && !strings.HasPrefix(w, "[") {
			continue // the name, a flag, or a flag's value
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// runCommand runs one command after cobra has parsed its flags.
func runCommand(cmd *cobra.Command, g *Globals, c *command, run runFunc, args []string) error {
	g.DBFlag = cmd.Flags().Changed("db")
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	err := run(ctx, g, args)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	if err != nil {
		return &cmdError{c.fullName(), err}
	}
	return nil
}

// reportCobra prints an error from the command tree and returns the exit
// code: a command's own error as report always has, and cobra's (an
// unknown command, a bad flag) as a usage error.
func reportCobra(g *Globals, err error) int {
	var ce *cmdError
	if errors.As(err, &ce) {
		return report(g, ce.name, ce.err)
	}
	msg := err.Error()
	if i := strings.Index(msg, ` for "mudtop"`); i >= 0 {
		msg = msg[:i] // `unknown command "x" for "mudtop"`
	}
	return report(g, "", &usageError{flagError(errors.New(msg))})
}

// flagError keeps the standard library's wording for an unknown flag,
// which scripts and the original tests match.
func flagError(err error) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "unknown flag: "); ok {
		return "flag provided but not defined: " + rest
	}
	if rest, ok := strings.CutPrefix(msg, "unknown shorthand flag: "); ok {
		return "flag provided but not defined: " + rest
	}
	return msg
}

// commandName is a cobra command's name below the root, "" for the root.
func commandName(c *cobra.Command) string {
	if c == nil || !c.HasParent() {
		return ""
	}
	if c.HasParent() && c.Parent().HasParent() {
		return c.Parent().Name() + " " + c.Name()
	}
	return c.Name()
}

// buildVersion is the module version and VCS revision the binary was built
// from (a build from a checkout is "(devel)" with the commit, "+dirty" when
// the tree had changes).
func buildVersion() (version, commit string) {
	info, ok := readBuildInfo()
	if !ok {
		return "unknown", ""
	}
	version = info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if dirty != "" && !strings.HasSuffix(version, dirty) {
		// fang prints the first seven characters of the commit; the
		// dirty mark goes with the version so it is not cut off. (Go
		// 1.24+ already puts it into a checkout's pseudo-version.)
		version += dirty
	}
	return version, rev
}
