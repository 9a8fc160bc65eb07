package storage_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// TestEdgePagesMatchSQL holds the expires and client orders' pages, read
// from the previous page's edge (pageedge.go), to the plain SQL tick after
// tick while another connection changes the file under them: rows before
// the edge removed (so the edge no longer fills the page), values changed
// to every odd stored shape (NULL, numbers, blobs, wall-clock text), rows
// added, and ties made on the edge's own value.
func TestEdgePagesMatchSQL(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2031, 3, 1, 0, 20, 0, 0, time.UTC)
	for _, kind := range []string{"created/expires", "foreign/expires", "created/client", "foreign/client"} {
		t.Run(kind, func(t *testing.T) {
			base, column, _ := strings.Cut(kind, "/")
			sort, col := storage.SortExpires, "expires_at"
			if column == "client" {
				sort, col = storage.SortClient, "client_type"
			}
			s, raw := viewShapesDB(t, base)
			rng := rand.New(rand.NewPCG(12, 7))
			odd := func() any {
				v := append(oddTimes(now.Add(time.Duration(rng.IntN(7200)-3600)*time.Second)), int64(4), 4.0, "web", []byte("web"), "Web")
				return v[rng.IntN(len(v))]
			}
			reads, hitsBefore := 0, storage.EdgeHits(s)
			readAll := func(tick int) {
				t.Helper()
				for _, desc := range []bool{false, true} {
					want := referenceOrder(t, raw, sort, desc, "")
					for _, off := range []int{0, 7, 30, 200} {
						lq := storage.ListQuery{Sort: sort, Desc: desc, Offset: off, Limit: 13}
						got, matching, err := s.ListSessions(ctx, s.Q(), lq)
						if err != nil {
							t.Fatal(err)
						}
						checkPage(t, want, lq, got, matching)
						reads++
						if off+lq.Limit > len(want) {
							continue
						}
						// Read again before anything changes: the edge
						// fills the page exactly, ties on it included
						// (but a NULL edge descending bounds nothing).
						nullEdge := desc && storagetest.Scalar[bool](t, raw, `SELECT `+col+` IS NULL FROM sessions WHERE id = ?`, want[off+lq.Limit-1])
						before := storage.EdgeHits(s)
						if got, matching, err = s.ListSessions(ctx, s.Q(), lq); err != nil {
							t.Fatal(err)
						}
						checkPage(t, want, lq, got, matching)
						if !nullEdge && storage.EdgeHits(s) != before+1 {
							t.Fatalf("tick %d %+v: an unchanged file's page did not come from its edge", tick, lq)
						}
					}
				}
			}
			for tick := range 20 {
				readAll(tick)
				front := referenceOrder(t, raw, sort, tick%2 == 1, "")
				switch tick % 5 {
				case 0: // the first rows of one direction go
					for _, id := range front[:4] {
						storagetest.Exec(t, raw, `DELETE FROM sessions WHERE id = ?`, id)
					}
				case 1:
					for range 10 {
						storagetest.Exec(t, raw, `UPDATE sessions SET `+col+` = ? WHERE id = ?`, odd(), front[rng.IntN(len(front))])
					}
				case 2:
					uid := storagetest.Scalar[int64](t, raw, `SELECT min(id) FROM users`)
					for i := range 5 {
						storagetest.Exec(t, raw, `INSERT INTO sessions (user_id, session_id, last_activity, `+col+`) VALUES (?, ?, ?, ?)`,
							uid, fmt.Sprintf("edge-%d-%d", tick, i), storage.FormatTime(now), odd())
					}
				case 3: // ties on a value near the front
					v := front[rng.IntN(min(20, len(front)))]
					for range 6 {
						storagetest.Exec(t, raw, `UPDATE sessions SET `+col+` = (SELECT `+col+` FROM sessions WHERE id = ?) WHERE id = ?`, v, front[rng.IntN(len(front))])
					}
				case 4: // the front moves: NULLs ascending, a far future descending
					for range 8 {
						storagetest.Exec(t, raw, `UPDATE sessions SET `+col+` = ? WHERE id = ?`,
							[]any{nil, "9999-12-31 23:59:59", []byte("zz"), int64(-1)}[rng.IntN(4)], front[rng.IntN(len(front))])
					}
				}
			}
			// An edge with forty ties at the front ascending, then a file
			// of NULLs but five, whose descending pages past the fifth
			// row end on a NULL.
			storagetest.Exec(t, raw, `UPDATE sessions SET `+col+` = 5 WHERE `+col+` IS NULL OR +`+col+` < 4`)
			storagetest.Exec(t, raw, `UPDATE sessions SET `+col+` = 4 WHERE id IN (SELECT id FROM sessions ORDER BY id LIMIT 40)`)
			readAll(20)
			storagetest.Exec(t, raw, `UPDATE sessions SET `+col+` = NULL WHERE id NOT IN (SELECT id FROM sessions ORDER BY id LIMIT 5)`)
			readAll(21)
			// Both paths ran: most pages from an edge, some by the plain
			// query after a change emptied the edge's prefix.
			hits := storage.EdgeHits(s) - hitsBefore
			if hits < reads/2 || hits == reads {
				t.Errorf("%d of %d pages came from an edge", hits, reads)
			}
		})
	}
}
