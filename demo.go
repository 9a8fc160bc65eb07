package main

import (
	"context"
	"errors"
)

// runDemo runs `mudtop demo`.
func runDemo(ctx context.Context, g *globals, args []string) error {
	return errors.New("demo: not built yet")
}
