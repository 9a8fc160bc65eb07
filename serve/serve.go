// Package serve is `mudtop serve`: the monitor and the scriptable commands
// over SSH, with MUD accounts as the only way in. The SSH user name is the
// MUD username; it authenticates with a key registered to that account or
// with the account's password through auth's login check and throttle. Each
// connection gets a MUD session of its own (client type ssh), removed when
// the connection ends, and may do nothing its account's permissions do not
// allow: there is no shell and no file to reach around them.
//
// One shared poll feeds every viewer: the header counts are read once per
// tick for all of them, and each viewer's own page is its only read.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"mudtop/auth"
	"mudtop/tui"
)

// Defaults of the command's flags.
const (
	DefaultListen      = "127.0.0.1:2222"
	DefaultMaxSessions = 32
	DefaultMaxPerUser  = 4
	DefaultIdleTimeout = 30 * time.Minute
	// authTimeout bounds the handshake and authentication together.
	authTimeout = 30 * time.Second
	// maxAuthTries is how many authentication attempts a connection gets.
	maxAuthTries = 3
	// shutdownGrace is how long Shutdown waits for viewers to leave.
	shutdownGrace = 3 * time.Second
)

// ClientType is the client type of the MUD sessions mudtop serve opens.
const ClientType = "ssh"

// Config is mudtop serve's settings and what the command line hands it.
type Config struct {
	HostKey     gossh.Signer
	MaxSessions int           // connections with a session at once
	MaxPerUser  int           // of one account
	IdleTimeout time.Duration // without a key press; 0 = off
	NoPassword  bool          // keys only
	Interval    time.Duration // the shared poll's tick
	Log         *log.Logger
	// DBLabel names the database in the monitor's header.
	DBLabel string
	// Keys and Theme build each viewer's monitor, as locally.
	Keys  tui.KeyMap
	Theme func(noColor bool) (fn tui.ThemeFunc, detect bool, err error)
	// Exec runs an exec request's command line as the session token's
	// account and returns its exit status (the command line supplies it:
	// serve does not import cli).
	Exec func(ctx context.Context, r ExecRequest) int
}

// ExecRequest is one exec request: `ssh host count --json`.
type ExecRequest struct {
	Args   []string
	Token  string // the connection's MUD session
	Env    []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Server is a running mudtop serve.
type Server struct {
	cfg  Config
	svc  *auth.Service
	ssh  *ssh.Server
	feed *feed

	mu      sync.Mutex
	live    map[*viewer]struct{} // sessions being served
	perUser map[string]int
	rawConn atomic.Int64 // TCP connections, authenticated or not
	closing atomic.Bool
}

// New builds the server over svc.
func New(svc *auth.Service, cfg Config) (*Server, error) {
	if cfg.HostKey == nil {
		return nil, errors.New("serve: no host key")
	}
	if cfg.Log == nil {
		cfg.Log = log.New(io.Discard)
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxPerUser <= 0 {
		cfg.MaxPerUser = DefaultMaxPerUser
	}
	if cfg.Interval <= 0 {
		cfg.Interval = tui.DefaultInterval
	}
	s := &Server{cfg: cfg, svc: svc, live: map[*viewer]struct{}{}, perUser: map[string]int{}}
	s.feed = newFeed(svc, cfg.Interval, cfg.Log)
	opts := []ssh.Option{
		wish.WithPublicKeyAuth(s.publicKeyAuth),
		wish.WithMiddleware(s.handle),
		func(srv *ssh.Server) error {
			srv.HostSigners = []ssh.Signer{cfg.HostKey}
			srv.HandshakeTimeout = authTimeout
			srv.Version = "mudtop"
			srv.ServerConfigCallback = func(ssh.Context) *gossh.ServerConfig {
				return &gossh.ServerConfig{MaxAuthTries: maxAuthTries}
			}
			srv.ConnCallback = s.admit
			// Forwarding, agent and X11 are refused: the default handlers
			// answer no to all of them, and no subsystem (sftp) exists.
			srv.LocalPortForwardingCallback = func(ssh.Context, string, uint32) bool { return false }
			srv.ReversePortForwardingCallback = func(ssh.Context, string, uint32) bool { return false }
			return nil
		},
	}
	if !cfg.NoPassword {
		opts = append(opts, wish.WithPasswordAuth(s.passwordAuth), wish.WithKeyboardInteractiveAuth(s.keyboardAuth))
	}
	srv, err := wish.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s.ssh = srv
	svc.OnAction(func(e auth.AuditEntry) {
		if strings.HasPrefix(e.Origin, "ssh ") {
			cfg.Log.Info("action", "user", e.Actor, "action", e.Action, "target", e.Target, "result", e.Result,
				"reason", e.Reason, "origin", e.Origin)
		}
	})
	return s, nil
}

// Fingerprint is the host key's SHA256 fingerprint, as ssh prints it on
// first connect.
func (s *Server) Fingerprint() string { return gossh.FingerprintSHA256(s.cfg.HostKey.PublicKey()) }

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	go s.feed.run()
	err := s.ssh.Serve(l)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// OnTick sets a function told the time of each shared tick (benchmarks).
func (s *Server) OnTick(fn func(time.Time)) { s.feed.setOnTick(fn) }

// OnPage sets a function told, for each viewer's page on screen, the time
// of the shared tick it answered (benchmarks measure tick to frame).
func (s *Server) OnPage(fn func(time.Time)) { s.feed.setOnPage(fn) }

// Shutdown tells every viewer the server is shutting down, ends their
// connections (whose MUD sessions are then logged out), flushes pending
// activity, and closes the listener. It returns within ctx's deadline.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.feed.stop()
	s.mu.Lock()
	for v := range s.live {
		v.end("server shutting down")
	}
	s.mu.Unlock()
	grace, cancel := context.WithTimeout(ctx, shutdownGrace)
	defer cancel()
	for s.liveCount() > 0 && grace.Err() == nil {
		select {
		case <-grace.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
	err := s.ssh.Close()
	if ferr := s.svc.Flush(context.WithoutCancel(ctx)); err == nil {
		err = ferr
	}
	if errors.Is(err, ssh.ErrServerClosed) {
		err = nil
	}
	return err
}

func (s *Server) liveCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live)
}

// admit bounds TCP connections before authentication, so a flood of
// half-open handshakes cannot exhaust the server; the real limits
// (MaxSessions, MaxPerUser) apply once an account is known.
func (s *Server) admit(_ ssh.Context, c net.Conn) net.Conn {
	if s.closing.Load() || s.rawConn.Add(1) > int64(2*s.cfg.MaxSessions+8) {
		s.rawConn.Add(-1)
		return nil
	}
	return &countedConn{Conn: c, n: &s.rawConn}
}

// countedConn gives back its slot once closed.
type countedConn struct {
	net.Conn
	n    *atomic.Int64
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.n.Add(-1) })
	return c.Conn.Close()
}
