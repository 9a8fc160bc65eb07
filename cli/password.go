package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
)

// readPassword asks for user's password. On a terminal it turns echo off;
// otherwise it reads one line from standard input, so scripts can pipe a
// password in without putting it in the environment or on the command line.
func readPassword(ctx context.Context, g *Globals, user string) (string, error) {
	if f, ok := g.Stdin.(*os.File); ok && term.IsTerminal(f.Fd()) {
		fmt.Fprintf(g.Stderr, "Password for %s: ", sanitize(user))
		pw, err := readNoEcho(ctx, f)
		fmt.Fprintln(g.Stderr)
		return pw, err
	}
	line, err := bufio.NewReader(g.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("no password: set MUDTOP_PASSWORD, type it at a terminal, or pipe it on standard input")
	}
	return line, nil
}

// readNoEcho reads a line with echo off. mudtop catches SIGINT so that it
// can shut down cleanly, which means ctrl+c no longer kills a blocked read:
// so the read runs aside, and on cancellation the terminal's echo is put
// back and the command ends at once.
func readNoEcho(ctx context.Context, f *os.File) (string, error) {
	fd := f.Fd() // once, here: the reader must not touch f, which may be closed under it
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	type result struct {
		pw  []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		pw, err := term.ReadPassword(fd)
		done <- result{pw, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", fmt.Errorf("read password: %w", r.err)
		}
		return string(r.pw), nil
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		return "", ctx.Err()
	}
}
