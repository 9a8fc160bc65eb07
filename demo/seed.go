package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"mudtop/auth"
	"mudtop/storage"
)

// demoAdminName is the operator account `mudtop demo` logs in with.
const demoAdminName = "demo-admin"

// sceneryUsers is how many players are kept out of the simulator's hands:
// their sessions are planted with old timestamps (idle, expiring, expired,
// never-expiring) and anomalies, so the monitor shows every state at once.
const sceneryUsers = 7

// minDemoUsers leaves room for the scenery and all four roles.
const minDemoUsers = 20

// simPassword is the password of every simulated account of a role. It is
// no secret: these are demo accounts, hashed at bcrypt.MinCost. The real
// cost (12) takes ~250 ms per check; at MinCost a login costs about 1 ms,
// which lets the simulator sustain hundreds of operations per second. Only
// the demo superuser the operator logs in as gets a real cost-12 hash.
func simPassword(role auth.Role) string { return "demo-" + string(role) }

// demoCharacter is a character the simulator may select.
type demoCharacter struct {
	ID      int64
	Name    string
	WorldID string
}

// demoUser is one seeded account.
type demoUser struct {
	ID         int64
	Name       string
	Role       auth.Role
	Characters []demoCharacter
}

// demoCast is the seeded population the simulator and the scenery use.
type demoCast struct {
	// Sim are the accounts the simulated server logs in and out.
	Sim []*demoUser
	// Scenery are players reserved for planted sessions.
	Scenery []*demoUser
	// Worlds are the world ids that exist, the default one first.
	Worlds []string
	// Created counts the users this run inserted (0 on a reused database
	// that already held them all).
	Created int
	// Skipped counts planned users that existed with a password this demo
	// did not set: they are left alone and never logged in.
	Skipped int
}

// plannedUser is a user as the seed decides it, before the database is
// consulted, so one seed always plans the same cast whatever the file holds.
type plannedUser struct {
	name       string
	role       auth.Role
	worlds     []string
	characters []demoCharacter // IDs filled in when written
	createdAgo time.Duration
	scenery    bool
}

// planCast draws the whole population from the seed: names, roles (mostly
// players, some worldbuilders, a few admins, one superuser besides the demo
// operator), world grants and characters.
func planCast(seed uint64, n int, worlds []string) []plannedUser {
	r := rand.New(rand.NewPCG(seed, 0x6d7564746f70))
	nm := newNamer(r)
	admins := max(1, n*3/100)
	builders := max(2, n/12)
	roles := make([]auth.Role, n)
	for i := range roles {
		switch {
		case i == 0:
			roles[i] = auth.Superuser
		case i <= admins:
			roles[i] = auth.Admin
		case i <= admins+builders:
			roles[i] = auth.Worldbuilder
		default:
			roles[i] = auth.Player
		}
	}
	r.Shuffle(n, func(i, j int) { roles[i], roles[j] = roles[j], roles[i] })

	usedUsers := map[string]bool{demoAdminName: true}
	usedChars := map[string]bool{} // world + "\x00" + name: unique per world
	out := make([]plannedUser, n)
	scenery := 0
	for i := range out {
		p := plannedUser{
			name:       uniqueName(usedUsers, nm.username, 20),
			role:       roles[i],
			createdAgo: time.Duration(1+r.IntN(400)) * 24 * time.Hour,
		}
		if p.role == auth.Player && scenery < sceneryUsers {
			p.scenery = true
			scenery++
		}
		p.worlds = grantsFor(r, p.role, worlds)
		for _, w := range charWorlds(r, p.role, p.worlds) {
			name := uniqueName(usedChars, func() string { return w + "\x00" + nm.character() }, 200)
			p.characters = append(p.characters, demoCharacter{Name: strings.TrimPrefix(name, w+"\x00"), WorldID: w})
		}
		out[i] = p
	}
	return out
}

// demoWorldIDs lists every world of a demo database, the default first.
func demoWorldIDs() []string {
	ids := []string{storage.DefaultWorldID}
	for _, w := range demoWorlds() {
		ids = append(ids, w.ID)
	}
	return ids
}

// grantsFor picks the worlds a user may enter: staff see every world,
// builders a few, players one or two (the default world most often).
func grantsFor(r *rand.Rand, role auth.Role, worlds []string) []string {
	k := 1 + r.IntN(2)
	switch role {
	case auth.Admin, auth.Superuser:
		return append([]string(nil), worlds...)
	case auth.Worldbuilder:
		k = 2 + r.IntN(max(1, len(worlds)-1))
	}
	perm := r.Perm(len(worlds))
	if r.IntN(2) == 0 { // half the players start in the default world
		for i, p := range perm {
			if p == 0 {
				perm[0], perm[i] = perm[i], perm[0]
			}
		}
	}
	out := make([]string, 0, k)
	for _, p := range perm[:min(k, len(worlds))] {
		out = append(out, worlds[p])
	}
	return out
}

// charWorlds decides where a user has characters: one per granted world for
// players and builders (sometimes an alt in the same world), one for staff.
func charWorlds(r *rand.Rand, role auth.Role, granted []string) []string {
	if role == auth.Admin || role == auth.Superuser {
		return []string{granted[r.IntN(len(granted))]}
	}
	out := append([]string(nil), granted...)
	if r.IntN(6) == 0 {
		out = append(out, granted[0])
	}
	return out
}

