package serve

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"

	"mudtop/auth"
	"mudtop/tui"
)

// Exit statuses a connection ends with, as the command line's.
const (
	exitOK           = 0
	exitFailure      = 1
	exitUsage        = 2
	exitUnauthorized = 3
	exitForbidden    = 4
)

// viewer is one SSH session being served, with how to end it from outside
// (Shutdown, the idle timer).
type viewer struct {
	user string
	mu   sync.Mutex
	why  string
	stop func() // ends what the session runs; set once it runs
}

// end asks the session to finish, saying why.
func (v *viewer) end(why string) {
	v.mu.Lock()
	if v.why == "" {
		v.why = why
	}
	stop := v.stop
	v.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func (v *viewer) reason() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.why
}

func (v *viewer) setStop(fn func()) {
	v.mu.Lock()
	v.stop = fn
	ended := v.why != ""
	v.mu.Unlock()
	if ended {
		fn()
	}
}

// allowedEnv is what a client may set (ssh's SendEnv): the terminal's
// colours and the locale. Anything else is ignored.
func allowedEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "TERM", k == "COLORTERM", k == "NO_COLOR", k == "LANG", strings.HasPrefix(k, "LC_"):
			out = append(out, kv)
		}
	}
	return out
}

// handle is the one middleware: every session goes through it, and it
// never hands a session on (there is nothing behind it to reach).
func (s *Server) handle(ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		code := s.serveSession(sess)
		_ = sess.Exit(code)
	}
}

func (s *Server) serveSession(sess ssh.Session) int {
	start := time.Now()
	remote := sess.RemoteAddr().String()
	logger := s.cfg.Log.With("user", sess.User(), "remote", remote)
	id, method, fp, err := s.identify(sess)
	if err != nil {
		logger.Warn("auth refused", "method", method, "key", fp, "why", err)
		wish.Errorln(sess, oneLine(err.Error()))
		return exitUnauthorized
	}
	logger = logger.With("method", method)
	if fp != "" {
		logger = logger.With("key", fp)
	}
	logger.Info("auth ok")

	_, _, hasPty := sess.Pty()
	cmd := sess.Command()
	if len(cmd) == 0 && !hasPty {
		wish.Errorln(sess, "mudtop serve: no terminal: connect with ssh -t, or give a command (ssh HOST count)")
		return exitUsage
	}
	v := &viewer{user: strings.ToLower(id.Username)}
	if why := s.enter(v); why != "" {
		logger.Warn("refused", "why", why)
		wish.Errorln(sess, "mudtop serve: "+why)
		return exitFailure
	}
	defer s.leave(v)

	login, err := s.svc.OpenSession(sess.Context(), id, ClientType)
	if err != nil {
		logger.Warn("no session", "why", err)
		wish.Errorln(sess, oneLine(err.Error()))
		return statusCode(err)
	}
	token := login.SessionID
	origin := "ssh " + remote + " " + method
	if fp != "" {
		origin += " " + fp
	}
	s.svc.SetOrigin(token, origin)
	defer func() {
		// Whatever ended the connection, its MUD session goes with it.
		s.svc.ForgetOrigin(token)
		if _, err := s.svc.RemoveSession(context.Background(), token); err != nil {
			logger.Error("remove session", "session", auth.ShortID(token), "err", err)
		}
		logger.Info("disconnect", "session", auth.ShortID(token), "duration", time.Since(start).Round(time.Second))
	}()
	if _, err := s.svc.CheckOperator(sess.Context(), token); err != nil {
		logger.Warn("refused", "session", auth.ShortID(token), "why", err)
		wish.Errorln(sess, oneLine(err.Error()))
		return statusCode(err)
	}
	logger.Info("connect", "session", auth.ShortID(token), "role", id.Role, "pty", hasPty, "command", strings.Join(cmd, " "))

	if len(cmd) > 0 {
		return s.exec(sess, v, token, cmd, logger)
	}
	return s.monitor(sess, v, token, logger)
}

// enter takes a slot for v, or says why there is none.
func (s *Server) enter(v *viewer) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closing.Load():
		return "server shutting down"
	case len(s.live) >= s.cfg.MaxSessions:
		return fmt.Sprintf("too many connections (%d); try again later", s.cfg.MaxSessions)
	case s.perUser[v.user] >= s.cfg.MaxPerUser:
		return fmt.Sprintf("%s has %d connections already (--max-per-user); close one first", v.user, s.cfg.MaxPerUser)
	}
	s.live[v] = struct{}{}
	s.perUser[v.user]++
	return ""
}

func (s *Server) leave(v *viewer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.live, v)
	if s.perUser[v.user]--; s.perUser[v.user] <= 0 {
		delete(s.perUser, v.user)
	}
}

// exec runs one command as the connection's account.
func (s *Server) exec(sess ssh.Session, v *viewer, token string, cmd []string, logger *log.Logger) int {
	if s.cfg.Exec == nil {
		wish.Errorln(sess, "mudtop serve: commands are not available")
		return exitUsage
	}
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	v.setStop(cancel)
	code := s.cfg.Exec(ctx, ExecRequest{
		Args: cmd, Token: token, Env: allowedEnv(sess.Environ()),
		Stdin: sess, Stdout: sess, Stderr: sess.Stderr(),
	})
	if why := v.reason(); why != "" {
		wish.Errorln(sess, "mudtop serve: "+why)
	}
	logger.Info("command", "command", strings.Join(cmd, " "), "status", code)
	return code
}

// statusCode is the exit status of a refusal, as the command line's.
func statusCode(err error) int {
	switch auth.Status(err) {
	case 401:
		return exitUnauthorized
	case 403:
		return exitForbidden
	}
	return exitFailure
}

// oneLine keeps a message on one line for the client's terminal.
func oneLine(s string) string { return strings.Join(strings.Fields(tui.Sanitize(s)), " ") }
