package storagetest

import (
	"sync"
	"time"
)

// Epoch is the instant fake clocks start at by default: a whole second, in
// UTC, like the examples of COMPAT.md.
func Epoch() time.Time { return time.Date(2026, 11, 25, 18, 28, 40, 0, time.UTC) }

// Clock is a fake clock for auth.WithClock: time moves only when the test
// moves it, so expiry is tested without sleeping. It is safe for
// concurrent use (the activity writer may read it from its goroutine).
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now is the clock's current time; pass the method value to auth.WithClock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
