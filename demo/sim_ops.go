package demo

import (
	"context"
	"errors"
	"slices"
	"time"

	"mudtop/auth"
)

// The simulator's operations: each makes one call to the session API (or,
// for abandon, deliberately none) and journals what it was told.

func (s *simulator) login(ctx context.Context, again bool) {
	var u *demoUser
	if again && len(s.live) > 0 {
		u = s.live[s.rng.IntN(len(s.live))].user // the same player from another device
	} else {
		u = s.offlineUser()
	}
	client := s.clientType()
	e := s.entry(opLogin, u, nil)
	e.Client = client
	start := time.Now()
	res, err := s.svc.Login(ctx, u.Name, simPassword(u.Role), client)
	took := time.Since(start)
	if err != nil {
		s.finish(&e, nil, err, took, nil)
		return
	}
	if res.Replaced > 0 || !s.svc.Config().AllowMultipleSessions {
		e.ReplacedRow = s.dropUser(u)
	}
	e.Replaced = res.Replaced
	ss := &simSession{token: res.SessionID, user: u, client: client}
	// The API hands out the token only; the row id is read for the journal
	// and the monitor's eyes, the way an operator would find it.
	if a, ok, rerr := s.store.SessionAuth(ctx, s.store.Q(), ss.token); rerr == nil && ok {
		ss.row = a.RowID
	}
	e.Row, e.SID = ss.row, auth.ShortID(ss.token)
	s.add(ss)
	s.badTries[u.ID] = 0
	s.finish(&e, nil, nil, took, nil)
}

// loginBad mistypes a password: the expected answer is 401. Users are kept
// below three failures in a row, so the login delay (429) never hits them.
func (s *simulator) loginBad(ctx context.Context) {
	u := s.offlineUser()
	if s.badTries[u.ID] >= 2 {
		s.validate(ctx)
		return
	}
	s.badTries[u.ID]++
	e := s.entry(opLoginBad, u, nil)
	start := time.Now()
	_, err := s.svc.Login(ctx, u.Name, "hunter2", s.clientType())
	took := time.Since(start)
	if err == nil { // a password the demo never sets cannot match
		err = errors.New("wrong password accepted")
	}
	s.finish(&e, nil, err, took, func(err error) bool { return errors.Is(err, auth.ErrBadCredentials) })
}

// maxWarmUp bounds the logins of a warm-up, so seeding a huge population
// does not keep the monitor waiting.
const maxWarmUp = 150

// warmUp logs in half the target population (at most maxWarmUp) and puts
// most of it in a world, so the monitor opens on a server already in full
// swing rather than watching it fill up.
func (s *simulator) warmUp(ctx context.Context) {
	for range min(s.target/2, maxWarmUp) {
		s.login(ctx, false)
	}
	for _, ss := range slices.Clone(s.live) {
		if ss.char == nil && len(ss.user.Characters) > 0 && s.rng.IntN(5) != 0 {
			s.selectFor(ctx, ss)
		}
	}
}

func (s *simulator) selectCharacter(ctx context.Context) {
	ss := s.randomSession(func(ss *simSession) bool { return ss.char == nil && len(ss.user.Characters) > 0 })
	if ss == nil {
		s.validate(ctx)
		return
	}
	s.selectFor(ctx, ss)
}

// selectFor enters the game with one of the user's characters.
func (s *simulator) selectFor(ctx context.Context, ss *simSession) {
	c := &ss.user.Characters[s.rng.IntN(len(ss.user.Characters))]
	e := s.entry(opSelect, ss.user, ss)
	e.Character, e.World = c.Name, c.WorldID
	start := time.Now()
	_, err := s.svc.SelectCharacter(ctx, ss.token, c.ID)
	took := time.Since(start)
	if err == nil {
		ss.char = c
		s.accountOnly--
	}
	s.finish(&e, ss, err, took, nil)
}

func (s *simulator) validate(ctx context.Context) {
	ss := s.randomSession(nil)
	if ss == nil {
		s.login(ctx, false)
		return
	}
	e := s.entry(opValidate, ss.user, ss)
	start := time.Now()
	_, err := s.svc.ValidateSession(ctx, ss.token)
	s.finish(&e, ss, err, time.Since(start), nil)
}

func (s *simulator) validateGame(ctx context.Context) {
	ss := s.randomSession(func(ss *simSession) bool { return ss.char != nil })
	if ss == nil {
		s.validate(ctx)
		return
	}
	e := s.entry(opValidateGame, ss.user, ss)
	start := time.Now()
	_, err := s.svc.ValidateSessionForGame(ctx, ss.token)
	s.finish(&e, ss, err, time.Since(start), nil)
}

// validatePerm is a route that needs a permission the role holds: staff
// reading logs, builders editing, players chatting.
func (s *simulator) validatePerm(ctx context.Context) {
	ss := s.randomSession(nil)
	if ss == nil {
		s.validate(ctx)
		return
	}
	p := auth.Chat
	switch ss.user.Role {
	case auth.Admin, auth.Superuser:
		p = auth.ViewLogs
	case auth.Worldbuilder:
		p = auth.EditWorld
	}
	e := s.entry(opValidatePerm, ss.user, ss)
	e.Permission = string(p)
	start := time.Now()
	_, err := s.svc.ValidateSessionWithPermission(ctx, ss.token, p)
	s.finish(&e, ss, err, time.Since(start), nil)
}

func (s *simulator) logout(ctx context.Context) {
	ss := s.randomSession(nil)
	if ss == nil {
		s.login(ctx, false)
		return
	}
	e := s.entry(opLogout, ss.user, ss)
	start := time.Now()
	_, err := s.svc.Logout(ctx, ss.token)
	took := time.Since(start)
	s.finish(&e, ss, err, took, nil)
	if err == nil {
		s.drop(ss)
	}
}

// abandon is a client that vanishes without logging out: no API call; the
// row stays, goes idle, and expires by itself.
func (s *simulator) abandon() {
	ss := s.randomSession(nil)
	if ss == nil {
		return
	}
	e := s.entry(opAbandon, ss.user, ss)
	s.drop(ss)
	e.setResult(nil, "", 0)
	s.journal.write(&e)
	s.stats.record(opAbandon, nil, 0)
}
