package storage

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A file's views are cached only once it has gone unchanged for as long as
// its last state lasted (at most viewQuietCap): a read right after a tick
// on a file that keeps changing, as an operator's keystrokes make, answers
// in SQL and builds nothing the next change would throw away.
func TestViewCacheWaitsForAQuietFile(t *testing.T) {
	ctx := context.Background()
	s, add := oneAccountStore(t)
	defer s.Close()
	n := 0
	addSession := func() {
		t.Helper()
		n++
		add(fmt.Sprint("tok-", n))
	}
	// read lists a filtered page and reports whether the view cache
	// answered it.
	read := func() bool {
		t.Helper()
		err := s.ReadMonitor(ctx, func(q Querier) error {
			rows, matching, err := s.ListSessions(ctx, q, ListQuery{Filter: "ali", Limit: 10})
			if err == nil && (matching != n || len(rows) != n) {
				err = fmt.Errorf("%d rows, %d matching, want %d", len(rows), matching, n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return !s.monitor.views.fresh
	}
	addSession()
	read()
	time.Sleep(60 * time.Millisecond)
	addSession() // this state's predecessor lasted 60 ms or more
	for range 2 {
		if read() {
			t.Fatal("cached a file unchanged for less than its last state lasted")
		}
	}
	time.Sleep(s.monitor.viewGap) // since the state was first read, longer than that
	if !read() {
		t.Fatal("did not cache a file unchanged for longer than its last state lasted")
	}
	// However long the last state lasted, a file unchanged for
	// viewQuietCap is quiet.
	defer func(c time.Duration) { viewQuietCap = c }(viewQuietCap)
	viewQuietCap = 30 * time.Millisecond
	addSession()
	if read() {
		t.Fatal("cached a file at its first read")
	}
	time.Sleep(40 * time.Millisecond)
	s.monitor.viewGap = time.Hour
	if !read() {
		t.Fatal("a file unchanged for viewQuietCap was not cached")
	}
}
