package cli

import (
	"io"
	"mudtop/auth"
	"time"
)

// Globals are the settings every sub-command shares: the global flags and
// the process's standard streams and environment, passed in (never read
// from package state) so commands run the same in tests.
type Globals struct {
	DB       string // --db, default $MUD_DB_PATH, else data/mud.db
	Session  string // --session, default $MUDTOP_SESSION
	JSON     bool   // --json
	Config   string // --config, default $XDG_CONFIG_HOME/mudtop/config.toml
	ReadOnly bool   // --read-only
	// DBFlag is true when --db was given on the command line, not taken
	// from $MUD_DB_PATH or the default: `mudtop demo` must never write its
	// simulated players into the server's real database by accident.
	DBFlag bool

	// Service, when set, is an open service the commands use instead of
	// opening --db themselves: mudtop serve runs an SSH exec request's
	// command on its own, as the connection's account.
	Service *auth.Service
	// Remote is true for a command run over SSH: the options that pick a
	// database, a session or a config file are refused there.
	Remote bool

	// Look is the default key map and theme, handed in by package main.
	Look Look

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Now is the clock handed to auth; nil means the wall clock. Tests set
	// it so expiry is checked without sleeping.
	Now func() time.Time
}
