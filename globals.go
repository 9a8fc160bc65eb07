package main

import (
	"io"
)

// globals are the settings every sub-command shares: the global flags and
// the process's standard streams and environment, passed in (never read
// from package state) so commands run the same in tests.
type globals struct {
	DB       string // --db, default $MUD_DB_PATH, else data/mud.db
	Session  string // --session, default $MUDTOP_SESSION
	JSON     bool   // --json
	Config   string // --config, default $XDG_CONFIG_HOME/mudtop/config.toml
	ReadOnly bool   // --read-only

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}