// seedDemo writes the worlds and the planned cast in one transaction.
// Users that already exist are not re-seeded: one this demo created before
// (its password is the role's simulated one) is loaded with its characters;
// any other is counted in Skipped and never touched.
func seedDemo(ctx context.Context, store *storage.Store, seed uint64, n int, now time.Time) (*demoCast, error) {
	worlds := demoWorldIDs()
	plan := planCast(seed, n, worlds)
	// One cheap hash per role, computed once: hashing hundreds of users
	// one by one would take minutes even at MinCost's scale of effort.
	hashes := map[auth.Role]string{}
	for _, role := range auth.Roles {
		h, err := bcrypt.GenerateFromPassword([]byte(simPassword(role)), bcrypt.MinCost)
		if err != nil {
			return nil, fmt.Errorf("hash demo password: %w", err)
		}
		hashes[role] = string(h)
	}
	cast := &demoCast{Worlds: worlds}
	err := store.Write(ctx, func(q storage.Querier) error {
		for _, w := range demoWorlds() {
			if err := store.UpsertWorld(ctx, q, w.ID, w.Name, w.Description); err != nil {
				return err
			}
		}
		for _, p := range plan {
			u, err := seedUser(ctx, store, q, p, hashes[p.role], now)
			if err != nil {
				return fmt.Errorf("seed user %s: %w", p.name, err)
			}
			switch {
			case u == nil:
				cast.Skipped++
				continue
			case u.created:
				cast.Created++
			}
			if p.scenery {
				cast.Scenery = append(cast.Scenery, &u.demoUser)
			} else {
				cast.Sim = append(cast.Sim, &u.demoUser)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cast, nil
}

type seededUser struct {
	demoUser
	created bool
}

// seedUser creates one planned user with its grants and characters, or
// loads it when it exists with this demo's password. nil means "exists but
// is not ours".
func seedUser(ctx context.Context, store *storage.Store, q storage.Querier, p plannedUser, hash string, now time.Time) (*seededUser, error) {
	existing, found, err := store.UserByName(ctx, q, p.name)
	if err != nil {
		return nil, err
	}
	if found {
		if !ownHash(existing.PasswordHash, p.role) {
			return nil, nil
		}
		u := &seededUser{demoUser: demoUser{ID: existing.ID, Name: p.name, Role: auth.Role(existing.Role)}}
		u.Characters, err = loadCharacters(ctx, store, q, existing.ID)
		return u, err
	}
	id, err := store.CreateUser(ctx, q, storage.NewUser{
		Username: p.name, PasswordHash: hash, Role: string(p.role), Origin: "legacy", Now: now.Add(-p.createdAgo),
	})
	if err != nil {
		return nil, err
	}
	u := &seededUser{demoUser: demoUser{ID: id, Name: p.name, Role: p.role}, created: true}
	for _, w := range p.worlds {
		if err := store.GrantWorld(ctx, q, id, w); err != nil {
			return nil, err
		}
	}
	for _, c := range p.characters {
		cid, err := store.CreateCharacter(ctx, q, id, c.Name, c.WorldID, now.Add(-p.createdAgo/2))
		if err != nil {
			// A name another account already holds in that world (a reused
			// database): the user simply has one character fewer.
			if strings.Contains(err.Error(), "UNIQUE") {
				continue
			}
			return nil, err
		}
		c.ID = cid
		u.Characters = append(u.Characters, c)
	}
	return u, nil
}

// ownHash reports whether hash is the one this demo writes for role: cheap
// to check, because only MinCost hashes are compared at all (a real cost-12
// hash is someone else's account, and checking it would take 250 ms).
func ownHash(hash string, role auth.Role) bool {
	if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != bcrypt.MinCost {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(simPassword(role))) == nil
}

// loadCharacters reads a reused user's characters in the worlds it may
// still enter, so the simulator only makes selections the server allows.
func loadCharacters(ctx context.Context, store *storage.Store, q storage.Querier, userID int64) ([]demoCharacter, error) {
	grants, err := store.WorldGrants(ctx, q, userID)
	if err != nil {
		return nil, err
	}
	allowed := map[string]bool{}
	for _, w := range grants {
		allowed[w] = true
	}
	rows, err := q.QueryContext(ctx, `SELECT id, name, CAST(world_id AS TEXT) FROM characters WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("read characters: %w", err)
	}
	defer rows.Close()
	var out []demoCharacter
	for rows.Next() {
		var c demoCharacter
		if err := rows.Scan(&c.ID, &c.Name, &c.WorldID); err != nil {
			return nil, fmt.Errorf("read characters: %w", err)
		}
		if allowed[c.WorldID] {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// ensureDemoAdmin makes the operator's superuser account with a real
// cost-12 hash of password (cost is lowered only by tests). On a reused
// database the account is reset to this run's password, role and active
// state, since the previous run's password was printed once and is gone.
func ensureDemoAdmin(ctx context.Context, store *storage.Store, password string, cost int, now time.Time) error {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return fmt.Errorf("hash %s password: %w", demoAdminName, err)
	}
	return store.Write(ctx, func(q storage.Querier) error {
		_, found, err := store.UserByName(ctx, q, demoAdminName)
		if err != nil {
			return err
		}
		if !found {
			_, err = store.CreateUser(ctx, q, storage.NewUser{
				Username: demoAdminName, PasswordHash: string(h), Role: string(auth.Superuser), Origin: "system", Now: now,
			})
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE users SET password_hash = ?, role = ?, is_active = 1, tombstoned_at = NULL
			WHERE username = ?`, string(h), string(auth.Superuser), demoAdminName)
		if err != nil {
			return fmt.Errorf("reset %s: %w", demoAdminName, err)
		}
		return nil
	})
}
