package auth

import (
	"context"
	"sync"

	"mudtop/storage"
)

// PageShare lets the monitors on one shared poll (mudtop serve) share the
// page reads of one tick: viewers asking for the same page (filter, sort,
// direction, offset, size) are answered by one read, the first to ask;
// the others wait for it. Each viewer still checks its own operator in its
// own read and gets its own detail. A share lives for one tick: the feed
// makes a new one each time, so no answer outlives the tick it was read in.
type PageShare struct {
	mu    sync.Mutex
	pages map[storage.ListQuery]*sharedPage
	reads int // distinct page reads made
}

type sharedPage struct {
	done     chan struct{}
	rows     []storage.SessionRow
	matching int
	err      error
}

// NewPageShare starts the share of one tick.
func NewPageShare() *PageShare { return &PageShare{pages: map[storage.ListQuery]*sharedPage{}} }

// Reads is how many distinct pages were read through the share.
func (p *PageShare) Reads() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reads
}

// list answers lq from the share, reading it on q when this tick has not.
// A failed read is not shared: the next viewer reads for itself.
func (p *PageShare) list(ctx context.Context, s *Service, q storage.Querier, lq storage.ListQuery) ([]storage.SessionRow, int, error) {
	p.mu.Lock()
	sp, ok := p.pages[lq]
	if !ok {
		sp = &sharedPage{done: make(chan struct{})}
		p.pages[lq] = sp
		p.reads++
	}
	p.mu.Unlock()
	if ok {
		select {
		case <-sp.done:
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		}
		if sp.err == nil {
			return sp.rows, sp.matching, nil
		}
		return s.store.ListSessions(ctx, q, lq)
	}
	sp.rows, sp.matching, sp.err = s.store.ListSessions(ctx, q, lq)
	if sp.err != nil {
		p.mu.Lock()
		delete(p.pages, lq)
		p.mu.Unlock()
	}
	close(sp.done)
	return sp.rows, sp.matching, sp.err
}
