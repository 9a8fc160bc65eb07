package storage

import (
	"context"
	"path/filepath"
	"testing"
)

// createdFile is an empty database mudtop created, closed, for tests that
// open it again with options of their own.
func createdFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mud.db")
	s, err := Create(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return path
}

// openPinned opens path with opt and makes one lookup, so the store holds
// a connection pinned for lookups; it returns the store and that
// connection, taken out of the pool until the caller puts it back.
func openPinned(t *testing.T, path string, opt Options) (*Store, *hotConn) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.SessionAuth(ctx, s.db, "no-such-token"); ok || err != nil {
		t.Fatalf("lookup: %v %v", ok, err)
	}
	c := s.stmts.hot.get(ctx, s.db, s.watch.gen.Load())
	if c == nil {
		t.Fatal("no pinned connection")
	}
	return s, c
}

// The lookup's pinned connections map the file unless told not to, and
// take the driver path; a store opened with LookupMmap < 0 never maps.
func TestLookupConnectionsMapAndUseDriver(t *testing.T) {
	ctx := context.Background()
	path := createdFile(t)
	for _, tc := range []struct {
		opt  int64
		want int64
	}{{0, DefaultLookupMmap}, {1 << 20, 1 << 20}, {-1, 0}} {
		s, c := openPinned(t, path, Options{LookupMmap: tc.opt})
		var got int64
		if err := c.conn.QueryRowContext(ctx, `PRAGMA mmap_size`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("LookupMmap %d: mmap_size = %d, want %d", tc.opt, got, tc.want)
		}
		if c.raw == nil {
			t.Error("the pinned connection has no driver statement")
		}
		s.stmts.hot.put(c)
		s.Close()
	}
}
