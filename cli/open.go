package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mudtop/auth"
	"mudtop/storage"
)

// service is an open store with the session API on top, and how to close
// both in the right order.
type service struct {
	*auth.Service
	store *storage.Store
}

// close flushes pending activity (the service) before it releases the
// database (the store), so nothing recorded is lost.
func (s *service) close() error {
	err := s.Service.Close()
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// loadConfig reads the session settings from the environment, as the
// original server does.
func loadConfig(g *Globals) (auth.Config, error) {
	cfg, err := auth.ConfigFromEnv(g.Getenv)
	if err != nil {
		return cfg, usagef("configuration: %v", err)
	}
	return cfg, nil
}

// openService opens the existing database named by --db and the session
// API on it. It never creates a file: a missing one is an error that says
// how to make one.
func openService(ctx context.Context, g *Globals, cfg auth.Config) (*service, error) {
	store, err := storage.Open(ctx, g.DB, storage.MonitorOptions(g.ReadOnly))
	if err != nil {
		return nil, openError(g.DB, err)
	}
	var opts []auth.Option
	if g.Now != nil {
		opts = append(opts, auth.WithClock(g.Now))
	}
	return &service{Service: auth.New(store, cfg, opts...), store: store}, nil
}

// openOneShot opens the service for a command that does one thing and
// exits. It writes activity through at once: there is nothing to coalesce
// in a single call, and a failed write then fails the command itself
// instead of surfacing later, at close.
func openOneShot(ctx context.Context, g *Globals) (*service, error) {
	cfg, err := loadConfig(g)
	if err != nil {
		return nil, err
	}
	cfg.ActivityFlush = 0
	return openService(ctx, g, cfg)
}

// withService runs fn on a one-shot service and closes it, reporting a
// failure to close only when fn itself succeeded.
func withService(ctx context.Context, g *Globals, fn func(s *service) error) error {
	if g.Service != nil {
		// A command run for an SSH connection (mudtop serve): the server's
		// open service, which knows the connection's origin for the audit.
		return fn(&service{Service: g.Service, store: g.Service.Store()})
	}
	s, err := openOneShot(ctx, g)
	if err != nil {
		return err
	}
	err = fn(s)
	if cerr := s.close(); err == nil && cerr != nil {
		err = fmt.Errorf("close database: %w", cerr)
	}
	return err
}

// openError turns the store's open failures into sentences that say what
// to do.
func openError(path string, err error) error {
	var se *storage.SchemaError
	switch {
	case errors.Is(err, storage.ErrNoDatabase):
		return fmt.Errorf("no database at %s: create one with `mudtop init --db %s`, or point --db (or $MUD_DB_PATH) at the MUD server's database", path, path)
	case errors.Is(err, storage.ErrNotSQLite):
		return fmt.Errorf("%s is not an SQLite database: point --db (or $MUD_DB_PATH) at the MUD server's database", path)
	case errors.As(err, &se):
		return fmt.Errorf("%s cannot be used: %v", path, se)
	}
	return fmt.Errorf("open database: %w", err)
}

// needSession returns the operator's session id from --session or
// $MUDTOP_SESSION, or a usage error saying how to get one.
func needSession(g *Globals) (string, error) {
	if g.Session == "" {
		return "", usagef("no session: pass --session ID or set MUDTOP_SESSION (get one with `mudtop login USER`)")
	}
	return g.Session, nil
}

// now is the command's clock.
func (g *Globals) now() time.Time {
	if g.Now != nil {
		return g.Now().UTC()
	}
	return time.Now().UTC()
}
