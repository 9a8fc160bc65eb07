package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"mudtop/storage"
)

// dummyHash is verified when the username is unknown, so that a miss takes
// as long as a wrong password (the original does the same).
const dummyHash = "$2b$12$hGVjC5Se/R7QAu0NyLwI/eBrm7B9Ezaux1mvxhBpXTWj3ikpjDXhy"

// BcryptCost is the cost of hashes mudtop writes, the original's.
const BcryptCost = 12

// HashPassword returns a bcrypt hash the original's passlib verifies.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// NormalizeClientType is the original's client-type rule: stripped and
// lowercased; empty becomes "unknown".
func NormalizeClientType(ct string) string {
	ct = strings.ToLower(pyStrip(ct))
	if ct == "" {
		return "unknown"
	}
	return ct
}

// pyStrip is Python's str.strip(): it also strips \x1c-\x1f, which Go's
// strings.TrimSpace keeps, so the original's route and mudtop read the same
// username and client type from the same input.
func pyStrip(s string) string { return strings.TrimFunc(s, isPySpace) }

// Login checks a password and creates an account session, as the
// original's POST /login: the username is trimmed and must be 2-20
// characters (400), an unknown user or wrong password is 401 "Invalid
// username or password", an inactive or tombstoned account is 401 "Account
// is deactivated". The new session id is a random v4 UUID; with the
// single-session rule the user's other sessions are removed in the same
// transaction. After three failures in a row for one username, further
// attempts for it are refused for a growing delay (429).
func (s *Service) Login(ctx context.Context, username, password, clientType string) (LoginResult, error) {
	id, err := s.Authenticate(ctx, username, password, "")
	if err != nil {
		return LoginResult{}, err
	}
	return s.openSession(ctx, id, clientType, !s.cfg.AllowMultipleSessions)
}

