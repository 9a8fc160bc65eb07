package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mudtop/auth"
	"mudtop/storage"
)

// sceneryReplant is how often the scenery is planted again. The expiring
// session is planted with sceneryExpiresIn left: it counts down, shows as
// expired for the rest of the period, then a fresh one replaces it, so a
// demo of a few minutes shows an expiry happen. Replanting also brings back
// scenery an operator kicked or cleared.
const (
	sceneryReplant   = 3 * time.Minute
	sceneryExpiresIn = 2 * time.Minute
)

// scenery plants sessions the live simulator could not produce in a short
// demo: rows written straight to the store with an earlier "now", as a
// server that had been running for hours would hold them: idle, expiring
// soon, expired but not yet removed, never expiring, plus two anomalies (a
// deactivated user's lingering session; one user with two sessions on the
// same character despite the single-session rule). The simulator never
// touches these users.
type scenery struct {
	svc     *auth.Service
	store   *storage.Store
	now     auth.Clock // the service's clock
	users   []*demoUser
	journal *journal
	next    time.Time // when the expiring session is planted again
}

// plant is one planted session.
type plant struct {
	user    *demoUser
	note    string
	ago     time.Duration // created and last active this long ago
	ttl     time.Duration // 0: never expires
	client  string
	inWorld bool
	keep    bool // keep the user's other sessions (the multi-session anomaly)
}

// plants lists what to write at now.
func (sc *scenery) plants() []plant {
	ttl := sc.svc.Config().TTL
	u := sc.users
	ps := []plant{
		{user: u[0], note: "idle", ago: 47 * time.Minute, ttl: ttl, client: "telnet", inWorld: true},
		{user: u[1], note: "expiring soon", ago: ttl - sceneryExpiresIn, ttl: ttl, client: "web", inWorld: true},
		{user: u[2], note: "expired, not yet removed", ago: ttl + 12*time.Minute, ttl: ttl, client: "mobile"},
		{user: u[3], note: "never expires", ago: 95 * time.Minute, ttl: 0, client: "discord"},
		{user: u[4], note: "deactivated user's session", ago: 9 * time.Minute, ttl: ttl, client: "telnet", inWorld: true},
		{user: u[5], note: "two sessions, one character", ago: 21 * time.Minute, ttl: ttl, client: "web", inWorld: true},
		{user: u[5], note: "two sessions, one character", ago: 2 * time.Minute, ttl: ttl, client: "mobile", inWorld: true, keep: true},
		{user: u[6], note: "idle account session", ago: 160 * time.Minute, ttl: ttl, client: "web"},
	}
	if ttl <= 5*time.Minute {
		// No expiry configured (or a tiny one): the expiring and expired
		// rows cannot be shown honestly, so they become plain idle ones.
		ps[1].ago, ps[1].note = 40*time.Minute, "idle"
		ps[2].ago, ps[2].note = 70*time.Minute, "idle"
	}
	return ps
}

// plantAll writes every scenery session, replacing the scenery users'
// earlier ones (so a reused database does not pile them up), and marks the
// anomaly's user inactive.
func (sc *scenery) plantAll(ctx context.Context) error {
	sc.next = sc.now().Add(sceneryReplant)
	if len(sc.users) < sceneryUsers {
		return nil
	}
	for _, p := range sc.plants() {
		if err := sc.plantOne(ctx, p); err != nil {
			return err
		}
	}
	if err := sc.store.SetUserActive(ctx, sc.store.Q(), sc.users[4].ID, false); err != nil {
		return fmt.Errorf("deactivate %s: %w", sc.users[4].Name, err)
	}
	return nil
}

// maybeReplant plants the scenery again when it is due.
func (sc *scenery) maybeReplant(ctx context.Context) error {
	if sc == nil || sc.now().Before(sc.next) {
		return nil
	}
	return sc.plantAll(ctx)
}

func (sc *scenery) plantOne(ctx context.Context, p plant) error {
	now := sc.now()
	n := storage.NewSession{
		UserID:          p.user.ID,
		Token:           uuid.NewString(),
		ClientType:      p.client,
		Now:             now.Add(-p.ago),
		TTL:             p.ttl,
		ReplaceExisting: !p.keep,
	}
	e := journalEntry{Time: journalTime(now), Op: "plant", User: p.user.Name, Client: p.client, Note: p.note}
	if p.inWorld && len(p.user.Characters) > 0 {
		c := p.user.Characters[0]
		n.CharacterID, n.WorldID = c.ID, c.WorldID
		e.Character, e.World = c.Name, c.WorldID
	}
	start := time.Now()
	err := sc.store.Write(ctx, func(q storage.Querier) error {
		_, err := sc.store.CreateSession(ctx, q, n)
		return err
	})
	e.setResult(err, n.Token, time.Since(start))
	if err == nil {
		if a, ok, rerr := sc.store.SessionAuth(ctx, sc.store.Q(), n.Token); rerr == nil && ok {
			e.Row = a.RowID
		}
		e.SID = auth.ShortID(n.Token)
	}
	sc.journal.write(&e)
	if err != nil {
		return fmt.Errorf("plant %s session for %s: %w", p.note, p.user.Name, err)
	}
	return nil
}
