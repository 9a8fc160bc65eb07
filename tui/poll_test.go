package tui

import (
	"testing"
	"time"
)

// A slow read (a filter over a large database) must not turn the monitor
// into a constant reader of the file the game server writes: the next poll
// waits at least ten times as long as the read took, and the header says so.
func TestSlowReadsArePaced(t *testing.T) {
	cases := []struct {
		interval, took, want time.Duration
	}{
		{time.Second, 5 * time.Millisecond, time.Second},
		{MinInterval, 90 * time.Millisecond, MinInterval},
		{MinInterval, 150 * time.Millisecond, 1500 * time.Millisecond},
		{time.Second, 100 * time.Millisecond, time.Second},
		{time.Second, 600 * time.Millisecond, 6 * time.Second},
		{time.Second, 20 * time.Second, MaxInterval},
		{10 * time.Second, 600 * time.Millisecond, 10 * time.Second},
	}
	for _, c := range cases {
		if got := pacedInterval(c.interval, c.took); got != c.want {
			t.Errorf("pacedInterval(%v, %v) = %v, want %v", c.interval, c.took, got, c.want)
		}
	}
}