// Authenticate is Login's password check without the session: the same
// 400, 401 and 429 answers and the same throttle, counted per username and,
// when remote is not empty, per remote address too (mudtop serve passes the
// client's address, so one address guessing many usernames is slowed as
// well). Every caller in the process shares one throttle.
func (s *Service) Authenticate(ctx context.Context, username, password, remote string) (Identity, error) {
	username = pyStrip(username)
	if n := len([]rune(username)); n < 2 || n > 20 {
		return Identity{}, ErrUsernameLength
	}
	keys := []string{username}
	if remote != "" {
		// NUL cannot start a username that reaches here, so an address
		// never shares a count with an account.
		keys = append(keys, "\x00addr "+remote)
	}
	now := s.clock()
	for _, k := range keys {
		if wait := s.limiter.wait(k, now); wait > 0 {
			return Identity{}, TooManyAttempts(wait)
		}
	}
	fail := func() {
		for _, k := range keys {
			s.limiter.fail(k, s.clock())
		}
	}
	u, found, err := s.store.UserByName(ctx, s.store.Q(), username)
	if err != nil {
		return Identity{}, storeErr("login", err)
	}
	hash := dummyHash
	if found {
		hash = u.PasswordHash
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || !found {
		fail()
		return Identity{}, ErrBadCredentials
	}
	if !u.Active || u.Tombstoned {
		fail()
		return Identity{}, ErrDeactivated
	}
	if u.Role == "" {
		return Identity{}, &Error{401, "Invalid user role"}
	}
	for _, k := range keys {
		s.limiter.reset(k)
	}
	return Identity{UserID: u.ID, Username: u.Username, Role: u.Role}, nil
}

// OpenSession creates a session for an account already authenticated (by
// Authenticate or AuthenticateKey), keeping the account's other sessions
// whatever allow_multiple_sessions says: mudtop serve opens one per SSH
// connection, and watching the monitor must not log an admin out of the
// game. The account is re-read, so one deactivated since is refused.
func (s *Service) OpenSession(ctx context.Context, id Identity, clientType string) (LoginResult, error) {
	u, found, err := s.store.UserByName(ctx, s.store.Q(), id.Username)
	if err != nil {
		return LoginResult{}, storeErr("open session", err)
	}
	if !found || u.ID != id.UserID {
		return LoginResult{}, ErrBadCredentials
	}
	if !u.Active || u.Tombstoned {
		return LoginResult{}, ErrDeactivated
	}
	return s.openSession(ctx, Identity{UserID: u.ID, Username: u.Username, Role: u.Role}, clientType, false)
}

func (s *Service) openSession(ctx context.Context, id Identity, clientType string, replace bool) (LoginResult, error) {
	token := uuid.NewString()
	var replaced int
	err := s.store.Write(ctx, func(q storage.Querier) error {
		var err error
		replaced, err = s.store.CreateSession(ctx, q, storage.NewSession{
			UserID:          id.UserID,
			Token:           token,
			ClientType:      NormalizeClientType(clientType),
			Now:             s.clock(),
			TTL:             s.cfg.TTL,
			ReplaceExisting: replace,
		})
		return err
	})
	if err != nil {
		return LoginResult{}, storeErr("create session", err)
	}
	return LoginResult{Identity: id, SessionID: token, Replaced: replaced}, nil
}

// Logout is the original's POST /logout: validate (401 possible), then
// remove the session.
func (s *Service) Logout(ctx context.Context, token string) (Identity, error) {
	id, err := s.ValidateSession(ctx, token)
	if err != nil {
		return id, err
	}
	if _, err := s.RemoveSession(ctx, token); err != nil {
		return id, err
	}
	return id, nil
}

// SelectCharacter is the original's POST /characters/select: the session
// must be valid, the character the user's (404), the user granted its world
// (403); the session then becomes an in-world session with the same token.
func (s *Service) SelectCharacter(ctx context.Context, token string, characterID int64) (GameIdentity, error) {
	var g GameIdentity
	err := s.writeKeepingRefusals(ctx, func(q storage.Querier) error {
		id, _, err := s.validate(ctx, q, token)
		if err != nil {
			return err
		}
		c, ok, err := s.store.CharacterByID(ctx, q, characterID)
		if err != nil {
			return err
		}
		if !ok || c.UserID != id.UserID {
			return ErrCharacterNotOwned
		}
		if c.WorldID == "" {
			return &Error{400, "World id required"}
		}
		access, err := s.store.HasWorldAccess(ctx, q, id.UserID, c.WorldID)
		if err != nil {
			return err
		}
		if !access {
			return ErrWorldAccess
		}
		if ok, err := s.store.SetSessionCharacter(ctx, q, token, c.ID, c.WorldID); err != nil {
			return err
		} else if !ok {
			return &Error{500, "Failed to select character"}
		}
		g = GameIdentity{Identity: id, CharacterID: c.ID, CharacterName: c.Name, WorldID: c.WorldID}
		return nil
	})
	return g, storeErr("select character", err)
}

// TooManyAttempts is the refusal while a username is in its login delay.
func TooManyAttempts(wait time.Duration) *Error {
	secs := int((wait + time.Second - 1) / time.Second)
	return &Error{429, fmt.Sprintf("Too many failed logins. Try again in %d s.", secs)}
}

// loginLimiter slows password guessing: per username, in this process.
// Three failures in a row are free (typos); each further one doubles the
// wait, from 1 s up to 30 s. A success resets it.
type loginLimiter struct {
	mu    sync.Mutex
	state map[string]limitState
}

type limitState struct {
	failures int
	last     time.Time
}

func newLoginLimiter() *loginLimiter { return &loginLimiter{state: map[string]limitState{}} }

func loginDelay(failures int) time.Duration {
	if failures < 3 {
		return 0
	}
	d := time.Second << (failures - 3)
	if d > 30*time.Second || d <= 0 {
		d = 30 * time.Second
	}
	return d
}

func (l *loginLimiter) wait(user string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.state[strings.ToLower(user)]
	until := st.last.Add(loginDelay(st.failures))
	if now.Before(until) {
		return until.Sub(now)
	}
	return 0
}

// limiterForgetAfter and limiterMaxEntries bound the limiter's memory: a
// guesser cycling through many usernames must not grow it without end. A
// count older than the longest delay no longer slows anyone, so losing it
// costs nothing but the "in a row" memory of a long-idle name.
const (
	limiterForgetAfter = 15 * time.Minute
	limiterMaxEntries  = 10000
)

func (l *loginLimiter) fail(user string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.state) >= limiterMaxEntries {
		for k, st := range l.state {
			if now.Sub(st.last) > limiterForgetAfter {
				delete(l.state, k)
			}
		}
	}
	k := strings.ToLower(user)
	st := l.state[k]
	st.failures++
	st.last = now
	l.state[k] = st
}

func (l *loginLimiter) reset(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.state, strings.ToLower(user))
}
