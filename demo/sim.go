package demo

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"mudtop/auth"
	"mudtop/storage"
)

// simSession is a session the simulated server believes its client holds.
type simSession struct {
	token  string
	row    int64
	user   *demoUser
	char   *demoCharacter // nil while account-only
	client string
	idx    int // position in simulator.live
}

// simulator plays a game server's traffic through the auth API: players log
// in from several kinds of client, pick a character, play (validations
// with sliding renewal), log out or simply vanish; now and then a burst of
// logins arrives or someone mistypes a password. One simulator is one
// shard: it owns its users, so shards never race over a session. It is
// driven one operation at a time by step, which makes it testable with a
// seeded source and a fake clock.
type simulator struct {
	svc     *auth.Service
	store   *storage.Store
	now     auth.Clock
	rng     *rand.Rand
	users   []*demoUser
	scenery *scenery // shard 0 only
	journal *journal
	stats   *simStats

	live        []*simSession
	sessionsOf  map[int64]int // live sessions per user id
	accountOnly int           // live sessions without a character
	target      int           // the live-session count the simulator drifts towards
	// churn scales the logins, logouts and other comings and goings against
	// validations: 1 at demo rates, where the monitor should visibly move;
	// lower at soak rates, where a real server's traffic is mostly requests
	// on sessions that already exist (see churnFor).
	churn    float64
	burst    int           // logins still due in the current burst
	badTries map[int64]int // wrong passwords in a row per user, kept under the login delay
}

func newSimulator(svc *auth.Service, store *storage.Store, now auth.Clock, seed uint64, users []*demoUser,
	j *journal, stats *simStats) *simulator {
	return &simulator{
		svc: svc, store: store, now: now, users: users, journal: j, stats: stats,
		rng:        rand.New(rand.NewPCG(seed, 0x73696d)),
		sessionsOf: map[int64]int{},
		badTries:   map[int64]int{},
		// About two in five accounts online at once, as on a busy evening.
		target: max(1, len(users)*2/5),
		churn:  1,
	}
}

// Operation names, as they appear in the journal.
const (
	opLogin        = "login"
	opLoginBad     = "login_bad"
	opSelect       = "select"
	opValidate     = "validate"
	opValidateGame = "validate_game"
	opValidatePerm = "validate_perm"
	opLogout       = "logout"
	opAbandon      = "abandon"
	opRelogin      = "relogin" // chosen as such, journaled as a login
	opBurst        = "burst"   // starts a burst; its logins are journaled one by one
)

// step performs one operation. Errors the server is expected to answer
// (a wrong password, a session someone else removed) are part of the
// traffic; anything else is counted as unexpected in stats.
func (s *simulator) step(ctx context.Context) {
	if err := s.scenery.maybeReplant(ctx); err != nil {
		s.stats.unexpectedErr()
	}
	if len(s.users) == 0 {
		return
	}
	if s.burst > 0 {
		s.burst--
		s.login(ctx, false)
		return
	}
	switch op := s.pick(); op {
	case opLogin:
		s.login(ctx, false)
	case opRelogin:
		s.login(ctx, true)
	case opLoginBad:
		s.loginBad(ctx)
	case opBurst:
		// A raid starting, a server announcement: many logins at once.
		s.burst = 8 + s.rng.IntN(25)
		s.login(ctx, false)
	case opSelect:
		s.selectCharacter(ctx)
	case opValidateGame:
		s.validateGame(ctx)
	case opValidatePerm:
		s.validatePerm(ctx)
	case opLogout:
		s.logout(ctx)
	case opAbandon:
		s.abandon()
	default:
		s.validate(ctx)
	}
}

