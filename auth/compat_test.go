package auth

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// These tests share a file with the original server as it really runs: its
// schema, its rows written by its own SQL with SQLite's clock, and mudtop
// on the wall clock too (no time semantics are asserted here, only that
// each side accepts the other's rows).

var textTime = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)

// TestOriginalDatabaseRoundTrip writes a database exactly as the original
// does and runs mudtop over it: its sessions validate, its count agrees,
// a real passlib $2b$12$ hash logs in, and the file stays in
// rollback-journal mode with no -wal file through every kind of write.
func TestOriginalDatabaseRoundTrip(t *testing.T) {
	path := storagetest.NewOriginal(t)
	raw := storagetest.Raw(t, path, true)
	hash := storagetest.Hash12
	if raceEnabled {
		hash = storagetest.Hash4 // cost 12 takes seconds under -race
	}
	storagetest.Exec(t, raw, storagetest.OriginalInsertUser, "alice", hash, "player")
	storagetest.Exec(t, raw, storagetest.OriginalInsertUser, "root", storagetest.Hash4, "superuser")
	storagetest.Exec(t, raw, storagetest.OriginalInsertUser, "bob", storagetest.Hash4, "player")
	storagetest.Exec(t, raw, storagetest.OriginalInsertCharacter, 3, "Bobby", storage.DefaultWorldID)
	// create_session, three ways: account session with TTL, without TTL,
	// and an in-world session; each followed by its last_login stamp.
	storagetest.Exec(t, raw, storagetest.OriginalInsertSession, 2, nil, nil, "root-tok", "+480 minutes", "browser")
	storagetest.Exec(t, raw, storagetest.OriginalStampLogin, 2)
	storagetest.Exec(t, raw, storagetest.OriginalInsertSessionNoTTL, 3, nil, nil, "bob-forever", "unknown")
	storagetest.Exec(t, raw, storagetest.OriginalInsertSession, 3, 1, storage.DefaultWorldID, "bob-world", "+480 minutes", "")
	for _, tok := range []string{"root-tok", "bob-world"} {
		for _, col := range []string{"created_at", "last_activity", "expires_at"} {
			if v := storagetest.Text(t, raw, tok, col); !textTime.MatchString(v) || storagetest.Typeof(t, raw, tok, col) != "text" {
				t.Fatalf("the original wrote %s %s = %q?", tok, col, v)
			}
		}
	}

	st := storagetest.Open(t, path, storage.Options{})
	svc := New(st, writeThrough()) // the wall clock, as the original's rows
	t.Cleanup(func() { svc.Close() })
	ctx := t.Context()

	if n, err := svc.ActiveSessionCount(ctx); err != nil || n != 3 {
		t.Errorf("ActiveSessionCount = %d, %v; want 3", n, err)
	}
	for _, tok := range []string{"root-tok", "bob-forever", "bob-world"} {
		if _, err := svc.ValidateSession(ctx, tok); err != nil {
			t.Errorf("the original's session %s does not validate: %v", tok, err)
		}
	}
	g, err := svc.ValidateSessionForGame(ctx, "bob-world")
	if err != nil || g.CharacterName != "Bobby" || g.WorldID != storage.DefaultWorldID {
		t.Errorf("game validation of the original's in-world session: %+v %v", g, err)
	}
	// Like the original's update_session_activity under a TTL > 0, the
	// slide gives a NULL-expiry row (made under TTL 0) a real expiry.
	if v := storagetest.Text(t, raw, "bob-forever", "expires_at"); !textTime.MatchString(v) {
		t.Errorf("slid expiry of a NULL row = %q", v)
	}
	// The passlib hash, through mudtop's login.
	res, err := svc.Login(ctx, "alice", storagetest.Password, "TUI")
	if err != nil {
		t.Fatalf("login with the original's $2b$ hash: %v", err)
	}
	for _, col := range []string{"created_at", "last_activity", "expires_at"} {
		if v := storagetest.Text(t, raw, res.SessionID, col); !textTime.MatchString(v) || storagetest.Typeof(t, raw, res.SessionID, col) != "text" {
			t.Errorf("mudtop wrote %s = %q (%s)", col, v, storagetest.Typeof(t, raw, res.SessionID, col))
		}
	}
	if storagetest.Scalar[int](t, raw, `SELECT count(*) FROM sessions WHERE session_id = ? AND expires_at = datetime(created_at, '+480 minutes')`, res.SessionID) != 1 {
		t.Error("mudtop's expires_at is not created_at + 480 minutes")
	}
	// Guarded writes, too.
	if _, err := svc.KickCharacter(ctx, "root-tok", 1, "compat"); err != nil {
		t.Errorf("kick: %v", err)
	}
	if _, err := svc.CleanupExpiredSessions(ctx); err != nil {
		t.Error(err)
	}
	if err := svc.Flush(ctx); err != nil {
		t.Error(err)
	}
	if got := storagetest.JournalMode(t, raw); got != "delete" {
		t.Errorf("journal_mode = %q after mudtop wrote, want delete", got)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Error("a -wal file appeared: the original's database was switched to WAL")
	}
}

