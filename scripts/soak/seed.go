package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/bcrypt"

	"mudtop/auth"
	"mudtop/storage"
)

// password is every seeded account's password. Hashes use bcrypt.MinCost:
// the soak measures the session store, not bcrypt.
const password = "soak-password"

// worldID is the one world the seeded characters live in.
const worldID = "soakworld"

// seeded is what the parent keeps after seeding: the operator tokens (in
// memory only, handed to children through their environment).
type seeded struct {
	users        int
	monitorToken string
	adminToken   string
}

func playerName(i int) string { return fmt.Sprintf("p%05d", i) }

// createDB makes the soak database. "wal" is storage.Create, mudtop's own
// layout. "rollback" is the original server's: the same schema statements
// run through database/sql on a plain file, whose journal mode is never
// touched and so stays the SQLite default (delete).
func createDB(ctx context.Context, path, mode string) error {
	switch mode {
	case "wal":
		st, err := storage.Create(ctx, path)
		if err != nil {
			return err
		}
		return st.Close()
	case "rollback":
	default:
		return fmt.Errorf("unknown mode %q (wal or rollback)", mode)
	}
	scratch := filepath.Join(filepath.Dir(path), "schema-source.db")
	os.Remove(scratch)
	st, err := storage.Create(ctx, scratch)
	if err != nil {
		return err
	}
	stmts, err := schemaOf(ctx, st.DB())
	st.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(scratch + suffix)
	}
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=foreign_keys(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
	}
	var jm string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&jm); err != nil {
		return err
	}
	if jm != "delete" {
		return fmt.Errorf("rollback database came out in journal_mode %q", jm)
	}
	return nil
}

// schemaOf lists the CREATE statements of a database in creation order.
func schemaOf(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT sql FROM sqlite_master
		WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// seed fills the database: players p00000.. each with a character in the
// soak world and a grant to it, and two admins whose sessions the monitor
// and the admin process use.
func seed(ctx context.Context, path, mode string, users int) (seeded, error) {
	if err := createDB(ctx, path, mode); err != nil {
		return seeded{}, err
	}
	st, err := storage.Open(ctx, path, storage.Options{})
	if err != nil {
		return seeded{}, err
	}
	defer st.Close()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return seeded{}, err
	}
	now := time.Now()
	err = st.Write(ctx, func(q storage.Querier) error {
		if err := st.UpsertWorld(ctx, q, worldID, "Soak World", "load test"); err != nil {
			return err
		}
		for i := 0; i < users; i++ {
			uid, err := st.CreateUser(ctx, q, storage.NewUser{Username: playerName(i), PasswordHash: string(hash), Role: "player", Now: now})
			if err != nil {
				return err
			}
			if _, err := st.CreateCharacter(ctx, q, uid, fmt.Sprintf("Hero%05d", i), worldID, now); err != nil {
				return err
			}
			if err := st.GrantWorld(ctx, q, uid, worldID); err != nil {
				return err
			}
		}
		for _, name := range []string{"soakmon", "soakadmin"} {
			if _, err := st.CreateUser(ctx, q, storage.NewUser{Username: name, PasswordHash: string(hash), Role: "admin", Now: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return seeded{}, err
	}
	// The operators log in with the original's defaults (480 min TTL), so
	// their sessions outlive the soak whatever TTL the writer plays with.
	cfg := auth.DefaultConfig()
	cfg.ActivityFlush = 0
	svc := auth.New(st, cfg)
	defer svc.Close()
	mon, err := svc.Login(ctx, "soakmon", password, "soak-monitor")
	if err != nil {
		return seeded{}, fmt.Errorf("monitor login: %w", err)
	}
	adm, err := svc.Login(ctx, "soakadmin", password, "soak-admin")
	if err != nil {
		return seeded{}, fmt.Errorf("admin login: %w", err)
	}
	return seeded{users: users, monitorToken: mon.SessionID, adminToken: adm.SessionID}, nil
}

// cmdSeed makes a database for scripted checks (soak.sh's terminal check).
func cmdSeed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	db := fs.String("db", "", "database file to create")
	mode := fs.String("mode", "rollback", "wal or rollback")
	users := fs.Int("users", 20, "players to create")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *db == "" {
		return fmt.Errorf("seed: --db is required")
	}
	_, err := seed(ctx, *db, *mode, *users)
	return err
}
