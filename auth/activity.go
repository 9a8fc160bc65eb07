package auth

import (
	"context"
	"sync"
	"time"

	"mudtop/storage"
)

// activity coalesces the activity update every validation makes. On the
// original's rollback-journal database each commit costs an fsync (2-3 ms),
// so writing each one at once caps validation near 400/s whatever the
// language. Instead the newest update per session waits here for at most
// the flush interval and all of them are written in one transaction.
//
// What this changes, and why it is safe (the design note in the README):
// only last_activity and the sliding expires_at lag, by at most the
// interval; validity is never cached, so a removal is seen at once; a crash
// loses at most one interval of activity and never a login, logout or kick,
// which are written synchronously. Within this process a pending renewal is
// honoured at once (see pendingExpiry), so sliding expiry never wrongly
// expires a session that was just used.
type activity struct {
	store    *storage.Store
	interval time.Duration

	mu      sync.Mutex
	pending map[string]storage.Touch
	// inflight is the batch a flush is writing. Until its commit, the
	// database still holds the old expires_at, so lookups must keep seeing
	// these renewals: a flush held up by a lock (up to the busy timeout)
	// would otherwise let a lookup judge a just-renewed session expired
	// and delete it (found by the soak, scripts/soak). Read-only once set.
	inflight map[string]storage.Touch
	// flushing lets one flush run at a time (the loop and Service.Flush),
	// so inflight is always the batch being written.
	flushing sync.Mutex

	stop chan struct{}
	done chan struct{}
}

func newActivity(store *storage.Store, interval time.Duration) *activity {
	a := &activity{store: store, interval: interval, pending: map[string]storage.Touch{}}
	if interval > 0 {
		a.stop, a.done = make(chan struct{}), make(chan struct{})
		go a.loop()
	}
	return a
}

func (a *activity) loop() {
	defer close(a.done)
	t := time.NewTicker(a.interval)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
			// A failed flush keeps its updates for the next tick; the
			// busy timeout already waited, so there is nothing to add here.
			_ = a.flush(context.Background())
		}
	}
}

// record notes an activity update. It reports whether the update must be
// written at once (coalescing off).
func (a *activity) record(t storage.Touch) (writeNow bool) {
	if a.interval <= 0 {
		return true
	}
	a.mu.Lock()
	a.pending[t.Token] = t
	a.mu.Unlock()
	return false
}

// pendingExpiry returns the renewed expires_at waiting to be written for a
// token, so a validation in this process sees its own renewals at once.
func (a *activity) pendingExpiry(token string) (string, bool) {
	if a.interval <= 0 {
		return "", false
	}
	a.mu.Lock()
	t, ok := a.pending[token]
	if !ok {
		t, ok = a.inflight[token]
	}
	a.mu.Unlock()
	if !ok || t.ExpiresAt == "" {
		return "", false
	}
	return t.ExpiresAt, true
}

// forget drops a pending update for a session that was just removed.
func (a *activity) forget(token string) {
	a.mu.Lock()
	delete(a.pending, token)
	a.mu.Unlock()
}

func (a *activity) flush(ctx context.Context) error {
	a.flushing.Lock()
	defer a.flushing.Unlock()
	a.mu.Lock()
	if len(a.pending) == 0 {
		a.mu.Unlock()
		return nil
	}
	batch := a.pending
	a.pending = make(map[string]storage.Touch, len(batch))
	a.inflight = batch
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.inflight = nil
		a.mu.Unlock()
	}()

	// One transaction, rowid order, statements bound once (see
	// storage.TouchSessions). A session removed meanwhile matches no row:
	// an UPDATE can never bring it back.
	list := make([]storage.Touch, 0, len(batch))
	for _, t := range batch {
		list = append(list, t)
	}
	err := a.store.TouchSessions(ctx, list)
	if err != nil {
		// Put the batch back under anything newer recorded meanwhile.
		a.mu.Lock()
		for tok, t := range batch {
			if _, newer := a.pending[tok]; !newer {
				a.pending[tok] = t
			}
		}
		a.mu.Unlock()
	}
	return err
}

func (a *activity) close() error {
	if a.stop != nil {
		close(a.stop)
		<-a.done
	}
	return a.flush(context.Background())
}
