// Command mudtop is top for a MUD server's login sessions: a live terminal
// monitor and a scriptable command line over the server's SQLite database.
// main only wires the process (signals, streams, environment, the key map
// and theme) to cli, which parses the command line and runs the command.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"mudtop/cli"
)

func main() {
	// SIGTERM and SIGHUP cancel the context like ctrl+c, so the monitor
	// restores the terminal and pending activity is flushed before exit.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		// After the first signal, a second one kills the process the
		// default way, in case something does not notice the cancellation.
		<-ctx.Done()
		stop()
	}()
	code := cli.Run(ctx, os.Args[1:], &cli.Globals{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		Look: look(),
	})
	stop()
	os.Exit(code)
}

// look hands the command line the default key map and the theme, which
// live in keymap.go and theme.go.
func look() cli.Look {
	return cli.Look{Keys: DefaultKeyMap, Rebind: applyKeyOverrides, Theme: themeFor}
}