// TestPythonCrossCheck runs the original's own statements and expiry check
// in python3's sqlite3 against sessions mudtop wrote, and has python create
// a session with the original's INSERT for mudtop to validate. It skips
// where python3 is missing.
func TestPythonCrossCheck(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	for _, mode := range []struct {
		name string
		path func() string
	}{
		{"original schema, rollback journal", func() string { return storagetest.NewOriginal(t) }},
		{"mudtop init, WAL", func() string { s := storagetest.New(t); p := s.Path(); s.Close(); return p }},
	} {
		t.Run(mode.name, func(t *testing.T) {
			path := mode.path()
			st := storagetest.Open(t, path, storage.Options{})
			journal := storagetest.JournalMode(t, st.DB())
			svc := New(st, writeThrough())
			t.Cleanup(func() { svc.Close() })
			storagetest.AddUser(t, st.DB(), storagetest.User{Name: "alice"})
			res, err := svc.Login(t.Context(), "alice", storagetest.Password, " Browser ")
			if err != nil {
				t.Fatal(err)
			}
			script := `
import json, sqlite3, sys
from datetime import datetime, UTC
path, sid = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(path)
conn.execute("PRAGMA foreign_keys = ON")
conn.execute("PRAGMA busy_timeout = 5000")
cur = conn.cursor()
# get_session_by_id + _is_expired, as the original runs them
cur.execute("""SELECT user_id, character_id, world_id, session_id, created_at, last_activity, expires_at,
                      client_type FROM sessions WHERE session_id = ?""", (sid,))
row = cur.fetchone()
expires_at = row[6]
try:
    expired = datetime.strptime(expires_at, "%Y-%m-%d %H:%M:%S") <= datetime.now(UTC).replace(tzinfo=None)
except ValueError:
    expired = True
cur.execute("""SELECT COUNT(*) FROM sessions WHERE (expires_at IS NULL OR datetime(expires_at) > datetime('now'))
               AND datetime(last_activity) >= datetime('now', ?)""", ("-30 minutes",))
count = cur.fetchone()[0]
cur.execute("SELECT typeof(created_at), typeof(last_activity), typeof(expires_at), client_type FROM sessions WHERE session_id = ?", (sid,))
types = cur.fetchone()
# update_session_activity, then create_session for mudtop to validate
cur.execute("""UPDATE sessions SET last_activity = CURRENT_TIMESTAMP, expires_at = datetime('now', ?)
               WHERE session_id = ?""", ("+480 minutes", sid))
touched = cur.rowcount
cur.execute("DELETE FROM sessions WHERE user_id = ?", (row[0],))
cur.execute("""INSERT INTO sessions (user_id, character_id, world_id, session_id, created_at, last_activity, expires_at, client_type)
               VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, datetime('now', ?), ?)""",
            (row[0], None, None, "py-" + sid, "+480 minutes", "python"))
cur.execute("UPDATE users SET last_login = CURRENT_TIMESTAMP WHERE id = ?", (row[0],))
conn.commit()
mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
print(json.dumps({"expired": expired, "expires_at": expires_at, "count": count, "types": list(types),
                  "touched": touched, "journal": mode}))
`
			out, err := exec.Command(py, "-c", script, path, res.SessionID).Output()
			if err != nil {
				var ee *exec.ExitError
				if asExit(err, &ee) && strings.Contains(string(ee.Stderr), "ImportError") {
					t.Skipf("python3 too old for datetime.UTC: %s", ee.Stderr)
				}
				t.Fatalf("python3: %v", err)
			}
			var got struct {
				Expired   bool     `json:"expired"`
				ExpiresAt string   `json:"expires_at"`
				Count     int      `json:"count"`
				Types     []string `json:"types"`
				Touched   int      `json:"touched"`
				Journal   string   `json:"journal"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("python3 said %q: %v", out, err)
			}
			if got.Expired || got.Count != 1 || got.Touched != 1 {
				t.Errorf("the original's check of mudtop's session: %+v", got)
			}
			if strings.Join(got.Types[:3], ",") != "text,text,text" || got.Types[3] != "browser" {
				t.Errorf("mudtop's row as the original reads it: %v", got.Types)
			}
			if got.Journal != journal {
				t.Errorf("journal mode %s became %s", journal, got.Journal)
			}
			// And the reverse: python's session validates in mudtop; its own
			// single-session DELETE removed mudtop's.
			id, err := svc.ValidateSession(t.Context(), "py-"+res.SessionID)
			if err != nil || id.Username != "alice" {
				t.Errorf("the original's new session in mudtop: %+v %v", id, err)
			}
			_, err = svc.ValidateSession(t.Context(), res.SessionID)
			wantErr(t, err, ErrInvalidSession)
		})
	}
}

// TestPythonSQLiteEdgeRows runs the original's count and cleanup
// predicates in python3's own SQLite over the §5.2 edge rows. mudtop's
// bundled SQLite and the server's system SQLite must read these values the
// same way, or the two programs would disagree about the same file; the
// expectations are the ones TestExpiryEdgeTable holds mudtop to.
func TestPythonSQLiteEdgeRows(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	path := storagetest.NewOriginal(t)
	raw := storagetest.Raw(t, path, true)
	storagetest.Exec(t, raw, storagetest.OriginalInsertUser, "alice", storagetest.Hash4, "player")
	for i, r := range edgeRows {
		tok := fmt.Sprintf("edge-%d", i)
		storagetest.Exec(t, raw, storagetest.OriginalInsertSession, 1, nil, nil, tok, "+480 minutes", "x")
		storagetest.SetColumn(t, raw, tok, "expires_at", r.value)
	}
	raw.Close()
	script := `
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
out = {}
for sid, counted, cleaned in conn.execute("""SELECT session_id,
        (expires_at IS NULL OR datetime(expires_at) > datetime('now'))
          AND datetime(last_activity) >= datetime('now', '-30 minutes'),
        expires_at IS NOT NULL AND datetime(expires_at) <= datetime('now')
        FROM sessions"""):
    out[sid] = [bool(counted), bool(cleaned)]
print(json.dumps({"rows": out, "sqlite": sqlite3.sqlite_version}))
`
	outb, err := exec.Command(py, "-c", script, path).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var got struct {
		Rows   map[string][2]bool `json:"rows"`
		SQLite string             `json:"sqlite"`
	}
	if err := json.Unmarshal(outb, &got); err != nil {
		t.Fatal(err)
	}
	for i, r := range edgeRows {
		g := got.Rows[fmt.Sprintf("edge-%d", i)]
		if g[0] != r.counted || g[1] != r.cleanedUp {
			t.Errorf("%s: python's SQLite %s counts=%v cleans=%v; mudtop's table says %v, %v",
				r.name, got.SQLite, g[0], g[1], r.counted, r.cleanedUp)
		}
	}
}
