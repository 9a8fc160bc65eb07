package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// syncBuffer is a log the server writes from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// sshFixture is a real mudtop serve on 127.0.0.1:0 over the fixture's
// database, and real SSH clients (golang.org/x/crypto/ssh) against it.
type sshFixture struct {
	*fixture
	addr     string
	logs     *syncBuffer
	shutdown func()
	keys     map[string]gossh.Signer // by account
}

func newSSH(t *testing.T, opts ...func(*serveOptions)) *sshFixture {
	t.Helper()
	f := newFixture(t)
	f.clock.Set(time.Now().UTC()) // the server runs on the wall clock
	f.staff()
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	host, err := gossh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	o := serveOptions{listen: "127.0.0.1:0", hostKey: host, maxSessions: 32, maxPerUser: 4, log: log.New(logs)}
	for _, fn := range opts {
		fn(&o)
	}
	g := &Globals{DB: f.db, Getenv: func(k string) string { return f.env[k] }, Look: testLook(), Stderr: logs}
	setDefaults(g)
	srv, svc, l, err := startServe(context.Background(), g, o)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	var once sync.Once
	x := &sshFixture{fixture: f, addr: l.Addr().String(), logs: logs, keys: map[string]gossh.Signer{}}
	x.shutdown = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			<-served
			svc.close()
		})
	}
	t.Cleanup(x.shutdown)
	for _, u := range []string{"admin1", "root", "alice"} {
		x.keys[u] = x.register(u)
	}
	return x
}

// register adds a fresh key for the account, as `mudtop keys add` would.
func (x *sshFixture) register(user string) gossh.Signer {
	x.t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		x.t.Fatal(err)
	}
	ctx := context.Background()
	u, ok, err := x.store.UserByName(ctx, x.store.Q(), user)
	if err != nil || !ok {
		x.t.Fatalf("user %s: %v", user, err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
	err = x.store.Write(ctx, func(q storage.Querier) error {
		return x.store.AddSSHKey(ctx, q, storage.NewSSHKey{UserID: u.ID, Fingerprint: gossh.FingerprintSHA256(signer.PublicKey()),
			Key: line, AddedBy: "test", Now: time.Now()})
	})
	if err != nil {
		x.t.Fatal(err)
	}
	return signer
}

func (x *sshFixture) dial(user string, methods ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", x.addr, &gossh.ClientConfig{
		User: user, Auth: methods, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
}

func (x *sshFixture) client(user string) *gossh.Client {
	x.t.Helper()
	c, err := x.dial(user, gossh.PublicKeys(x.keys[user]))
	if err != nil {
		x.t.Fatalf("dial as %s: %v", user, err)
	}
	x.t.Cleanup(func() { c.Close() })
	return c
}

// exec runs one command over SSH as user and returns its output and status.
func (x *sshFixture) exec(user, cmd, stdin string) result {
	x.t.Helper()
	c := x.client(user)
	sess, err := c.NewSession()
	if err != nil {
		x.t.Fatal(err)
	}
	defer sess.Close()
	var out, errb bytes.Buffer
	sess.Stdout, sess.Stderr, sess.Stdin = &out, &errb, strings.NewReader(stdin)
	err = sess.Run(cmd)
	code := 0
	var ee *gossh.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitStatus()
	} else if err != nil {
		x.t.Fatalf("run %q: %v", cmd, err)
	}
	return result{code, out.String(), errb.String()}
}

// screen is a PTY session's output as it arrives.
type screen struct {
	sess *gossh.Session
	in   io.WriteCloser
	out  *syncBuffer
	done chan error
}

func (x *sshFixture) shell(user string, c *gossh.Client) *screen {
	x.t.Helper()
	if c == nil {
		c = x.client(user)
	}
	sess, err := c.NewSession()
	if err != nil {
		x.t.Fatal(err)
	}
	x.t.Cleanup(func() { sess.Close() })
	if err := sess.RequestPty("xterm-256color", 40, 140, gossh.TerminalModes{}); err != nil {
		x.t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		x.t.Fatal(err)
	}
	s := &screen{sess: sess, in: in, out: &syncBuffer{}, done: make(chan error, 1)}
	sess.Stdout, sess.Stderr = s.out, s.out
	if err := sess.Shell(); err != nil {
		x.t.Fatal(err)
	}
	go func() { s.done <- sess.Wait() }()
	return s
}

