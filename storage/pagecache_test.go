package storage

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// Every connection of a store gets the page cache it was opened with: the
// pool's, held at once so they are distinct, and the lookup's pinned one.
func TestPageCacheOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mud.db")
	s, err := Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, tc := range []struct {
		kib  int
		want int64
	}{{0, -2000}, {MonitorPageCacheKiB, -MonitorPageCacheKiB}, {64, -64}} {
		s, err := Open(ctx, path, Options{PageCacheKiB: tc.kib, LookupMmap: -1})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.SessionAuth(ctx, s.db, "no-such-token"); ok || err != nil {
			t.Fatalf("lookup: %v %v", ok, err)
		}
		pinned := s.stmts.hot.get(ctx, s.db, s.watch.gen.Load())
		if pinned == nil {
			t.Fatal("no pinned connection")
		}
		conns := []*sql.Conn{pinned.conn}
		for range 3 {
			c, err := s.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for i, c := range conns {
			var got int64
			if err := c.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("PageCacheKiB %d, connection %d: cache_size = %d, want %d", tc.kib, i, got, tc.want)
			}
		}
		for _, c := range conns[1:] {
			c.Close()
		}
		s.stmts.hot.put(pinned)
		s.Close()
	}
}
