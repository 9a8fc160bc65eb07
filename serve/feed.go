package serve

import (
	"context"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"

	"mudtop/auth"
	"mudtop/tui"
)

// feedReadTimeout bounds the shared read, like a monitor's own poll.
const feedReadTimeout = 8 * time.Second

// feed is the one shared poll: each tick it reads the header counts once,
// keeps them for every viewer (tui.Options.Shared), then tells each viewer
// to read its own page. With nobody watching it reads nothing.
type feed struct {
	svc      *auth.Service
	interval time.Duration
	log      *log.Logger

	mu      sync.Mutex
	counts  auth.Counts
	pages   *auth.PageShare
	have    bool
	viewers map[*tea.Program]struct{}
	onTick  func(time.Time)
	onPage  func(time.Time)

	done     chan struct{}
	stopOnce sync.Once
}

func newFeed(svc *auth.Service, interval time.Duration, l *log.Logger) *feed {
	return &feed{svc: svc, interval: interval, log: l, viewers: map[*tea.Program]struct{}{}, done: make(chan struct{})}
}

// shared is tui.Options.Shared: the counts of the last shared read.
func (f *feed) shared() (auth.Counts, *auth.PageShare, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts, f.pages, f.have
}

func (f *feed) add(p *tea.Program) {
	f.mu.Lock()
	f.viewers[p] = struct{}{}
	f.mu.Unlock()
}

func (f *feed) remove(p *tea.Program) {
	f.mu.Lock()
	delete(f.viewers, p)
	f.mu.Unlock()
}

func (f *feed) setOnTick(fn func(time.Time)) { f.mu.Lock(); f.onTick = fn; f.mu.Unlock() }
func (f *feed) setOnPage(fn func(time.Time)) { f.mu.Lock(); f.onPage = fn; f.mu.Unlock() }

// page is tui.Options.OnPage for every viewer.
func (f *feed) page(at time.Time) {
	f.mu.Lock()
	fn := f.onPage
	f.mu.Unlock()
	if fn != nil {
		fn(at)
	}
}

func (f *feed) stop() { f.stopOnce.Do(func() { close(f.done) }) }

// run ticks until stop. A tick whose read is slow is not made up: the next
// one comes an interval after it ends, so reads never pile up.
func (f *feed) run() {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-f.done:
			return
		case <-t.C:
		}
		f.tick()
		t.Reset(f.interval)
	}
}

func (f *feed) tick() {
	f.mu.Lock()
	n := len(f.viewers)
	f.mu.Unlock()
	if n == 0 {
		return
	}
	// The tick's moment is its start: a viewer's tick-to-frame figure
	// includes the shared read it waited for.
	now := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), feedReadTimeout)
	c, _, err := f.svc.Counts(ctx)
	cancel()
	f.mu.Lock()
	// A new page share each tick: viewers with the same view share one
	// read of this tick, and nothing read in an older tick is reused.
	f.pages = auth.NewPageShare()
	if err == nil {
		f.counts, f.have = c, true
	} else {
		f.log.Warn("shared read failed", "err", err)
	}
	progs := make([]*tea.Program, 0, len(f.viewers))
	for p := range f.viewers {
		progs = append(progs, p)
	}
	onTick := f.onTick
	f.mu.Unlock()
	if onTick != nil {
		onTick(now)
	}
	msg := tui.SharedTickMsg{At: now}
	for _, p := range progs {
		// Its own goroutine: a viewer whose loop is busy must not hold up
		// the others' tick.
		go p.Send(msg)
	}
}
