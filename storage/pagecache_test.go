package storage

import (
	"context"
	"database/sql"
	"testing"
)

// Every connection of a store gets the page cache it was opened with: the
// pool's, held at once so they are distinct, and the lookup's pinned one.
func TestPageCacheOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	path := createdFile(t)
	for _, tc := range []struct {
		kib  int
		want int64
	}{{0, -2000}, {MonitorPageCacheKiB, -MonitorPageCacheKiB}, {64, -64}} {
		s, pinned := openPinned(t, path, Options{PageCacheKiB: tc.kib, LookupMmap: -1})
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
