package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"mudtop/auth"
	"mudtop/serve"
	"mudtop/tui"
)

// sshMonitor is the monitor process with --ssh N: instead of polling
// Snapshot itself it runs mudtop serve in-process and N real SSH clients
// (PTY, 127.0.0.1) that watch its monitor during the monitor's phases and
// hang up in the others, so the writer's figures compare N viewers with
// none. Each viewer page on screen is journalled as a "snapshot" with its
// time from the shared tick.
func sshMonitor(ctx context.Context, o *observer, viewers int) error {
	sched, svc, token, j := o.sched, o.svc, o.token, o.j
	op, err := svc.CheckOperator(ctx, token)
	if err != nil {
		return err
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return err
	}
	key, err := auth.ParseKey(string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
	if err != nil {
		return err
	}
	if _, err := svc.AddSSHKey(ctx, token, op.Username, key); err != nil {
		return fmt.Errorf("register the viewers' key: %w", err)
	}
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	host, err := gossh.NewSignerFromKey(hostPriv)
	if err != nil {
		return err
	}
	srv, err := serve.New(svc, serve.Config{
		HostKey: host, MaxSessions: viewers + 4, MaxPerUser: viewers + 4, NoPassword: true,
		Log: log.New(io.Discard), Keys: tui.KeyMap{},
		Theme: func(bool) (tui.ThemeFunc, bool, error) {
			return func(bool) tui.Theme { return tui.Theme{} }, false, nil
		},
	})
	if err != nil {
		return err
	}
	srv.OnPage(func(at time.Time) {
		j.add(entry{Ev: "op", T: at.UnixMilli(), Ph: sched.at(at), Op: "snapshot", Us: time.Since(at).Microseconds(), Res: "ok"})
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	cfg := &gossh.ClientConfig{User: op.Username, Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}

	for ph := 0; ph < sched.phases && ctx.Err() == nil; ph++ {
		if !sleepUntil(ctx.Done(), sched.start.Add(time.Duration(ph)*sched.phase)) {
			break
		}
		if !monitorOn(ph) {
			continue
		}
		clients := watch(l.Addr().String(), cfg, viewers, j, ph)
		sleepUntil(ctx.Done(), sched.start.Add(time.Duration(ph+1)*sched.phase))
		for _, c := range clients {
			c.Close()
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	<-served
	if err != nil {
		return err
	}
	return o.finish()
}

// watch connects n viewers with a PTY each and leaves them watching; a
// viewer that cannot connect is journalled as a failed poll.
func watch(addr string, cfg *gossh.ClientConfig, n int, j *journal, ph int) []*gossh.Client {
	var mu sync.Mutex
	var out []*gossh.Client
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			fail := func(err error) {
				j.add(entry{Ev: "op", T: start.UnixMilli(), Ph: ph, Op: "connect", Res: classify(err), Err: err.Error()})
			}
			c, err := gossh.Dial("tcp", addr, cfg)
			if err != nil {
				fail(err)
				return
			}
			sess, err := c.NewSession()
			if err == nil {
				err = sess.RequestPty("xterm-256color", 40, 140, gossh.TerminalModes{})
			}
			if err == nil {
				sess.Stdout = io.Discard
				err = sess.Shell()
			}
			if err != nil {
				c.Close()
				fail(err)
				return
			}
			mu.Lock()
			out = append(out, c)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}
