// Command rss prepares the database scripts/rss.sh runs the real monitor on:
// a private copy of the generated benchmark database (storagetest), with
// every session timestamp moved from the generator's fixed "now" to the
// wall clock, so that the binary, which only knows the wall clock, sees the
// same mix of active, idle and expired sessions the benchmarks see. It
// prints the copy's path and the operator's session id on one line.
//
// With -touch it is instead the game server of a busy run: it renews one
// session's activity on that file every -every, so that every monitor tick
// finds the file changed, until it is killed or -for has passed.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	_ "modernc.org/sqlite"

	"mudtop/storage/storagetest"
)

func main() {
	mode := flag.String("mode", storagetest.ModeWAL, "rollback (the original's own file) or wal (a file mudtop created)")
	n := flag.Int("sessions", 100_000, "sessions in the database")
	out := flag.String("out", "", "where to write the copy (required)")
	touch := flag.String("touch", "", "a prepared copy to keep committing to, instead of preparing one")
	every := flag.Duration("every", 300*time.Millisecond, "with -touch: the time between commits")
	limit := flag.Duration("for", 10*time.Minute, "with -touch: when to stop")
	flag.Parse()
	if *touch != "" {
		if err := keepTouching(*touch, *every, *limit); err != nil {
			fmt.Fprintln(os.Stderr, "rss:", err)
			os.Exit(1)
		}
		return
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "rss: -out is required")
		os.Exit(2)
	}
	if err := prepare(*mode, *n, *out); err != nil {
		fmt.Fprintln(os.Stderr, "rss:", err)
		os.Exit(1)
	}
}

func prepare(mode string, n int, out string) error {
	g, err := storagetest.Cached(mode, n)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if err := copyFile(g.Path, out); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+out+"?mode=rw&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	shift := fmt.Sprintf("%+d seconds", int64(time.Since(g.Now)/time.Second))
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `UPDATE sessions SET created_at = datetime(created_at, ?1),
 last_activity = datetime(last_activity, ?1),
 expires_at = CASE WHEN expires_at IS NULL THEN NULL ELSE datetime(expires_at, ?1) END`, shift); err != nil {
		return fmt.Errorf("move timestamps: %w", err)
	}
	if mode == storagetest.ModeWAL {
		if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
	}
	fmt.Println(out, g.OperatorToken)
	return nil
}

// keepTouching commits a renewal of the newest session's activity every
// tick until limit has passed.
func keepTouching(path string, every, limit time.Duration) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(every) {
		if _, err := db.ExecContext(ctx, `UPDATE sessions SET last_activity = datetime('now') WHERE id = (SELECT max(id) FROM sessions)`); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