// waitFor polls the screen until it holds want, for at most 10 s.
func (s *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(s.out.String(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("screen never showed %q; last output:\n%q", want, tail(s.out.String(), 600))
}

// exit waits for the session to end and returns its exit status.
func (s *screen) exit(t *testing.T) int {
	t.Helper()
	select {
	case err := <-s.done:
		var ee *gossh.ExitError
		if errors.As(err, &ee) {
			return ee.ExitStatus()
		}
		if err != nil {
			t.Fatalf("session: %v", err)
		}
		return 0
	case <-time.After(10 * time.Second):
		t.Fatal("session did not end")
		return -1
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// sshSessions counts the MUD sessions mudtop serve opened.
func (x *sshFixture) sshSessions() int {
	x.t.Helper()
	return storagetest.Scalar[int](x.t, x.store.DB(), `SELECT count(*) FROM sessions WHERE client_type = 'ssh'`)
}

func (x *sshFixture) waitSSHSessions(want int) {
	x.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && x.sshSessions() != want {
		time.Sleep(20 * time.Millisecond)
	}
	if got := x.sshSessions(); got != want {
		x.t.Fatalf("%d ssh sessions, want %d", got, want)
	}
}

func TestServeKeyAuthAndExec(t *testing.T) {
	x := newSSH(t)
	r := x.exec("admin1", "count --json", "")
	r.want(t, exitOK, "")
	var remote struct{ Active int }
	if err := json.Unmarshal([]byte(r.stdout), &remote); err != nil {
		t.Fatalf("count --json over ssh: %v %q", err, r.stdout)
	}
	x.waitSSHSessions(0) // the command's own session is gone
	local := x.run("count", "--json")
	var here struct{ Active int }
	if err := json.Unmarshal([]byte(local.stdout), &here); err != nil {
		t.Fatal(err)
	}
	// The connection's own session is a real one, counted while it ran.
	if remote.Active != here.Active+1 {
		t.Fatalf("count over ssh %d, local %d (+1 for the connection's own session)", remote.Active, here.Active)
	}
	if !strings.Contains(x.logs.String(), "auth ok") || !strings.Contains(x.logs.String(), "method=publickey") {
		t.Fatalf("log lacks the auth line:\n%s", x.logs)
	}
	if strings.Contains(x.logs.String(), tokAdmin) {
		t.Fatal("a whole session id reached the log")
	}
}

func TestServeRefusesUnknownAndDeactivatedKeys(t *testing.T) {
	x := newSSH(t)
	_, stranger, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(stranger)
	if _, err := x.dial("admin1", gossh.PublicKeys(signer)); err == nil {
		t.Fatal("an unregistered key logged in")
	}
	// admin1's own key, offered as another account, is refused too.
	if _, err := x.dial("root", gossh.PublicKeys(x.keys["admin1"])); err == nil {
		t.Fatal("admin1's key logged in as root")
	}
	storagetest.Exec(t, x.store.DB(), `UPDATE users SET is_active = 0 WHERE username = 'admin1'`)
	if _, err := x.dial("admin1", gossh.PublicKeys(x.keys["admin1"])); err == nil {
		t.Fatal("a deactivated account's key logged in")
	}
	if !strings.Contains(x.logs.String(), "Account is deactivated") {
		t.Fatalf("log does not say why:\n%s", x.logs)
	}
}

func TestServePasswordAndThrottle(t *testing.T) {
	x := newSSH(t)
	c, err := x.dial("admin1", gossh.Password(storagetest.Password))
	if err != nil {
		t.Fatalf("password login: %v", err)
	}
	c.Close()
	// Three wrong passwords for one user, then even the right one waits.
	for range 3 {
		if _, err := x.dial("admin1", gossh.Password("wrong")); err == nil {
			t.Fatal("wrong password accepted")
		}
	}
	if _, err := x.dial("admin1", gossh.Password(storagetest.Password)); err == nil {
		t.Fatal("the right password went through while the user was throttled")
	}
	// And per address: wrong guesses at other names slow this address for
	// every name (the user throttle of root is untouched).
	for _, u := range []string{"nobody1", "nobody2", "nobody3"} {
		x.dial(u, gossh.Password("guess"))
	}
	if _, err := x.dial("root", gossh.Password(storagetest.Password)); err == nil {
		t.Fatal("the address kept guessing without delay")
	}
	if !strings.Contains(x.logs.String(), "Too many failed logins") {
		t.Fatalf("log lacks the throttle:\n%s", x.logs)
	}
	if strings.Contains(x.logs.String(), storagetest.Password) || strings.Contains(x.logs.String(), "wrong") && strings.Contains(x.logs.String(), "password=") {
		t.Fatal("a password reached the log")
	}
}

func TestServeNoPasswordRefusesPasswords(t *testing.T) {
	x := newSSH(t, func(o *serveOptions) { o.noPassword = true })
	if _, err := x.dial("admin1", gossh.Password(storagetest.Password)); err == nil {
		t.Fatal("--no-password accepted a password")
	}
	x.exec("admin1", "count", "").want(t, exitOK, "")
}

func TestServeRefusesPlayers(t *testing.T) {
	x := newSSH(t)
	r := x.exec("alice", "count", "")
	r.want(t, exitForbidden, "Insufficient permissions. Required: view_logs")
	s := x.shell("alice", nil)
	if code := s.exit(t); code != exitForbidden {
		t.Fatalf("player's shell exit %d, want 4", code)
	}
	if !strings.Contains(s.out.String(), "Required: view_logs") || strings.Contains(s.out.String(), "USER") {
		t.Fatalf("player saw a screen or no reason: %q", s.out.String())
	}
	x.waitSSHSessions(0)
}

func TestServeMonitorOverPTY(t *testing.T) {
	x := newSSH(t)
	s := x.shell("admin1", nil)
	s.waitFor(t, "USER")
	s.waitFor(t, "alice")
	if x.sshSessions() != 1 {
		t.Fatalf("%d ssh sessions while connected", x.sshSessions())
	}
	// The window follows the client's.
	if err := s.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	s.in.Write([]byte("q"))
	if code := s.exit(t); code != 0 {
		t.Fatalf("quit exit %d", code)
	}
	x.waitSSHSessions(0)
	if !x.has(tokAdmin) {
		t.Fatal("the monitor logged admin1 out of the game")
	}
}

// A kick made with the monitor's keys over SSH removes the session and is
// audited with where it came from.
func TestServeKickThroughTheKeys(t *testing.T) {
	x := newSSH(t)
	s := x.shell("admin1", nil)
	s.waitFor(t, "alice")
	// Filter to alice, so she is the selected row, then kick and confirm.
	s.in.Write([]byte("/alice\r"))
	time.Sleep(300 * time.Millisecond)
	s.in.Write([]byte("x"))
	s.waitFor(t, "Kick this session?")
	s.in.Write([]byte("\t")) // to the reason
	s.in.Write([]byte("over ssh\r"))
	s.in.Write([]byte("\x1b[C")) // right: the Kick button
	time.Sleep(100 * time.Millisecond)
	s.in.Write([]byte("\r"))
	s.waitFor(t, "kicked alice")
	if x.has(tokPlayer) {
		t.Fatal("alice's session is still there")
	}
	rows, err := x.store.RecentAudit(context.Background(), x.store.Q(), 1)
	if err != nil || len(rows) != 1 {
		t.Fatal(rows, err)
	}
	a := rows[0]
	if a.Actor != "admin1" || a.Reason != "over ssh" || !strings.HasPrefix(a.Origin, "ssh 127.0.0.1:") || !strings.Contains(a.Origin, "publickey SHA256:") {
		t.Fatalf("audit row %+v", a)
	}
	if !strings.Contains(x.logs.String(), "action") || !strings.Contains(x.logs.String(), "kick_session") {
		t.Fatalf("the kick is not in the server log:\n%s", x.logs)
	}
}

func TestServeExecRefusals(t *testing.T) {
	x := newSSH(t)
	before := storagetest.CountSessions(t, x.store.DB())
	r := x.exec("admin1", "clear --yes", "")
	r.want(t, exitForbidden, "Insufficient permissions. Required: manage_users")
	x.waitSSHSessions(0)
	if got := storagetest.CountSessions(t, x.store.DB()); got != before {
		t.Fatalf("refused clear changed the sessions: %d -> %d", before, got)
	}
	for cmd, want := range map[string]string{
		"--db /etc/passwd count": "--db is not available over SSH",
		"count --session x":      "--session is not available",
		"--config=/x sessions":   "--config is not available",
		"--read-only count":      "--read-only is not available",
		"serve":                  "'serve' is not available over SSH",
		"init":                   "'init' is not available",
		"demo":                   "'demo' is not available",
		"login admin1":           "'login' is not available",
		"logout":                 "'logout' is not available",
		"man":                    "'man' is not available",
	} {
		x.exec("admin1", cmd, "").want(t, exitUsage, want)
	}
	// A shell without a PTY is told to ask for one.
	c := x.client("admin1")
	sess, _ := c.NewSession()
	var errb bytes.Buffer
	sess.Stderr = &errb
	sess.Stdout = io.Discard
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	err := sess.Wait()
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != exitUsage || !strings.Contains(errb.String(), "ssh -t") {
		t.Fatalf("no-PTY shell: %v %q", err, errb.String())
	}
	// A port forward is refused.
	if _, err := c.Dial("tcp", "127.0.0.1:22"); err == nil {
		t.Fatal("direct-tcpip was accepted")
	}
	// keys add reads the key from standard input.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	sg, _ := gossh.NewSignerFromKey(priv)
	line := string(gossh.MarshalAuthorizedKey(sg.PublicKey()))
	x.exec("admin1", "keys add admin1 -", line).want(t, exitOK, "")
	if _, err := x.dial("admin1", gossh.PublicKeys(sg)); err != nil {
		t.Fatalf("key added over ssh does not log in: %v", err)
	}
}

func TestServeManyClients(t *testing.T) {
	x := newSSH(t, func(o *serveOptions) { o.maxPerUser = 40 })
	const n = 30
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := x.dial("root", gossh.PublicKeys(x.keys["root"]))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			sess, err := c.NewSession()
			if err != nil {
				errs <- err
				return
			}
			defer sess.Close()
			out, err := sess.Output("count")
			if err != nil || strings.TrimSpace(string(out)) == "" {
				errs <- fmt.Errorf("client %d: %v %q", i, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	x.waitSSHSessions(0)
}

func TestServeLimits(t *testing.T) {
	x := newSSH(t, func(o *serveOptions) { o.maxPerUser = 1 })
	s := x.shell("admin1", nil)
	s.waitFor(t, "USER")
	r := x.exec("admin1", "count", "")
	r.want(t, exitFailure, "admin1 has 1 connections already")
	x.exec("root", "count", "").want(t, exitOK, "")
}

func TestServeIdleTimeout(t *testing.T) {
	x := newSSH(t, func(o *serveOptions) { o.idle = 400 * time.Millisecond })
	s := x.shell("admin1", nil)
	s.waitFor(t, "idle for 400ms without a key press")
	s.exit(t)
	x.waitSSHSessions(0)
}

// A kick of the connection's own session ends it, saying why.
func TestServeEndsWhenItsSessionIsKicked(t *testing.T) {
	x := newSSH(t)
	s := x.shell("admin1", nil)
	s.waitFor(t, "USER")
	x.waitSSHSessions(1)
	x.as(tokSuper, "kick", "--user", "admin1").want(t, exitOK, "")
	s.waitFor(t, "your session ended")
	if code := s.exit(t); code != exitUnauthorized {
		t.Fatalf("exit %d, want 3", code)
	}
}

func TestServeShutdownLogsEveryoneOut(t *testing.T) {
	x := newSSH(t)
	a := x.shell("admin1", nil)
	b := x.shell("root", nil)
	a.waitFor(t, "USER")
	b.waitFor(t, "USER")
	x.waitSSHSessions(2)
	start := time.Now()
	x.shutdown()
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("shutdown took %v", took)
	}
	a.waitFor(t, "server shutting down")
	b.waitFor(t, "server shutting down")
	if n := x.sshSessions(); n != 0 {
		t.Fatalf("%d ssh sessions left after shutdown", n)
	}
	if _, err := net.DialTimeout("tcp", x.addr, time.Second); err == nil {
		t.Fatal("still listening after shutdown")
	}
}

// Issue 8's commands run over SSH as the connection's account, audited
// with where they came from.
func TestServeGrantsAndBanOverSSH(t *testing.T) {
	x := newSSH(t)
	r := x.exec("admin1", "grants --permission kick_users --json", "")
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, "admin1") || !strings.Contains(r.stdout, "root") {
		t.Fatalf("grants over ssh: %s", r.stdout)
	}
	x.exec("admin1", "ban alice --reason spam", "").want(t, exitOK, "")
	if x.has(tokPlayer) {
		t.Fatal("the ban left alice's session")
	}
	rows, err := x.store.RecentAudit(context.Background(), x.store.Q(), 1)
	if err != nil || len(rows) != 1 || rows[0].Reason != "spam" || !strings.HasPrefix(rows[0].Origin, "ssh 127.0.0.1:") {
		t.Fatalf("ban audit: %+v %v", rows, err)
	}
	x.exec("admin1", "ban admin1", "").want(t, 6, "Cannot manage your own account")
}
