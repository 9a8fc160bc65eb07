// Command mudtop is top for a MUD server's login sessions: a live terminal
// monitor and a scriptable command line over the server's SQLite database.
// main only wires the process (signals, streams, environment, the key map
// and theme) to cli, which parses the command line and runs the command.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"mudtop/cli"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// The monitor's memory budget is 64 MB at 100k sessions (issue 4,
		// scripts/rss.sh), and loading a filter's keys for 100k sessions
		// is a burst of short-lived allocations on top of ~20 MB that
		// live: at the default 100 the heap may grow to twice the live
		// part before a collection, 50 holds it to one and a half (63 ->
		// 58 MB measured) for a little more GC on a small heap.
		debug.SetGCPercent(50)
	}
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
