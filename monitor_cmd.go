package main

import (
	"context"
	"errors"

	"mudtop/auth"
)

// runMonitor runs the full-screen monitor on an open service. token may be
// empty: the monitor then starts on its login form.
func runMonitor(ctx context.Context, g *globals, svc *auth.Service, token string) error {
	return errors.New("monitor: not built yet")
}
