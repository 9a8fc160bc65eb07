package cli

import (
	"context"

	"crypto/rand"
	"errors"
	"fmt"
	"github.com/spf13/pflag"
	"os"
	"path/filepath"

	"mudtop/auth"
	"mudtop/storage"
)

// minAdminPassword is the shortest superuser password init accepts.
const minAdminPassword = 8

// cmdInit creates a new database with a superuser.
func cmdInit() *command {
	return &command{
		name:     "init",
		synopsis: "create a new database with a superuser",
		usage:    "init [--admin NAME] [--db FILE]",
		about: `Creates a new database with the MUD server's schema, its default world and
a superuser account (account origin 'system'). The password comes from
$MUDTOP_ADMIN_PASSWORD (at least 8 characters) or is generated and printed
once. Refuses a file that already holds data; the new database uses WAL.`,
		flags: runInit,
	}
}

func runInit(fs *pflag.FlagSet) runFunc {
	admin := fs.String("admin", "admin", "the superuser's `NAME` (2-20 characters)")
	return func(ctx context.Context, g *Globals, pos []string) error {
		if err := wantArgs(pos, 0, 0, ""); err != nil {
			return err
		}
		if g.ReadOnly {
			return usagef("--read-only cannot create a database")
		}
		if n := len([]rune(*admin)); n < 2 || n > 20 || sanitize(*admin) != *admin {
			return usagef("--admin %q: want 2-20 printable characters (the server's login rule)", *admin)
		}
		password, generated := g.Getenv("MUDTOP_ADMIN_PASSWORD"), false
		if password == "" {
			password, generated = rand.Text(), true
		} else if len(password) < minAdminPassword {
			return usagef("MUDTOP_ADMIN_PASSWORD is shorter than %d characters", minAdminPassword)
		}
		if err := createDatabase(ctx, g, *admin, password); err != nil {
			return err
		}
		if g.JSON {
			out := struct {
				DB       string `json:"db"`
				Admin    string `json:"admin"`
				Password string `json:"password,omitempty"`
			}{g.DB, *admin, ""}
			if generated {
				out.Password = password
			}
			return writeJSON(g.Stdout, out)
		}
		fmt.Fprintf(g.Stdout, "Created %s with the default world and superuser %q.\n", sanitize(g.DB), *admin)
		if generated {
			fmt.Fprintf(g.Stdout, "Password: %s\nIt is shown only this once: store it now.\n", password)
		} else {
			fmt.Fprintln(g.Stdout, "Password: the one in $MUDTOP_ADMIN_PASSWORD.")
		}
		fmt.Fprintf(g.Stdout, "Log in with: mudtop --db %s login %s\n", sanitize(g.DB), *admin)
		return nil
	}
}

// createDatabase makes the file and the superuser. If anything fails after
// the file was created, it removes what it made, so a retry starts clean.
func createDatabase(ctx context.Context, g *Globals, admin, password string) error {
	path := g.DB
	_, statErr := os.Stat(path)
	existed := statErr == nil
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("create directory for the database: %w", err)
		}
	}
	store, err := storage.Create(ctx, path)
	if err != nil {
		if errors.Is(err, storage.ErrExists) {
			return fmt.Errorf("%s already exists and is not empty: init never overwrites a database (choose another --db)", path)
		}
		if !existed {
			removeDB(path)
		}
		return fmt.Errorf("create database: %w", err)
	}
	err = addSuperuser(ctx, store, g, admin, password)
	if cerr := store.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close database: %w", cerr)
	}
	if err != nil && !existed {
		removeDB(path)
	}
	return err
}

func addSuperuser(ctx context.Context, store *storage.Store, g *Globals, admin, password string) error {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return fmt.Errorf("hash the superuser's password: %w", err)
	}
	return store.Write(ctx, func(q storage.Querier) error {
		_, err := store.CreateUser(ctx, q, storage.NewUser{
			Username: admin, PasswordHash: hash, Role: string(auth.Superuser),
			Origin: "system", Now: g.now(),
		})
		if err != nil {
			return fmt.Errorf("create superuser: %w", err)
		}
		return nil
	})
}

// removeDB deletes a database file mudtop just created, with its WAL files.
func removeDB(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(p)
	}
}
