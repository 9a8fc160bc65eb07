// Package auth is the session API of the original MUD server, in Go: login,
// validation with expiry and sliding renewal, permission checks, removal,
// clear-all and counts, plus the guarded actions an administrator takes and
// the reads behind the monitor. It holds the rules; storage holds the facts.
// It knows nothing of terminals.
//
// Contract, as the original's: a session that is missing or expired is the
// typed 401 *Error (an expired row is removed when looked up); a missing
// permission is 403; a database failure is a *StoreError, never a 401.
package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"mudtop/storage"
)

// Clock returns the current time. Tests inject a fake one; nothing in auth
// reads the wall clock directly, so expiry is tested without sleeping.
type Clock func() time.Time

// Service is the session API over one store. It is safe for concurrent use.
type Service struct {
	store    *storage.Store
	cfg      Config
	now      Clock
	activity *activity
	limiter  *loginLimiter
	closeMu  sync.Mutex
	closed   bool
	// origins maps a session id to where it is used from (SetOrigin), for
	// the audit rows of its actions.
	origins sync.Map
	// countReads counts header-count reads (CountReads).
	countReads atomic.Int64
	// onAction is told every audited action (OnAction).
	onAction atomic.Pointer[func(AuditEntry)]
}

// Option configures a Service.
type Option func(*Service)

// WithClock injects the clock.
func WithClock(c Clock) Option { return func(s *Service) { s.now = c } }

// New builds the service. When cfg.ActivityFlush > 0 it starts the one
// background goroutine that writes coalesced activity updates; Close stops
// it and writes what is pending.
func New(store *storage.Store, cfg Config, opts ...Option) *Service {
	s := &Service{store: store, cfg: cfg, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.limiter = newLoginLimiter()
	s.activity = newActivity(store, cfg.ActivityFlush)
	return s
}

// Config returns the settings the service runs with.
func (s *Service) Config() Config { return s.cfg }

// Store returns the underlying store (for the path and read-only state).
func (s *Service) Store() *storage.Store { return s.store }

// Flush writes any coalesced activity updates now.
func (s *Service) Flush(ctx context.Context) error { return s.activity.flush(ctx) }

// Close writes pending activity and stops the background writer. It does
// not close the store, which the caller owns.
func (s *Service) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.activity.close()
}

func (s *Service) clock() time.Time { return s.now().UTC() }

// SetOrigin records where the session token acts from ("ssh
// 203.0.113.9:50122 publickey SHA256:…"): every guarded action it takes is
// audited with it. mudtop serve sets it for each connection's session and
// calls ForgetOrigin when the connection ends.
func (s *Service) SetOrigin(token, origin string) { s.origins.Store(token, origin) }

// ForgetOrigin drops what SetOrigin recorded.
func (s *Service) ForgetOrigin(token string) { s.origins.Delete(token) }

// Origin is what SetOrigin recorded for token, or "" (a local terminal).
func (s *Service) Origin(token string) string {
	if o, ok := s.origins.Load(token); ok {
		return o.(string)
	}
	return ""
}

// OnAction sets a function told of every guarded action once it is
// audited, done or refused (mudtop serve logs those of its connections).
// It runs on the acting goroutine, after the transaction: keep it quick.
func (s *Service) OnAction(fn func(AuditEntry)) { s.onAction.Store(&fn) }

func (s *Service) told(e AuditEntry) {
	if fn := s.onAction.Load(); fn != nil && *fn != nil {
		(*fn)(e)
	}
}
