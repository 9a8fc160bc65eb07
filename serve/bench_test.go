package serve

import (
	"charm.land/log/v2"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"mudtop/auth"
	"mudtop/storage"
	"mudtop/storage/storagetest"
	"mudtop/tui"
)

// BenchmarkServeViewers runs N real SSH clients with a PTY against the
// server on a 100k database (the original's rollback file) and measures,
// per shared tick, how many times the header counts were read (must be 1,
// whatever N) and the time from the tick to each client receiving its
// frame. Before each tick a session logs in, so every viewer's page
// changes and every viewer gets a frame.
func BenchmarkServeViewers(b *testing.B) {
	for _, n := range []int{1, 20} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchViewers(b, n) })
	}
}

// client is one SSH viewer that timestamps every read of its output.
type client struct {
	mu    sync.Mutex
	reads []time.Time
}

func (c *client) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.reads = append(c.reads, time.Now())
	c.mu.Unlock()
	return len(p), nil
}

// firstAfter is the first read at or after t.
func (c *client) firstAfter(t time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, _ := slices.BinarySearchFunc(c.reads, t, func(a, b time.Time) int { return a.Compare(b) })
	if i == len(c.reads) {
		return time.Time{}, false
	}
	return c.reads[i], true
}

func benchViewers(b *testing.B, n int) {
	g := storagetest.Generate(b, storagetest.ModeRollback, 100_000)
	st, err := storage.Open(context.Background(), g.Copy(b), storage.MonitorOptions(false))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	svc := auth.New(st, auth.DefaultConfig(), auth.WithClock(func() time.Time { return g.Now.Add(time.Since(start)) }))
	b.Cleanup(func() { svc.Close(); st.Close() })

	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	host, _ := gossh.NewSignerFromKey(hostPriv)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	ctx := context.Background()
	op, _, err := st.UserByName(ctx, st.Q(), g.OperatorUser)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Write(ctx, func(q storage.Querier) error {
		return st.AddSSHKey(ctx, q, storage.NewSSHKey{UserID: op.ID, Fingerprint: gossh.FingerprintSHA256(signer.PublicKey()),
			Key: strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))), AddedBy: "bench", Now: g.Now})
	}); err != nil {
		b.Fatal(err)
	}
	srv, err := New(svc, Config{
		HostKey: host, MaxSessions: 64, MaxPerUser: 64, NoPassword: true, Log: benchLog(),
		// Ticks are driven by hand below; the timer's own would only
		// add unmeasured ones.
		Interval: time.Hour,
		Keys:     tui.KeyMap{},
		Theme: func(bool) (tui.ThemeFunc, bool, error) {
			return func(bool) tui.Theme { return tui.Theme{} }, false, nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	b.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})

	clients := make([]*client, n)
	for i := range clients {
		dumped := make(chan struct{})
		if os.Getenv("BENCHDEBUG") != "" {
			go func() {
				select {
				case <-dumped:
				case <-time.After(2500 * time.Millisecond):
					pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
				}
			}()
		}
		c, err := gossh.Dial("tcp", l.Addr().String(), &gossh.ClientConfig{User: g.OperatorUser,
			Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey()})
		close(dumped)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		sess, err := c.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if err := sess.RequestPty("xterm-256color", 50, 160, gossh.TerminalModes{}); err != nil {
			b.Fatal(err)
		}
		clients[i] = &client{}
		sess.Stdout = clients[i]
		sess.Stdin = blockingReader{}
		if err := sess.Shell(); err != nil {
			b.Fatal(err)
		}
	}
	// Every viewer on the feed and showing its first page.
	deadline := time.Now().Add(30 * time.Second)
	for {
		srv.feed.mu.Lock()
		on := len(srv.feed.viewers)
		srv.feed.mu.Unlock()
		if on == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	srv.feed.tick()
	time.Sleep(500 * time.Millisecond)

	user := storagetest.AddUser(b, st.DB(), storagetest.User{Name: "bench_login", Role: "player", At: g.Now})
	var lat []time.Duration
	var pageMu sync.Mutex
	var pages []time.Duration
	srv.OnPage(func(at time.Time) {
		pageMu.Lock()
		pages = append(pages, time.Since(at))
		pageMu.Unlock()
	})
	reads0 := svc.CountReads()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		storagetest.AddSession(b, st.DB(), storagetest.Session{UserID: user, Token: "bench-" + strconv.Itoa(i),
			ClientType: "web", Now: g.Now.Add(time.Since(start)), TTL: 8 * time.Hour})
		b.StartTimer()
		tickAt := time.Now()
		srv.feed.tick()
		if os.Getenv("BENCHDEBUG") != "" {
			println("tick read", time.Since(tickAt).String())
		}
		for _, c := range clients {
			for {
				if t, ok := c.firstAfter(tickAt); ok {
					lat = append(lat, t.Sub(tickAt))
					break
				}
				if time.Since(tickAt) > 5*time.Second {
					b.Fatalf("a viewer got no frame within 5 s of tick %d", i)
				}
				time.Sleep(500 * time.Microsecond)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(svc.CountReads()-reads0)/float64(b.N), "aggreads/tick")
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	pageMu.Lock()
	defer pageMu.Unlock()
	if len(pages) > 0 {
		// The server's share: tick to the page in the viewer's model
		// (the rest is drawing the frame and sending it).
		slices.Sort(pages)
		b.ReportMetric(float64(pages[int(0.99*float64(len(pages)-1))].Microseconds())/1000, "page-p99-ms")
	}
}

// blockingReader is a client's stdin that never types.
type blockingReader struct{}

func (blockingReader) Read([]byte) (int, error) { select {} }

var _ io.Reader = blockingReader{}

// benchLog is the server's log: quiet unless BENCHDEBUG is set.
func benchLog() *log.Logger {
	if os.Getenv("BENCHDEBUG") != "" {
		return log.New(os.Stderr)
	}
	return log.New(io.Discard)
}
