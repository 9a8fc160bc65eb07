package storagetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mudtop/storage"
)

// genVersion names the layout of generated databases. Bump it whenever the
// plan below changes, so that no benchmark reads a stale cached file; schema
// changes are picked up on their own (see schemaKey).
const genVersion = 1

// Generation modes: the two ways a session database exists in the field.
const (
	// ModeRollback is the original server's own file: its CREATE statements
	// on a fresh file, rollback journal, synchronous=FULL (COMPAT.md §1.2),
	// and none of mudtop's indexes.
	ModeRollback = "rollback"
	// ModeWAL is a database mudtop created (storage.Create): WAL mode and
	// whatever indexes mudtop adds for itself.
	ModeWAL = "wal"
)

// BenchNow is the instant a generated database is laid out around. Pin the
// clock of anything judging its rows to this (or a little after).
func BenchNow() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }

// Worlds are the world ids a generated database holds, the original's
// default first.
func Worlds() []string {
	return []string{storage.DefaultWorldID, "ashfall", "deepwater", "greymoor", "sunspire"}
}

// Generated describes a generated database. Path is a cached file shared by
// every benchmark of this machine: never open it for writing, Copy it.
type Generated struct {
	Path     string
	Mode     string
	Sessions int
	Now      time.Time
	// OperatorToken is a superuser's session, valid at Now for eight hours.
	// OperatorUser is that user's name; its password is Password and its
	// hash the original's cost 12 (Hash12), so logins cost what they cost.
	OperatorToken string
	OperatorUser  string
	// Users are the generated players' names (password Password, hash
	// Hash4, the cheap cost, so a login's own work is not lost in bcrypt).
	Users []string
	// Valid holds the tokens of every session the original accepts from Now
	// until at least an hour later, however long a benchmark runs (its
	// "random sessions" come from these).
	Valid []string
}

// Copy puts a private copy of the database in tb.TempDir() and returns its
// path, for benchmarks that write (or that open read-write at all).
func (g *Generated) Copy(tb testing.TB) string {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), "mud.db")
	if err := copyFile(g.Path, dst); err != nil {
		tb.Fatalf("copy generated db: %v", err)
	}
	return dst
}

// Generate returns a database of n sessions in mode, building it on first
// use and reusing it from os.TempDir()/mudtop-bench-<version>/ afterwards.
// Concurrent callers (packages benchmarked in parallel) are safe: each
// builds into a private file and renames it into place.
func Generate(tb testing.TB, mode string, n int) *Generated {
	tb.Helper()
	g, err := Cached(mode, n)
	if err != nil {
		tb.Fatalf("storagetest.Generate(%s, %d): %v", mode, n, err)
	}
	return g
}

// Cached is Generate for programs outside tests (scripts/rss): the same
// cached file, with an error instead of a failed test.
func Cached(mode string, n int) (*Generated, error) {
	if mode != ModeRollback && mode != ModeWAL {
		return nil, fmt.Errorf("unknown mode %q", mode)
	}
	p := newPlan(n)
	g := &Generated{
		Mode: mode, Sessions: n, Now: BenchNow(),
		OperatorToken: p.operatorToken, OperatorUser: operatorName,
	}
	for _, u := range p.users {
		g.Users = append(g.Users, u.name)
	}
	cutoff := storage.FormatTime(g.Now.Add(time.Hour))
	for _, s := range p.sessions {
		if s.expires == "" || s.expires > cutoff {
			g.Valid = append(g.Valid, s.token)
		}
	}
	key, err := schemaKey(mode)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("mudtop-bench-%d", genVersion))
	g.Path = filepath.Join(dir, fmt.Sprintf("%s-%d-%s.db", mode, n, key))
	if fi, err := os.Stat(g.Path); err == nil && fi.Size() > 0 {
		return g, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, fmt.Sprintf(".build-%d-%d.db", os.Getpid(), rand.Uint64()))
	defer os.Remove(tmp)
	if err := build(tmp, mode, p); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, g.Path); err != nil {
		return nil, err
	}
	return g, nil
}