// pick chooses the next operation. Logins and logouts lean towards keeping
// the live count near target, so the population breathes around it.
func (s *simulator) pick() string {
	n := len(s.live)
	if n == 0 {
		return opLogin
	}
	fill := float64(n) / float64(s.target)
	inWorld := float64(n - s.accountOnly)
	type w struct {
		op     string
		weight float64
	}
	c := s.churn
	ws := [...]w{
		{opLogin, c * clamp(0.09*(1.6-fill), 0.01, 0.3)},
		{opLogout, c * clamp(0.06*fill, 0.005, 0.3)},
		{opSelect, 0.5 * float64(s.accountOnly) / float64(n)},
		{opValidateGame, 0.4 * inWorld / float64(n)},
		{opValidate, 0.25},
		{opValidatePerm, 0.03},
		{opRelogin, c * 0.006},
		{opAbandon, c * 0.004},
		{opLoginBad, c * 0.004},
		{opBurst, c * 0.0015},
	}
	total := 0.0
	for _, x := range ws {
		total += x.weight
	}
	r := s.rng.Float64() * total
	for _, x := range ws {
		if r < x.weight {
			return x.op
		}
		r -= x.weight
	}
	return opValidate
}

func clamp(v, lo, hi float64) float64 { return min(max(v, lo), hi) }

// clientType is weighted as a MUD's audience: mostly the web client, then
// old-school telnet, phones, and a Discord bridge.
func (s *simulator) clientType() string {
	switch r := s.rng.IntN(100); {
	case r < 42:
		return "web"
	case r < 68:
		return "telnet"
	case r < 88:
		return "mobile"
	default:
		return "discord"
	}
}

// offlineUser picks a user without a live session, or any user when a few
// tries find everyone online.
func (s *simulator) offlineUser() *demoUser {
	for range 8 {
		u := s.users[s.rng.IntN(len(s.users))]
		if s.sessionsOf[u.ID] == 0 {
			return u
		}
	}
	return s.users[s.rng.IntN(len(s.users))]
}

// randomSession picks a live session matching want (nil: any), or nil.
func (s *simulator) randomSession(want func(*simSession) bool) *simSession {
	if len(s.live) == 0 {
		return nil
	}
	for range 8 {
		ss := s.live[s.rng.IntN(len(s.live))]
		if want == nil || want(ss) {
			return ss
		}
	}
	return nil
}

func (s *simulator) add(ss *simSession) {
	ss.idx = len(s.live)
	s.live = append(s.live, ss)
	s.sessionsOf[ss.user.ID]++
	if ss.char == nil {
		s.accountOnly++
	}
}

func (s *simulator) drop(ss *simSession) {
	if ss.idx < 0 || ss.idx >= len(s.live) || s.live[ss.idx] != ss {
		return
	}
	last := s.live[len(s.live)-1]
	s.live[ss.idx], last.idx = last, ss.idx
	s.live = s.live[:len(s.live)-1]
	ss.idx = -1
	if s.sessionsOf[ss.user.ID]--; s.sessionsOf[ss.user.ID] <= 0 {
		delete(s.sessionsOf, ss.user.ID)
	}
	if ss.char == nil {
		s.accountOnly--
	}
}

// dropUser forgets every live session of u: the server replaced them.
func (s *simulator) dropUser(u *demoUser) (row int64) {
	for i := len(s.live) - 1; i >= 0; i-- {
		if ss := s.live[i]; ss.user == u {
			row = ss.row
			s.drop(ss)
		}
	}
	return row
}

// entry starts a journal line for an operation on ss (which may be nil).
func (s *simulator) entry(op string, u *demoUser, ss *simSession) journalEntry {
	e := journalEntry{Time: journalTime(s.now()), Op: op, User: u.Name}
	if ss != nil {
		e.Row, e.SID = ss.row, auth.ShortID(ss.token)
		if ss.char != nil {
			e.Character, e.World = ss.char.Name, ss.char.WorldID
		}
	}
	return e
}

// finish records an operation's outcome. A 401 on a session this shard
// held means another actor removed it (kicked, cleared) or it expired; the
// simulator forgets it and counts it as gone, not as a fault.
func (s *simulator) finish(e *journalEntry, ss *simSession, err error, took time.Duration, expected func(error) bool) {
	token := ""
	if ss != nil {
		token = ss.token
	}
	e.setResult(err, token, took)
	switch {
	case err == nil:
	case ss != nil && errors.Is(err, auth.ErrInvalidSession):
		e.Gone = true
		s.drop(ss)
		s.stats.gone()
	case expected != nil && expected(err):
	default:
		s.stats.unexpectedErr()
	}
	if e.Busy {
		s.stats.busyErr()
	}
	s.stats.record(e.Op, err, took)
	s.journal.write(e)
}
