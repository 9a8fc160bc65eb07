package storage_test

import (
	"context"
	"strings"
	"testing"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// TestViewCacheMatchesSQL reads every view through the monitor's pinned
// connection, tick after tick, while other connections change the file
// between ticks in every way a view can see (an account renamed or given
// another role, a character renamed, a session moved, added or removed):
// each page must be what the plain join says at that moment, whether it
// came from the cache of an unchanged file or from SQL.
func TestViewCacheMatchesSQL(t *testing.T) {
	ctx := context.Background()
	changes := []string{
		`UPDATE sessions SET last_activity = '2031-03-01 00:19:59', expires_at = NULL WHERE id = (SELECT min(id) FROM sessions)`,
		`UPDATE users SET username = 'zz-renamed' WHERE id = (SELECT min(id) FROM users)`,
		`UPDATE users SET role = 'Admin' WHERE id = (SELECT max(id) FROM users)`,
		`UPDATE characters SET name = 'AAA-first' WHERE id = (SELECT max(id) FROM characters)`,
		`UPDATE sessions SET world_id = NULL, character_id = NULL, client_type = 'mobile' WHERE id % 5 = 0`,
		`DELETE FROM sessions WHERE id = (SELECT max(id) FROM sessions)`,
		`INSERT INTO sessions (user_id, session_id, last_activity, expires_at, client_type)
			SELECT user_id, session_id || '-again', last_activity, expires_at, 'Tui' FROM sessions WHERE id = 3`,
	}
	// The foreign schema runs at small limits, the created one at the real
	// ones: between them every path, on both schemas.
	for _, kind := range []string{"created", "foreign-small"} {
		t.Run(kind, func(t *testing.T) {
			s, raw := viewShapesDB(t, strings.TrimSuffix(kind, "-small"))
			if strings.HasSuffix(kind, "-small") {
				// Orders cached twenty rows at a time, filters of more
				// than ten matches paged by walking a whole cached order,
				// keys read seven rows a chunk.
				t.Cleanup(storage.SetViewCacheLimits(20, 10, 7))
			}
			hits := 0
			for tick := range len(changes) + 1 {
				// The tick's first read finds the file changed since the
				// previous tick (SQL), the rest find it quiet (the cache).
				for sort := range storage.SortColumns {
					for _, desc := range []bool{false, true} {
						for _, filter := range viewFilters {
							want := referenceOrder(t, raw, storage.SortColumn(sort), desc, filter)
							for _, off := range []int{0, 7, 190} {
								lq := storage.ListQuery{Sort: storage.SortColumn(sort), Desc: desc, Filter: filter, Offset: off, Limit: 13}
								var got []storage.SessionRow
								var matching int
								err := s.ReadMonitor(ctx, func(q storage.Querier) error {
									var err error
									got, matching, err = s.ListSessions(ctx, q, lq)
									return err
								})
								if err != nil {
									t.Fatal(err)
								}
								checkPage(t, want, lq, got, matching)
							}
						}
					}
				}
				hits += storage.ViewCacheHits(s)
				if tick < len(changes) {
					storagetest.Exec(t, raw, changes[tick])
				}
			}
			if hits == 0 {
				t.Fatal("no page came from the view cache: the test tested only the SQL")
			}
		})
	}
}