// schemaKey fingerprints the schema a mode starts from, so a change to
// storage's schema (an index added, say) makes a fresh cache entry.
func schemaKey(mode string) (string, error) {
	h := sha256.New()
	if mode == ModeRollback {
		io.WriteString(h, strings.Join(OriginalSchema, "\x00"))
	} else {
		dir, err := os.MkdirTemp("", "mudtop-schema-")
		if err != nil {
			return "", err
		}
		defer os.RemoveAll(dir)
		s, err := storage.Create(context.Background(), filepath.Join(dir, "s.db"))
		if err != nil {
			return "", err
		}
		defer s.Close()
		rows, err := s.DB().Query(`SELECT coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)
		if err != nil {
			return "", err
		}
		defer rows.Close()
		for rows.Next() {
			var q string
			if err := rows.Scan(&q); err != nil {
				return "", err
			}
			io.WriteString(h, q+"\x00")
		}
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

const operatorName = "bench_admin"

// planSession is one sessions row as the original writes it: timestamps are
// 19-character UTC text, expires_at slid to last_activity + 480 minutes (or
// NULL for rows written while the TTL was 0).
type planSession struct {
	user      int // index into plan.users
	inWorld   bool
	token     string
	created   string
	lastAct   string
	expires   string // "" for NULL
	client    string
	character int // index into plan.characters, when inWorld
}

type planUser struct {
	name string
	role string
}

type planCharacter struct {
	user  int
	name  string
	world string
}

type plan struct {
	users         []planUser
	characters    []planCharacter
	sessions      []planSession
	operatorToken string
}

// newPlan lays out n sessions deterministically (a fixed seed), so the
// token list can be rebuilt without reading the database. The mix, at Now:
// 25% active within the last 30 minutes, 45% idle but unexpired, 25%
// expired and not yet cleaned up, 5% never expiring; 60% in a world.
func newPlan(n int) *plan {
	rng := rand.New(rand.NewPCG(20261125, uint64(n)))
	now := BenchNow()
	p := &plan{}
	nUsers := n - n/20 // one user in twenty has a second session
	if nUsers < 1 {
		nUsers = 1
	}
	syllables := []string{"ka", "ri", "mo", "th", "el", "an", "dor", "zu", "vi", "sha", "lo", "ne", "gr", "ix", "ba", "qu"}
	name := func(i int) string {
		return syllables[i%16] + syllables[(i/16)%16] + syllables[(i/256)%16] + fmt.Sprint(i)
	}
	for i := 0; i < nUsers; i++ {
		role := "player"
		switch r := rng.IntN(100); {
		case r < 1:
			role = "superuser"
		case r < 4:
			role = "admin"
		case r < 10:
			role = "worldbuilder"
		}
		p.users = append(p.users, planUser{name: name(i), role: role})
	}
	charOf := map[int]int{}
	worlds := Worlds()
	clients := []string{"web", "web", "web", "web", "web", "tui", "tui", "cli", "unknown", "mobile"}
	for i := 0; i < n; i++ {
		s := planSession{user: i % nUsers, token: uuidFrom(rng), client: clients[rng.IntN(len(clients))]}
		var idle time.Duration
		switch r := rng.IntN(100); {
		case r < 25:
			idle = randDur(rng, 0, 30*time.Minute)
		case r < 70:
			idle = randDur(rng, 30*time.Minute, 480*time.Minute)
		case r < 95:
			idle = randDur(rng, 480*time.Minute, 72*time.Hour)
		default:
			idle = -randDur(rng, 0, 72*time.Hour) // marks "never expires"
		}
		la := now.Add(-idle)
		if idle < 0 {
			la = now.Add(idle)
		} else {
			s.expires = storage.FormatTime(la.Add(480 * time.Minute))
		}
		s.lastAct = storage.FormatTime(la)
		s.created = storage.FormatTime(la.Add(-randDur(rng, 0, 8*time.Hour)))
		if rng.IntN(100) < 60 {
			s.inWorld = true
			c, ok := charOf[s.user]
			if !ok {
				c = len(p.characters)
				charOf[s.user] = c
				p.characters = append(p.characters, planCharacter{
					user: s.user, world: worlds[s.user%len(worlds)],
					name: strings.ToUpper(name(s.user)[:1]) + name(s.user)[1:],
				})
			}
			s.character = c
		}
		p.sessions = append(p.sessions, s)
	}
	p.operatorToken = uuidFrom(rng)
	return p
}

func randDur(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
}

// uuidFrom formats 16 random bytes as a version 4 UUID, as the original's
// str(uuid.uuid4()) does.
func uuidFrom(rng *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := rng.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// build writes the plan into a new file at path, in one transaction with
// prepared inserts (a 100k-session file takes a few seconds).
func build(path, mode string, p *plan) error {
	ctx := context.Background()
	var db *sql.DB
	if mode == ModeWAL {
		s, err := storage.Create(ctx, path)
		if err != nil {
			return err
		}
		defer s.Close()
		db = s.DB()
	} else {
		var err error
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
		if err != nil {
			return err
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		for _, stmt := range OriginalSchema {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("original schema: %w", err)
			}
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertPlan(ctx, tx, p); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if mode == ModeWAL {
		// Fold the WAL into the file so the one file is the whole database.
		if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return err
		}
	}
	return nil
}

func insertPlan(ctx context.Context, tx *sql.Tx, p *plan) error {
	prep := func(q string) (*sql.Stmt, error) { return tx.PrepareContext(ctx, q) }
	world, err := prep(`INSERT OR IGNORE INTO worlds (id, name, description, is_active, config_json) VALUES (?, ?, '', 1, '{}')`)
	if err != nil {
		return err
	}
	for _, w := range Worlds() {
		if _, err := world.ExecContext(ctx, w, w); err != nil {
			return err
		}
	}
	user, err := prep(`INSERT INTO users (username, password_hash, role, created_at, last_login) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	now := BenchNow()
	stamp := storage.FormatTime(now.Add(-30 * 24 * time.Hour))
	userIDs := make([]int64, len(p.users))
	for i, u := range p.users {
		res, err := user.ExecContext(ctx, u.name, Hash4, u.role, stamp, stamp)
		if err != nil {
			return fmt.Errorf("user %s: %w", u.name, err)
		}
		userIDs[i], _ = res.LastInsertId()
	}
	res, err := user.ExecContext(ctx, operatorName, Hash12, "superuser", stamp, stamp)
	if err != nil {
		return err
	}
	opID, _ := res.LastInsertId()
	char, err := prep(`INSERT INTO characters (user_id, name, world_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	grant, err := prep(`INSERT OR IGNORE INTO world_permissions (user_id, world_id, can_access, created_at) VALUES (?, ?, 1, ?)`)
	if err != nil {
		return err
	}
	charIDs := make([]int64, len(p.characters))
	for i, c := range p.characters {
		res, err := char.ExecContext(ctx, userIDs[c.user], c.name, c.world, stamp, stamp)
		if err != nil {
			return fmt.Errorf("character %s: %w", c.name, err)
		}
		charIDs[i], _ = res.LastInsertId()
		if _, err := grant.ExecContext(ctx, userIDs[c.user], c.world, stamp); err != nil {
			return err
		}
	}
	sess, err := prep(`INSERT INTO sessions (user_id, character_id, world_id, session_id, created_at, last_activity, expires_at, client_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, s := range p.sessions {
		var charID, worldID, expires any
		if s.inWorld {
			c := p.characters[s.character]
			charID, worldID = charIDs[s.character], c.world
		}
		if s.expires != "" {
			expires = s.expires
		}
		if _, err := sess.ExecContext(ctx, userIDs[s.user], charID, worldID, s.token, s.created, s.lastAct, expires, s.client); err != nil {
			return fmt.Errorf("session: %w", err)
		}
	}
	opAt := now.Add(-time.Minute)
	_, err = sess.ExecContext(ctx, opID, nil, nil, p.operatorToken, storage.FormatTime(opAt), storage.FormatTime(opAt),
		storage.FormatTime(opAt.Add(480*time.Minute)), "tui")
	return err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
