package auth_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"mudtop/auth"
	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// grantsDB builds, on the original's schema, the size for the
// grants view: 10,000 accounts and 100,000 sessions (ten each, 60% in a
// world), with a sprinkling of every finding: odd roles (1%), legacy
// superusers, deactivated and tombstoned accounts (2%), expired guests
// (1%), and characters in a world that has no row (0.5%).
func grantsDB(b *testing.B) (*auth.Service, string) {
	b.Helper()
	const users, perUser = 10_000, 10
	path := storagetest.NewOriginal(b)
	raw := storagetest.Raw(b, path, true)
	now := storagetest.BenchNow()
	ctx := context.Background()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	for _, w := range storagetest.Worlds() {
		storagetest.Exec(b, tx, `INSERT OR IGNORE INTO worlds (id, name, description, is_active, config_json) VALUES (?, ?, '', 1, '{}')`, w, w)
	}
	insUser, _ := tx.Prepare(`INSERT INTO users (username, password_hash, role, is_active, is_guest, guest_expires_at, account_origin, created_at, last_login, tombstoned_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	insChar, _ := tx.Prepare(`INSERT INTO characters (user_id, name, world_id) VALUES (?, ?, ?)`)
	insSess, _ := tx.Prepare(`INSERT INTO sessions (user_id, character_id, world_id, session_id, created_at, last_activity, expires_at, client_type)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'web')`)
	rng := rand.New(rand.NewPCG(11, 11))
	ts := storage.FormatTime
	op := ""
	for i := 1; i <= users; i++ {
		role, active, guest, origin := "player", 1, 0, "legacy"
		var guestExp, tomb any
		switch r := rng.IntN(1000); {
		case r < 10:
			role = []string{"Admin", "moderator", " admin", ""}[r%4]
		case r < 20:
			role = "superuser"
		case r < 50:
			role = "admin"
		case r < 100:
			role = "worldbuilder"
		case r < 120:
			active = 0
		case r < 125:
			active, tomb = 0, ts(now.Add(-time.Hour))
		case r < 135:
			guest, origin, guestExp = 1, "visitor", ts(now.Add(-time.Hour))
		}
		if i == 1 {
			role, op = "superuser", "bench-operator"
		}
		res, err := insUser.Exec(fmt.Sprintf("user%05d", i), storagetest.Hash4, role, active, guest, guestExp, origin, ts(now), ts(now), tomb)
		if err != nil {
			b.Fatal(err)
		}
		uid, _ := res.LastInsertId()
		world := storagetest.Worlds()[i%5]
		if rng.IntN(200) == 0 {
			world = "ghost"
		}
		cr, err := insChar.Exec(uid, fmt.Sprintf("Char%05d", i), world)
		if err != nil {
			b.Fatal(err)
		}
		cid, _ := cr.LastInsertId()
		for j := 0; j < perUser; j++ {
			tok := fmt.Sprintf("%08x-%04x-4000-8000-%012x", i, j, rng.Uint64()&0xffffffffffff)
			if i == 1 && j == 0 {
				op = tok
			}
			la := now.Add(-time.Duration(rng.IntN(600)) * time.Minute)
			var c, w any
			if rng.IntN(100) < 60 && !(i == 1 && j == 0) {
				c, w = cid, world
			}
			if _, err := insSess.Exec(uid, c, w, tok, ts(la), ts(la), ts(la.Add(480*time.Minute))); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	st, err := storage.Open(ctx, path, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	svc := auth.New(st, auth.DefaultConfig(), auth.WithClock(func() time.Time { return now }))
	b.Cleanup(func() {
		svc.Close()
		st.Close()
	})
	return svc, op
}

// BenchmarkGrants is one screen of the grants view at the size
// (10,000 accounts, 100,000 sessions, on the original's schema): the
// findings page with its counts by kind, a permission's holders (first
// page and a deep one), and one account's grants. The budget is 25 ms.
func BenchmarkGrants(b *testing.B) {
	svc, op := grantsDB(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"findings", func() error { _, err := svc.Grants(ctx, op, auth.GrantsQuery{Limit: 40}); return err }},
		{"findings_page_5", func() error { _, err := svc.Grants(ctx, op, auth.GrantsQuery{Offset: 160, Limit: 40}); return err }},
		{"holders_kick_users", func() error {
			_, err := svc.Grants(ctx, op, auth.GrantsQuery{Permission: auth.KickUsers, Limit: 40})
			return err
		}},
		{"holders_play_game_deep", func() error {
			_, err := svc.Grants(ctx, op, auth.GrantsQuery{Permission: auth.PlayGame, Offset: 9000, Limit: 40})
			return err
		}},
		{"user", func() error { _, err := svc.UserGrants(ctx, op, "user05000"); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/screen")
		})
	}
}
