package auth

import (
	"testing"

	"mudtop/storage/storagetest"
)

// injections are SQL metacharacters and classic payloads. Every query is
// parameterised; these tests keep it that way: a string concatenated into
// SQL would either fail to parse, match rows it must not, or drop tables.
var injections = []string{
	`'`, `''`, `"`, `' OR '1'='1`, `' OR 1=1 --`, `'; DROP TABLE sessions; --`,
	`"; DROP TABLE users; --`, `admin'--`, `%`, `_`, `%%`, `a%`, `_d_i_`, `\`, `\'`,
	`x' UNION SELECT username, password_hash FROM users --`, `1; DELETE FROM sessions`,
	"\x00", `/*`, `*/`, `?`, `?1`, `:name`, `@p`, `$1`,
}

func assertTablesIntact(t *testing.T, e *env, users, sessions int) {
	t.Helper()
	for _, table := range []string{"users", "sessions", "characters", "worlds", "world_permissions", "mudtop_audit"} {
		if storagetest.Scalar[int](t, e.db, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table) != 1 {
			t.Fatalf("table %s is gone", table)
		}
	}
	if n := storagetest.Scalar[int](t, e.db, `SELECT count(*) FROM users`); n != users {
		t.Errorf("%d users, want %d", n, users)
	}
	if n := storagetest.CountSessions(t, e.db); n != sessions {
		t.Errorf("%d sessions, want %d", n, sessions)
	}
}

func TestInjectionLoginUsernames(t *testing.T) {
	e := newEnv(t, writeThrough())
	e.user("admin", "superuser")
	e.session(1, "admin-session")
	// The lookup behind login, with every payload: an unknown name is not
	// found, whatever it holds.
	for _, inj := range injections {
		for _, name := range []string{inj, "ad" + inj, inj + "admin", "admin" + inj} {
			u, ok, err := e.st.UserByName(t.Context(), e.db, name)
			if ok || err != nil {
				t.Errorf("UserByName(%q) = %+v %v %v", name, u, ok, err)
			}
		}
	}
	// Login itself with a few: unknown users cost a cost-12 dummy bcrypt
	// each (on purpose, against timing probes), so keep the list short.
	if !raceEnabled {
		for _, name := range []string{`admin' --`, `' OR '1'='1`, `';DROP TABLE users--`} {
			_, err := e.svc.Login(t.Context(), name, storagetest.Password, name)
			wantErr(t, err, ErrBadCredentials)
		}
	}
	_, err := e.svc.Login(t.Context(), "admin", `' OR '1'='1`, "")
	wantErr(t, err, ErrBadCredentials)
	assertTablesIntact(t, e, 1, 1)
}

// TestHostileNamesWorkLiterally: names full of metacharacters are just
// names: such a user logs in, is found by KickUser by that exact name, and
// nobody else is touched.
func TestHostileNamesWorkLiterally(t *testing.T) {
	cfg := writeThrough()
	cfg.AllowMultipleSessions = true
	e := newEnv(t, cfg)
	root := e.user("root", "superuser")
	e.session(root, "op")
	bystander := e.user("bob", "player")
	e.session(bystander, "bob-1")
	names := []string{`o'brien`, `x"; --`, `50%_off`, `a_b`, `%%`, `__`}
	for _, n := range names {
		e.user(n, "player")
		if _, err := e.svc.Login(t.Context(), n, storagetest.Password, n); err != nil {
			t.Fatalf("login as %q: %v", n, err)
		}
	}
	for _, n := range names {
		res, err := e.svc.KickUser(t.Context(), "op", n, n)
		if err != nil || res.Removed != 1 {
			t.Errorf("KickUser(%q) = %+v, %v; want exactly its one session", n, res, err)
		}
	}
	assertTablesIntact(t, e, 2+len(names), 2)
}

func TestInjectionKickUser(t *testing.T) {
	e := newEnv(t, writeThrough())
	root := e.user("root", "superuser")
	e.session(root, "op")
	v := e.user("victim", "player")
	e.session(v, "v")
	before := e.dump()
	for _, inj := range injections {
		for _, name := range []string{inj, "victim" + inj, inj + "victim"} {
			_, err := e.svc.KickUser(t.Context(), "op", name, inj)
			if Status(err) != 404 {
				t.Errorf("KickUser(%q): %v, want 404 User not found", name, err)
			}
		}
		if _, err := e.svc.KickSession(t.Context(), "op", SessionRef{RowID: 2, Token: inj}, inj); err == nil {
			t.Errorf("KickSession with token %q succeeded", inj)
		}
	}
	if after := e.dump(); after != before {
		t.Errorf("injection attempts changed sessions:\n%s\n%s", before, after)
	}
	assertTablesIntact(t, e, 2, 2)
}

// TestInjectionSnapshotFilter: the monitor's filter is a literal,
// case-insensitive substring; % and _ are not wildcards and quotes do not
// break out.
func TestInjectionSnapshotFilter(t *testing.T) {
	e := newEnv(t, writeThrough())
	root := e.user("root", "superuser")
	e.session(root, "op")
	for _, n := range []string{"alice", "bob", `o'brien`, "50%off", "a_b"} {
		e.session(e.user(n, "player"), "t-"+n)
	}
	want := map[string]int{
		"":            6,
		"%":           1, // only 50%off
		"_":           1, // only a_b
		"'":           1, // only o'brien
		"O'BRI":       1,
		"ali":         1,
		"player":      5, // role is searched too
		`' OR '1'='1`: 0, `'; DROP TABLE sessions; --`: 0, `%' OR 1=1 --`: 0, "\x00": 0,
	}
	for filter, n := range want {
		snap, err := e.svc.Snapshot(t.Context(), "op", ListQuery{Filter: filter, Limit: 50})
		if err != nil {
			t.Fatalf("filter %q: %v", filter, err)
		}
		if snap.Matching != n || len(snap.Rows) != n {
			t.Errorf("filter %q: matching %d rows %d, want %d", filter, snap.Matching, len(snap.Rows), n)
		}
	}
	for _, inj := range injections {
		if _, err := e.svc.Snapshot(t.Context(), "op", ListQuery{Filter: inj, Limit: 5, Offset: 0}); err != nil {
			t.Errorf("filter %q: %v", inj, err)
		}
	}
	// Paging and sorting are numbers and enums, not text.
	for sc := range SortColumns {
		for _, desc := range []bool{false, true} {
			if _, err := e.svc.Snapshot(t.Context(), "op", ListQuery{Sort: SortColumn(sc), Desc: desc, Offset: 2, Limit: 2}); err != nil {
				t.Errorf("sort %d desc %v: %v", sc, desc, err)
			}
		}
	}
	if _, err := e.svc.Snapshot(t.Context(), "op", ListQuery{Sort: SortColumn(99)}); err == nil {
		t.Error("out-of-range sort column accepted")
	}
	if _, err := e.svc.Snapshot(t.Context(), "op", ListQuery{Sort: SortColumn(-1)}); err == nil {
		t.Error("negative sort column accepted")
	}
	assertTablesIntact(t, e, 6, 6)
}
