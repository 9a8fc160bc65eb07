// Command mudtop is top for a MUD server's login sessions: a live terminal
// monitor and a scriptable command line over the server's SQLite database.
// main only wires the process (signals, streams, environment) to run, which
// parses the command line, opens storage and auth, and runs the command.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
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
	code := safeRun(ctx, os.Args[1:], &globals{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
	})
	stop()
	os.Exit(code)
}

// safeRun is run with a last line of defence: a bug must end in one line on
// stderr and exit 1, never a stack trace over an administrator's terminal.
func safeRun(ctx context.Context, args []string, g *globals) (code int) {
	defer func() {
		if r := recover(); r != nil {
			msg := strings.Join(strings.Fields(sanitize(fmt.Sprint(r))), " ")
			fmt.Fprintf(g.Stderr, "mudtop: internal error: %s\n", msg)
			code = exitFailure
		}
	}()
	return run(ctx, args, g)
}
