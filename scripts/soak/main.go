// Command soak drives mudtop's session API under load and checks that a
// monitor beside a busy game server never hurts it. `soak run` seeds a
// database and starts three separate processes of this same binary: a
// writer that plays the game server through auth, a monitor that polls
// auth.Service.Snapshot every 100 ms in alternate phases, and an admin that
// kicks a random session every second. Each writes a JSON-lines journal;
// run then checks the journals against the database and prints the figures.
//
// Session ids never appear whole in a journal or on the terminal: the
// operator tokens reach the child processes through their environment and
// journals carry the row id and the 8-character prefix (auth.ShortID).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "run":
		err = cmdRun(ctx, os.Args[2:])
	case "writer":
		err = cmdWriter(ctx, os.Args[2:])
	case "monitor":
		err = cmdMonitor(ctx, os.Args[2:])
	case "admin":
		err = cmdAdmin(ctx, os.Args[2:])
	case "lock":
		err = cmdLock(ctx, os.Args[2:])
	case "hold":
		err = cmdHold(ctx, os.Args[2:])
	case "seed":
		err = cmdSeed(ctx, os.Args[2:])
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: soak run [--dir D] [--mode wal|rollback] [--rate N] [--duration D] [--phase D]
       soak lock [--dir D] [--mode wal|rollback] [--hold D]   (the database locked by another process)
       soak seed --db F --mode wal|rollback [--users N]       (prints nothing secret)
internal: soak writer|monitor|admin|hold ... (started by run and lock)`)
}
