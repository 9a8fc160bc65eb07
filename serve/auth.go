package serve

import (
	"context"
	"net"
	"strconv"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"mudtop/auth"
)

// How a connection authenticated, kept in the connection's permissions
// (which the library resets before every attempt, so a failed method never
// leaves a mark).
const (
	extMethod = "mudtop-method"
	extUserID = "mudtop-uid"
)

// Method names, as the logs and the audit origin give them.
const (
	methodKey      = "publickey"
	methodPassword = "password"
	methodKeyboard = "keyboard-interactive"
)

// remoteHost is the address the throttle counts, without the port: one
// host opening many connections is one guesser.
func remoteHost(a net.Addr) string {
	if a == nil {
		return ""
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// publicKeyAuth accepts a key registered to the SSH user's account. It is
// also asked about keys the client only offers, before proving it holds
// them, so it opens nothing: the session handler re-checks the key it got.
func (s *Server) publicKeyAuth(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	_, err := s.svc.AuthenticateKey(context.Background(), ctx.User(), fp)
	if err != nil {
		s.cfg.Log.Warn("auth refused", "user", ctx.User(), "remote", ctx.RemoteAddr(), "method", methodKey, "key", fp, "why", err)
		return false
	}
	return true
}

// passwordAuth checks the account's password through auth's login path
// and throttle (per username and per remote host, shared by all
// connections).
func (s *Server) passwordAuth(ctx ssh.Context, password string) bool {
	return s.checkPassword(ctx, password, methodPassword)
}

// keyboardAuth asks for the password once, without echo (how OpenSSH asks
// when PasswordAuthentication is off on the client).
func (s *Server) keyboardAuth(ctx ssh.Context, challenge gossh.KeyboardInteractiveChallenge) bool {
	answers, err := challenge(ctx.User(), "", []string{"Password: "}, []bool{false})
	if err != nil || len(answers) != 1 {
		return false
	}
	return s.checkPassword(ctx, answers[0], methodKeyboard)
}

func (s *Server) checkPassword(ctx ssh.Context, password, method string) bool {
	id, err := s.svc.Authenticate(context.Background(), ctx.User(), password, remoteHost(ctx.RemoteAddr()))
	if err != nil {
		s.cfg.Log.Warn("auth refused", "user", ctx.User(), "remote", ctx.RemoteAddr(), "method", method, "why", err)
		return false
	}
	perms := ctx.Permissions()
	if perms.Extensions == nil {
		perms.Extensions = map[string]string{}
	}
	perms.Extensions[extMethod] = method
	perms.Extensions[extUserID] = strconv.FormatInt(id.UserID, 10)
	return true
}

// identify re-checks, when the session starts, who the connection is: for
// a key, that it is still registered and the account active; for a
// password, the account it proved (OpenSession re-reads it).
func (s *Server) identify(sess ssh.Session) (id auth.Identity, method, fingerprint string, err error) {
	if pk := sess.PublicKey(); pk != nil {
		fingerprint = gossh.FingerprintSHA256(pk)
		id, err = s.svc.AuthenticateKey(sess.Context(), sess.User(), fingerprint)
		return id, methodKey, fingerprint, err
	}
	ext := sess.Permissions().Extensions
	uid, perr := strconv.ParseInt(ext[extUserID], 10, 64)
	if ext[extMethod] == "" || perr != nil {
		return auth.Identity{}, "", "", auth.ErrBadCredentials
	}
	return auth.Identity{UserID: uid, Username: sess.User()}, ext[extMethod], "", nil
}
