package cli

import (
	"context"
	"fmt"
	"strings"
)

// Run is mudtop's command line: it parses args (without the program name),
// runs the sub-command and returns the exit code. A bug ends in one line
// on stderr and exit 1, never a stack trace over an administrator's
// terminal.
func Run(ctx context.Context, args []string, g *Globals) (code int) {
	defer func() {
		if r := recover(); r != nil {
			msg := strings.Join(strings.Fields(sanitize(fmt.Sprint(r))), " ")
			fmt.Fprintf(g.Stderr, "mudtop: internal error: %s\n", msg)
			code = exitFailure
		}
	}()
	return run(ctx, args, g)
}
