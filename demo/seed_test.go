package demo

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"mudtop/auth"
	"mudtop/storage"
)

// demoTestNow is the fake "now" the demo tests start from.
var demoTestNow = time.Date(2026, 11, 25, 19, 30, 0, 0, time.UTC)

func newDemoStore(t *testing.T) *storage.Store {
	t.Helper()
	st, err := storage.Create(context.Background(), filepath.Join(t.TempDir(), "mud.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func queryInt(t *testing.T, st *storage.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSeedShape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newDemoStore(t)
	cast, err := seedDemo(ctx, st, 7, 120, demoTestNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := queryInt(t, st, `SELECT count(*) FROM users`); got != 120 {
		t.Errorf("users = %d, want 120", got)
	}
	if cast.Created != 120 || len(cast.Sim)+len(cast.Scenery) != 120 || len(cast.Scenery) != sceneryUsers {
		t.Errorf("cast: created %d, sim %d, scenery %d", cast.Created, len(cast.Sim), len(cast.Scenery))
	}
	// All four roles, players the large majority.
	for _, role := range auth.Roles {
		n := queryInt(t, st, `SELECT count(*) FROM users WHERE role = ?`, string(role))
		if n == 0 {
			t.Errorf("no %s seeded", role)
		}
		if role == auth.Player && n < 120*3/4 {
			t.Errorf("players = %d of 120, want most", n)
		}
	}
	if n := queryInt(t, st, `SELECT count(*) FROM worlds`); n != 1+len(demoWorlds()) {
		t.Errorf("worlds = %d", n)
	}
	// Every user has a character, each character is in a world that exists
	// and that its owner was granted.
	if n := queryInt(t, st, `SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM characters c WHERE c.user_id = u.id)`); n != 0 {
		t.Errorf("%d users without a character", n)
	}
	if n := queryInt(t, st, `SELECT count(*) FROM characters c LEFT JOIN worlds w ON w.id = c.world_id WHERE w.id IS NULL`); n != 0 {
		t.Errorf("%d characters in unknown worlds", n)
	}
	if n := queryInt(t, st, `SELECT count(*) FROM characters c LEFT JOIN world_permissions p
		ON p.user_id = c.user_id AND p.world_id = c.world_id AND p.can_access = 1 WHERE p.user_id IS NULL`); n != 0 {
		t.Errorf("%d characters in worlds their owner may not enter", n)
	}
	if n := queryInt(t, st, `SELECT count(DISTINCT world_id) FROM characters`); n < 3 {
		t.Errorf("characters spread over %d worlds, want several", n)
	}
	// Staff may enter every world.
	if n := queryInt(t, st, `SELECT count(*) FROM users u WHERE u.role IN ('admin', 'superuser')
		AND (SELECT count(*) FROM world_permissions p WHERE p.user_id = u.id) != (SELECT count(*) FROM worlds)`); n != 0 {
		t.Errorf("%d staff without every world", n)
	}
	// Usernames pass the original's login rule; the simulated password works.
	for _, u := range append(slices.Clone(cast.Sim), cast.Scenery...) {
		if len(u.Name) < 2 || len(u.Name) > 20 {
			t.Errorf("username %q outside 2-20 characters", u.Name)
		}
	}
	var hash string
	if err := st.DB().QueryRow(`SELECT password_hash FROM users WHERE id = ?`, cast.Sim[0].ID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(simPassword(cast.Sim[0].Role))) != nil {
		t.Error("simulated password does not match the seeded hash")
	}
}

func TestSeedIsDeterministicAndReusable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := newDemoStore(t), newDemoStore(t)
	names := func(st *storage.Store) []string {
		rows, err := st.DB().Query(`SELECT username || '/' || role FROM users ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	if _, err := seedDemo(ctx, a, 42, 40, demoTestNow); err != nil {
		t.Fatal(err)
	}
	// b holds a foreign account under one of the planned names, with a
	// hash this demo did not write: it must be left alone.
	plan := planCast(42, 40, demoWorldIDs())
	foreign, _ := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost+1)
	if _, err := b.CreateUser(ctx, b.Q(), storage.NewUser{Username: plan[3].name, PasswordHash: string(foreign),
		Role: "player", Now: demoTestNow}); err != nil {
		t.Fatal(err)
	}
	cast, err := seedDemo(ctx, b, 42, 40, demoTestNow)
	if err != nil {
		t.Fatal(err)
	}
	if cast.Skipped != 1 || cast.Created != 39 {
		t.Errorf("with one foreign user: created %d, skipped %d; want 39, 1", cast.Created, cast.Skipped)
	}
	c, d := newDemoStore(t), newDemoStore(t)
	if _, err := seedDemo(ctx, c, 42, 40, demoTestNow); err != nil {
		t.Fatal(err)
	}
	if _, err := seedDemo(ctx, d, 43, 40, demoTestNow); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(a), names(c)) {
		t.Error("the same seed planned different users")
	}
	if slices.Equal(names(a), names(d)) {
		t.Error("different seeds planned the same users")
	}
	for _, u := range append(slices.Clone(cast.Sim), cast.Scenery...) {
		if u.Name == plan[3].name {
			t.Errorf("foreign user %s handed to the simulator", u.Name)
		}
	}

	// Seeding again reuses every user and adds nothing.
	before := queryInt(t, a, `SELECT count(*) FROM characters`)
	again, err := seedDemo(ctx, a, 42, 40, demoTestNow)
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Skipped != 0 || len(again.Sim)+len(again.Scenery) != 40 {
		t.Errorf("reseed: created %d skipped %d users %d", again.Created, again.Skipped, len(again.Sim)+len(again.Scenery))
	}
	if got := queryInt(t, a, `SELECT count(*) FROM users`); got != 40 {
		t.Errorf("users after reseed = %d, want 40", got)
	}
	if got := queryInt(t, a, `SELECT count(*) FROM characters`); got != before {
		t.Errorf("characters after reseed = %d, want %d", got, before)
	}
	for _, u := range again.Sim {
		if len(u.Characters) == 0 {
			t.Errorf("reused user %s lost its characters", u.Name)
		}
	}
}

func TestDemoAdminIsRealSuperuser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newDemoStore(t)
	svc := auth.New(st, auth.Config{TTL: time.Hour}, auth.WithClock(func() time.Time { return demoTestNow }))
	defer svc.Close()
	for _, pw := range []string{"first-password", "second-password"} { // the second run resets it
		if err := ensureDemoAdmin(ctx, st, pw, bcrypt.MinCost, demoTestNow); err != nil {
			t.Fatal(err)
		}
		res, err := svc.Login(ctx, demoAdminName, pw, "mudtop")
		if err != nil {
			t.Fatalf("login with %s: %v", pw, err)
		}
		if res.Role != string(auth.Superuser) {
			t.Errorf("role %q", res.Role)
		}
	}
	if _, err := svc.Login(ctx, demoAdminName, "first-password", "mudtop"); auth.Status(err) != 401 {
		t.Errorf("old password after reset: %v", err)
	}
	if n := queryInt(t, st, `SELECT count(*) FROM users WHERE username = ?`, demoAdminName); n != 1 {
		t.Errorf("%d demo-admin rows", n)
	}
}
