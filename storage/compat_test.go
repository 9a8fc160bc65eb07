package storage_test

import (
	"context"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// schemaObjects reads sqlite_master as name -> SQL with all whitespace
// removed: the original's statements are indented Python strings, ours are
// not, and only the tokens matter to SQLite.
func schemaObjects(t *testing.T, q storage.Querier) map[string]string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), `SELECT type, name, coalesce(sql, '') FROM sqlite_master`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ws := regexp.MustCompile(`\s+`)
	out := map[string]string{}
	for rows.Next() {
		var typ, name, sql string
		if err := rows.Scan(&typ, &name, &sql); err != nil {
			t.Fatal(err)
		}
		out[typ+" "+name] = ws.ReplaceAllString(sql, "")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCreateSchemaEqualsOriginal protects compatibility both ways: every
// table, index and trigger storage.Create writes must be exactly the
// original's (so the original's CREATE ... IF NOT EXISTS finds nothing to
// change, and its triggers guard mudtop's rows), and the only additions are
// mudtop's own audit and SSH key tables and its three count indexes (countindex.go).
func TestCreateSchemaEqualsOriginal(t *testing.T) {
	mine := schemaObjects(t, storagetest.New(t).DB())
	orig := schemaObjects(t, storagetest.Raw(t, storagetest.NewOriginal(t), true))
	var names []string
	for k := range mine {
		names = append(names, k)
	}
	sort.Strings(names)
	compared := 0
	added := map[string]bool{"table " + storage.AuditTable: true, "table sqlite_sequence": true,
		"table " + storage.SSHKeysTable: true, "index sqlite_autoindex_" + storage.SSHKeysTable + "_1": true,
		"index mudtop_sessions_activity": true, "index mudtop_sessions_expiry_gap": true, "index mudtop_sessions_wallclock": true}
	for k := range added {
		if _, ok := mine[k]; !ok {
			t.Errorf("storage.Create did not make %s", k)
		}
	}
	for _, k := range names {
		if added[k] {
			continue
		}
		o, ok := orig[k]
		if !ok {
			t.Errorf("storage.Create made %s, which the original does not have", k)
			continue
		}
		if o != mine[k] {
			t.Errorf("%s differs from the original:\n mudtop:   %s\n original: %s", k, mine[k], o)
		}
		compared++
	}
	// 5 tables, their autoindexes, 8 indexes, 2 triggers: a vacuous pass
	// (say, an empty sqlite_master) must not look like agreement.
	if compared < 20 {
		t.Errorf("only %d schema objects compared", compared)
	}
	for k := range orig {
		if k == "table chat_messages" || regexp.MustCompile(`chat_messages`).MatchString(k) {
			continue // a table mudtop does not use; the original adds it beside ours
		}
		if _, ok := mine[k]; !ok {
			t.Errorf("the original has %s; storage.Create does not", k)
		}
	}
	// The default world row, as init_database seeds it.
	db := storagetest.New(t).DB()
	if got := storagetest.Dump(t, db, "worlds"); !regexp.MustCompile(`^id=text:pipeworks_web \| name=text:pipeworks_web \| description=text: \| is_active=integer:1 \| config_json=text:\{\} \| created_at=text:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$`).MatchString(got) {
		t.Errorf("default world row = %q", got)
	}
}

// TestOpenKeepsRollbackJournal protects the live server: opening, reading
// and writing the original's database must never switch it to WAL, a
// setting stored in the file that would change it for the original too.
func TestOpenKeepsRollbackJournal(t *testing.T) {
	path := storagetest.NewOriginal(t)
	raw := storagetest.Raw(t, path, true)
	if got := storagetest.JournalMode(t, raw); got != "delete" {
		t.Fatalf("original db journal_mode = %q, want delete", got)
	}
	st := storagetest.Open(t, path, storage.Options{})
	if st.WAL() {
		t.Error("store reports WAL on a rollback-journal database")
	}
	if !st.HasAudit() {
		t.Error("audit table not added to a writable foreign database")
	}
	ctx := context.Background()
	uid := storagetest.AddUser(t, st.DB(), storagetest.User{Name: "alice"})
	err := st.Write(ctx, func(q storage.Querier) error {
		_, err := st.CreateSession(ctx, q, storage.NewSession{UserID: uid, Token: "tok-1", ClientType: "browser",
			Now: storagetest.Epoch(), TTL: 480 * time.Minute, ReplaceExisting: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := storagetest.JournalMode(t, st.DB()); got != "delete" {
		t.Errorf("after mudtop wrote: journal_mode = %q, want delete", got)
	}
	if got := storagetest.JournalMode(t, raw); got != "delete" {
		t.Errorf("seen from another connection: journal_mode = %q, want delete", got)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Errorf("%s-wal exists: the database was switched to WAL", path)
	}
	// The original's tables are untouched: only mudtop's own tables (the
	// audit log, the SSH keys and its unique index) were added.
	o := schemaObjects(t, raw)
	fresh := schemaObjects(t, storagetest.Raw(t, storagetest.NewOriginal(t), true))
	for k := range o {
		if strings.Contains(k, storage.AuditTable) || strings.Contains(k, storage.SSHKeysTable) {
			delete(o, k)
		}
	}
	if len(o) != len(fresh) {
		t.Errorf("schema objects after Open: %d, original has %d", len(o), len(fresh))
	}
	for k, v := range fresh {
		if o[k] != v {
			t.Errorf("Open changed %s", k)
		}
	}
}

// TestCreateUsesWAL: a database mudtop creates is its own, and WAL keeps
// the monitor's reads from blocking the writer.
func TestCreateUsesWAL(t *testing.T) {
	st := storagetest.New(t)
	if got := storagetest.JournalMode(t, st.DB()); got != "wal" || !st.WAL() {
		t.Errorf("journal_mode = %q, WAL() = %v; want wal, true", got, st.WAL())
	}
}

// TestCreateSessionRowShape checks the row CreateSession writes against the
// row the original's own INSERT writes for the same moment: same types,
// same 19-character text, expiry exactly TTL after creation, last_login
// stamped.
func TestCreateSessionRowShape(t *testing.T) {
	ctx := context.Background()
	st := storagetest.Open(t, storagetest.NewOriginal(t), storage.Options{})
	db := st.DB()
	uid := storagetest.AddUser(t, db, storagetest.User{Name: "alice"})
	uid2 := storagetest.AddUser(t, db, storagetest.User{Name: "bob"})
	now := time.Date(2026, 11, 25, 18, 28, 40, 999_000_000, time.UTC) // fraction must be dropped, not rounded
	cases := []struct {
		client, want string
	}{
		{"Browser ", "browser"}, {"", "unknown"}, {"  TUI\t", "tui"},
	}
	for i, c := range cases {
		tok := "mine-" + c.want
		err := st.Write(ctx, func(q storage.Querier) error {
			_, err := st.CreateSession(ctx, q, storage.NewSession{UserID: uid, Token: tok,
				ClientType: c.want, Now: now.Add(time.Duration(i) * time.Hour), TTL: 480 * time.Minute})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range []string{"created_at", "last_activity", "expires_at"} {
			if ty := storagetest.Typeof(t, db, tok, col); ty != "text" {
				t.Errorf("%s typeof = %s, want text", col, ty)
			}
		}
		created := storagetest.Text(t, db, tok, "created_at")
		if want := now.Add(time.Duration(i) * time.Hour).Format("2006-01-02 15:04:05"); created != want {
			t.Errorf("created_at = %q, want %q (truncated, 19 chars)", created, want)
		}
		if la := storagetest.Text(t, db, tok, "last_activity"); la != created {
			t.Errorf("last_activity = %q, want created_at %q", la, created)
		}
		// Exactly TTL later, by SQLite's own arithmetic.
		if n := storagetest.Scalar[int](t, db, `SELECT count(*) FROM sessions WHERE session_id = ?
			AND expires_at = datetime(created_at, '+480 minutes')`, tok); n != 1 {
			t.Errorf("expires_at %q is not created_at + 480 minutes", storagetest.Text(t, db, tok, "expires_at"))
		}
		if got := storagetest.Text(t, db, tok, "client_type"); got != c.want {
			t.Errorf("client_type = %q", got)
		}
		if got := storagetest.Scalar[string](t, db, `SELECT coalesce(CAST(last_login AS TEXT), '') FROM users WHERE id = ?`, uid); got != created {
			t.Errorf("users.last_login = %q, want %q", got, created)
		}
	}
	// The original's own INSERT, for the shape reference.
	storagetest.Exec(t, db, storagetest.OriginalInsertSession, uid2, nil, nil, "theirs", "+480 minutes", "browser")
	re := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)
	for _, tok := range []string{"theirs", "mine-browser"} {
		for _, col := range []string{"created_at", "last_activity", "expires_at"} {
			if v := storagetest.Text(t, db, tok, col); !re.MatchString(v) {
				t.Errorf("%s %s = %q, not the 19-char form", tok, col, v)
			}
		}
		if storagetest.Typeof(t, db, tok, "character_id") != "null" || storagetest.Typeof(t, db, tok, "world_id") != "null" {
			t.Errorf("%s: an account session must have NULL character_id and world_id", tok)
		}
	}
}

// TestCreateSessionNoTTL: TTL 0 stores NULL, as the original.
func TestCreateSessionNoTTL(t *testing.T) {
	ctx := context.Background()
	st := storagetest.New(t)
	uid := storagetest.AddUser(t, st.DB(), storagetest.User{Name: "alice"})
	if err := st.Write(ctx, func(q storage.Querier) error {
		_, err := st.CreateSession(ctx, q, storage.NewSession{UserID: uid, Token: "t", ClientType: "x", Now: storagetest.Epoch()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if ty := storagetest.Typeof(t, st.DB(), "t", "expires_at"); ty != "null" {
		t.Errorf("expires_at typeof = %s, want null", ty)
	}
}

// TestCreateSessionReplaceIsAtomic: the single-session rule's DELETE and
// the INSERT are one transaction. A failing INSERT (duplicate token held by
// another user) must leave the user's earlier sessions in place, as the
// original's rollback does.
func TestCreateSessionReplaceIsAtomic(t *testing.T) {
	ctx := context.Background()
	st := storagetest.New(t)
	db := st.DB()
	a := storagetest.AddUser(t, db, storagetest.User{Name: "alice"})
	b := storagetest.AddUser(t, db, storagetest.User{Name: "bob"})
	storagetest.AddSession(t, db, storagetest.Session{UserID: a, Token: "a-old", Now: storagetest.Epoch(), TTL: time.Hour})
	storagetest.AddSession(t, db, storagetest.Session{UserID: b, Token: "dup", Now: storagetest.Epoch(), TTL: time.Hour})
	before := storagetest.Dump(t, db, "sessions")
	err := st.Write(ctx, func(q storage.Querier) error {
		_, err := st.CreateSession(ctx, q, storage.NewSession{UserID: a, Token: "dup", Now: storagetest.Epoch(), TTL: time.Hour, ReplaceExisting: true})
		return err
	})
	if err == nil {
		t.Fatal("duplicate token accepted")
	}
	if after := storagetest.Dump(t, db, "sessions"); after != before {
		t.Errorf("failed create changed sessions:\nbefore %s\nafter  %s", before, after)
	}
	// The quirk: re-creating one's own token with the rule on succeeds.
	err = st.Write(ctx, func(q storage.Querier) error {
		n, err := st.CreateSession(ctx, q, storage.NewSession{UserID: a, Token: "a-old", Now: storagetest.Epoch(), TTL: time.Hour, ReplaceExisting: true})
		if n != 1 {
			t.Errorf("replaced %d, want 1", n)
		}
		return err
	})
	if err != nil {
		t.Errorf("re-creating own token: %v", err)
	}
}

// TestTriggersGuardMudtopRows: the original's invariant triggers refuse a
// session bound to someone else's character, whoever writes it.
func TestTriggersGuardMudtopRows(t *testing.T) {
	ctx := context.Background()
	st := storagetest.New(t)
	db := st.DB()
	a := storagetest.AddUser(t, db, storagetest.User{Name: "alice"})
	b := storagetest.AddUser(t, db, storagetest.User{Name: "bob"})
	cb := storagetest.AddCharacter(t, db, b, "Bobby", storage.DefaultWorldID)
	storagetest.AddSession(t, db, storagetest.Session{UserID: a, Token: "ta", Now: storagetest.Epoch(), TTL: time.Hour})
	_, err := st.SetSessionCharacter(ctx, st.Q(), "ta", cb, storage.DefaultWorldID)
	if err == nil || !regexp.MustCompile(`character does not belong to user`).MatchString(err.Error()) {
		t.Errorf("binding another user's character: err = %v", err)
	}
}

// TestWorldAndCharacterWriters: the rows mudtop init and the demo write
// for worlds, grants and characters are shaped as the original's.
func TestWorldAndCharacterWriters(t *testing.T) {
	ctx := context.Background()
	st := storagetest.New(t)
	db := st.DB()
	now := time.Date(2026, 11, 25, 18, 28, 40, 500_000_000, time.UTC)
	uid := storagetest.AddUser(t, db, storagetest.User{Name: "alice"})
	if err := st.UpsertWorld(ctx, db, "w2", "World Two", "desc"); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertWorld(ctx, db, "w2", "Renamed", ""); err != nil {
		t.Fatal(err)
	}
	if got := storagetest.Scalar[string](t, db, `SELECT name || '|' || description || '|' || is_active || '|' || config_json FROM worlds WHERE id = 'w2'`); got != "Renamed||1|{}" {
		t.Errorf("world row %q", got)
	}
	for range 2 { // idempotent
		if err := st.GrantWorld(ctx, db, uid, "w2"); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := st.HasWorldAccess(ctx, db, uid, "w2"); !ok || err != nil {
		t.Errorf("grant not seen: %v %v", ok, err)
	}
	if ok, err := st.HasWorldAccess(ctx, db, uid, storage.DefaultWorldID); ok || err != nil {
		t.Errorf("ungranted world: %v %v", ok, err)
	}
	cid, err := st.CreateCharacter(ctx, db, uid, "Ali", "w2", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := storagetest.Scalar[string](t, db, `SELECT typeof(created_at) || '|' || created_at || '|' || updated_at || '|' || inventory || '|' || state_seed FROM characters WHERE id = ?`, cid); got != "text|2026-11-25 18:28:40|2026-11-25 18:28:40|[]|0" {
		t.Errorf("character row %q", got)
	}
	if _, err := st.CreateCharacter(ctx, db, uid, "Ali", "w2", now); err == nil {
		t.Error("duplicate (world, name) accepted")
	}
	storagetest.AddSession(t, db, storagetest.Session{UserID: uid, Token: "s", CharacterID: cid, WorldID: "w2", Now: now, TTL: time.Hour})
	if n, err := st.DeleteCharacterSessions(ctx, db, cid); n != 1 || err != nil {
		t.Errorf("DeleteCharacterSessions = %d %v", n, err)
	}
}
