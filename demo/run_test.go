package demo

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mudtop/auth"
	"mudtop/storage"
)

func TestSimChurnAndShards(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rate   float64
		churn  float64
		shards int
	}{
		{1, 1, 1}, {20, 1, 1}, {200, 1, 1}, {400, 0.5, 2}, {1000, 0.2, 4}, {5000, 0.1, 4},
	} {
		if got := churnFor(tc.rate); got != tc.churn {
			t.Errorf("churnFor(%v) = %v, want %v", tc.rate, got, tc.churn)
		}
		if got := shardsFor(tc.rate); got != tc.shards {
			t.Errorf("shardsFor(%v) = %v, want %v", tc.rate, got, tc.shards)
		}
	}
}

func TestSimStatsPercentilesAndWindow(t *testing.T) {
	t.Parallel()
	st := newSimStats()
	for i := 1; i <= 100; i++ {
		st.record(opValidate, nil, time.Duration(i)*time.Millisecond)
	}
	st.record(opAbandon, nil, 0) // no API call: not a latency sample
	st.record(opLoginBad, auth.ErrBadCredentials, time.Millisecond)
	st.gone()
	v := st.take()
	if v.Ops != 102 || v.Errors != 1 || v.Gone != 1 || v.ByOp[opValidate] != 100 {
		t.Errorf("counts %+v", v)
	}
	if v.P50 != 50*time.Millisecond || v.P99 != 99*time.Millisecond {
		t.Errorf("p50 %v p99 %v", v.P50, v.P99)
	}
	// A new window starts empty; totals carry on.
	if w := st.take(); w.P50 != 0 || w.Ops != 102 {
		t.Errorf("second window %+v", w)
	}
	line := statusLine(demoTestNow, v, statsView{}, 2*time.Second, storage.Aggregates{Total: 7, Active: 5})
	for _, want := range []string{"ops 102 (51/s)", "sessions 7 (active 5", "p50 50.00ms"} {
		if !strings.Contains(line, want) {
			t.Errorf("status line lacks %q: %s", want, line)
		}
	}
}

func TestSimPaceStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int64
	var sawCancelled atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		pace(ctx, 2000, func(opCtx context.Context) {
			if errors.Is(opCtx.Err(), context.Canceled) {
				sawCancelled.Store(true)
			}
			n.Add(1)
		})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for n.Load() < 50 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n.Load() < 50 {
		t.Fatal("pace made no progress")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("pace did not return after cancel")
	}
	if sawCancelled.Load() {
		t.Error("an operation ran on a cancelled context")
	}
}
