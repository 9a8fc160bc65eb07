// Command mudtop is top for a MUD server's login sessions.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "mudtop: the command line is being built")
	os.Exit(1)
}
