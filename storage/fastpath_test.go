package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// oddTimes are stored forms of a timestamp that SQLite and the original
// read differently from the canonical text, or not at all (COMPAT.md §4,
// §5.2), plus forms that sort below the canonical text yet read later.
func oddTimes(at time.Time) []any {
	c := storage.FormatTime(at)
	d := at.UTC()
	return []any{
		nil, "", c, c[:10] + "T" + c[11:], c + ".250", c + ".9999", c + "Z", c[:16],
		"not-a-date", fmt.Sprintf("%d-%d-%d %d:%02d:%02d", d.Year(), int(d.Month()), d.Day(), d.Hour(), d.Minute(), d.Second()),
		c[:10] + "  " + c[11:], c[:10] + "\t" + c[11:], " " + c, c + " ", c[:10],
		c + "-05:00", c + "+14:00", c[:16] + "-14:59", c[11:16],
		int64(0), int64(4102444800), 2461005.5, "now", "NOW", "subsec", "Subsecond", []byte("now"), []byte(c),
		d.Format("2006-01") + "-31 10:00:00", d.Add(-24*time.Hour).Format("2006-01-02") + " 24:00:00",
		"-0001-01-01 00:00:00",
	}
}

// oddDB fills a database with sessions whose expires_at and last_activity
// take every odd shape and random canonical times near now, on accounts of
// every role, in and out of worlds, some of whose users are gone.
func oddDB(t *testing.T, s *storage.Store, path string, now time.Time, n int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	raw := storagetest.Raw(t, path, false)
	storagetest.AddWorld(t, raw, "ashfall", "Ashfall")
	roles := []string{"player", "worldbuilder", "admin", "superuser", "Admin", "moderator", ""}
	clients := []string{"web", "tui", "", "unknown"}
	var users []int64
	for i := range 12 {
		users = append(users, storagetest.AddUser(t, raw, storagetest.User{Name: fmt.Sprintf("u%02d", i), Role: roles[i%len(roles)]}))
	}
	var chars []int64
	for i, u := range users {
		chars = append(chars, storagetest.AddCharacter(t, raw, u, fmt.Sprintf("c%02d", i), "ashfall"))
	}
	pick := func() any {
		if rng.IntN(3) == 0 {
			odd := oddTimes(now.Add(time.Duration(rng.IntN(7200)-3600) * time.Second))
			return odd[rng.IntN(len(odd))]
		}
		// Whole seconds around now and the window's edges, so equal
		// values (strict > vs >=) occur.
		return storage.FormatTime(now.Add(time.Duration(rng.IntN(5400)-3600) * time.Second))
	}
	for i := range n {
		u := rng.IntN(len(users))
		var char, world any
		if rng.IntN(2) == 0 {
			char, world = chars[u], "ashfall"
		}
		uid := users[u]
		if rng.IntN(40) == 0 {
			uid = 9000 + int64(i) // the user row is gone
			char, world = nil, nil
		}
		storagetest.Exec(t, raw, `INSERT INTO sessions (user_id, character_id, world_id, session_id, created_at, last_activity, expires_at, client_type)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, uid, char, world, fmt.Sprintf("tok-%d-%d", seed, i),
			storage.FormatTime(now.Add(-time.Hour)), pick(), pick(), clients[rng.IntN(len(clients))])
	}
}

// referenceCounts is what the original's own SQL says, run plainly.
func referenceCounts(t *testing.T, s *storage.Store, now time.Time, window time.Duration) int {
	t.Helper()
	q := `SELECT count(*) FROM sessions WHERE (expires_at IS NULL OR datetime(expires_at) > datetime(?1)) AND datetime(last_activity) >= datetime(?2)`
	if window <= 0 {
		q = `SELECT count(*) FROM sessions WHERE (expires_at IS NULL OR datetime(expires_at) > datetime(?1))`
	}
	return storagetest.Scalar[int](t, s.DB(), q, storage.FormatTime(now), storage.FormatTime(now.Add(-window)))
}

// TestFastPathAggregateMatchesSQL checks the monitor's cached header counts
// against the straightforward SQL over a database of every odd shape, on a
// created and a foreign database, with the window on and off, tick after
// tick, and after other connections change the file.
func TestFastPathAggregateMatchesSQL(t *testing.T) {
	ctx := context.Background()
	// Far from the real clock, so that stored 'now' rows (which read the
	// wall clock) cannot sit on a boundary and race the comparison.
	for _, now := range []time.Time{time.Date(2031, 3, 1, 0, 20, 0, 0, time.UTC), time.Date(2019, 1, 1, 12, 0, 0, 0, time.UTC)} {
		for _, kind := range []string{"created", "foreign"} {
			t.Run(kind+"/"+now.Format("2006"), func(t *testing.T) {
				s, path := openKind(t, kind)
				oddDB(t, s, path, now, 300, uint64(now.Year()))
				raw := storagetest.Raw(t, path, false)
				// Group keys holding a NUL, and of every storage class:
				// each counts under SQLite's own text of it.
				nul := storagetest.AddUser(t, raw, storagetest.User{Name: "nul", Role: "adm\x00in"})
				for i, client := range []any{"we\x00b", []byte("w\x00eb"), 42, 4.0, []byte("web")} {
					storagetest.Exec(t, raw, `INSERT INTO sessions (user_id, session_id, last_activity, expires_at, client_type) VALUES (?, ?, ?, ?, ?)`,
						nul, fmt.Sprint("nul-", i), storage.FormatTime(now), storage.FormatTime(now.Add(time.Hour)), client)
				}
				for tick := range 16 {
					at := now.Add(time.Duration(tick*97) * time.Second)
					for _, window := range []time.Duration{30 * time.Minute, 0} {
						var fast, plain storage.Aggregates
						err := s.ReadMonitor(ctx, func(q storage.Querier) error {
							var err error
							fast, err = s.Aggregate(ctx, q, at, window, 5*time.Minute)
							return err
						})
						if err != nil {
							t.Fatal(err)
						}
						if err := s.Read(ctx, func(q storage.Querier) error {
							var err error
							plain, err = s.Aggregate(ctx, q, at, window, 5*time.Minute)
							return err
						}); err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(fast, plain) {
							t.Fatalf("tick %d window %v:\ncached %+v\nplain  %+v", tick, window, fast, plain)
						}
						want := referenceCounts(t, s, at, window)
						if fast.Active != want {
							t.Fatalf("tick %d window %v: active %d, original's query %d", tick, window, fast.Active, want)
						}
						// ActiveCount: the original's query, a rebuild, or a
						// hit, depending on what changed since the last call.
						for range 3 {
							n, err := s.ActiveCount(ctx, s.Q(), at, window)
							if err != nil {
								t.Fatal(err)
							}
							if n != want {
								t.Fatalf("tick %d window %v: ActiveCount %d, original's query %d", tick, window, n, want)
							}
						}
					}
					// Another connection changes the file now and then: the
					// cache must notice at the next tick.
					switch tick % 4 {
					case 1:
						storagetest.Exec(t, raw, `UPDATE sessions SET last_activity = ?, expires_at = ? WHERE id = (SELECT min(id) FROM sessions)`,
							storage.FormatTime(at), storage.FormatTime(at.Add(time.Hour)))
					case 2:
						storagetest.Exec(t, raw, `DELETE FROM sessions WHERE id = (SELECT max(id) FROM sessions)`)
					case 3:
						storagetest.Exec(t, raw, `UPDATE users SET role = 'admin' WHERE id = (SELECT min(id) FROM users WHERE role = 'player')`)
					}
				}
			})
		}
	}
}

// filterCuts are per-row costs (account, character, session) that move a
// paired filter's cut (filterids.go): the measured ones, the accounts far
// the dearest, and the sessions dearer than measured. On viewShapesDB's
// few accounts the three cut the accounts, and the sessions each way up.
var filterCuts = [][3]float64{{17, 10, 10}, {1000, 1, 1}, {1, 1, 3}}

// TestFastPathListMatchesSQL checks the two-step, index-walking page query
// against one plain ORDER BY over the whole join, for every sort column,
// both directions, several offsets and filters, on a created and a foreign
// database holding every odd shape (NULLs, numbers, blobs, gone users).
func TestFastPathListMatchesSQL(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []string{"created", "foreign", "foreign-matched", "foreign-realkey", "created-hinted", "foreign-worlds", "foreign-nullrole", "foreign-names"} {
		t.Run(kind, func(t *testing.T) {
			base, variant, _ := strings.Cut(kind, "-")
			s, raw := viewShapesDB(t, base)
			if variant == "matched" || variant == "realkey" || variant == "nullrole" {
				// Every session's account and character present: the sorts
				// by user and character walk their indexes both ways.
				storagetest.Exec(t, raw, `DELETE FROM sessions WHERE user_id NOT IN (SELECT id FROM users)`)
				storagetest.Exec(t, raw, `DELETE FROM sessions WHERE character_id NOT IN (SELECT id FROM characters)`)
			}
			if variant == "hinted" {
				// The filter's hints: values the file holds, in other
				// cases, and one it does not; the blob client x'5475'
				// must not pass for the text 'Tu'.
				storage.SetFilterHints(s, []string{"player", "Admin", "admin", "moderator", "ghost"},
					[]string{"ashfall", "frost", "ASHFALL"}, []string{"web", "tui", "Tu", "42", "unknown", "mobile"})
			}
			if variant == "matched" || variant == "realkey" {
				// The characters' ids made one unbroken run again, so
				// that the run check counts the sessions none matches.
				storagetest.Exec(t, raw, `WITH RECURSIVE n(i) AS (SELECT min(id) FROM characters UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT max(id) FROM characters))
 INSERT INTO characters (id, user_id, name, world_id) SELECT i, NULL, 'hole-' || i, 'frost' FROM n WHERE i NOT IN (SELECT id FROM characters)`)
			}
			if variant == "worlds" {
				// World values a hand edit past the original's trigger
				// could leave: a blob, other cases, a NUL, LIKE's own
				// wildcards. Each is tested once and its sessions found
				// by index: they must match as the pass matched them.
				storagetest.Exec(t, raw, `DROP TRIGGER enforce_session_invariants_update`)
				for i, w := range []any{[]byte("ASH"), "AshFall", "ash\x00fall", "e%_", []byte("frost"), "42"} {
					storagetest.Exec(t, raw, `UPDATE sessions SET world_id = ? WHERE id IN (SELECT id FROM sessions WHERE world_id IS NOT NULL ORDER BY id LIMIT 3 OFFSET ?)`, w, 3*i)
				}
			}
			if variant == "nullrole" {
				// A schema whose users.role may be NULL (the original's
				// may not): an account without a role sorts first
				// ascending, so the role order must count such accounts.
				storagetest.Exec(t, raw, `PRAGMA writable_schema = ON`)
				storagetest.Exec(t, raw, `UPDATE sqlite_schema SET sql = replace(sql, 'role TEXT NOT NULL', 'role TEXT') WHERE name = 'users'`)
				v := storagetest.Scalar[int64](t, raw, `PRAGMA schema_version`)
				storagetest.Exec(t, raw, fmt.Sprintf(`PRAGMA schema_version = %d`, v+1))
				storagetest.Exec(t, raw, `PRAGMA writable_schema = OFF`)
				raw.Close()
				raw = storagetest.Raw(t, s.Path(), false)
				if storagetest.Scalar[int](t, raw, `SELECT "notnull" FROM pragma_table_info('users') WHERE name = 'role'`) != 0 {
					t.Fatal("users.role is still NOT NULL")
				}
				storagetest.Exec(t, raw, `UPDATE users SET role = NULL WHERE id = (SELECT max(id) FROM users WHERE id IN (SELECT user_id FROM sessions))`)
			}
			if variant == "realkey" {
				// Keys between two accounts' or characters' ids that
				// are none's (the character's by a hand edit past the
				// original's trigger): the unbroken-run counts must not
				// take them for a match.
				storagetest.Exec(t, raw, `UPDATE sessions SET user_id = 2.5 WHERE id = (SELECT max(id) FROM sessions WHERE character_id IS NULL)`)
				storagetest.Exec(t, raw, `DROP TRIGGER enforce_session_invariants_update`)
				storagetest.Exec(t, raw, `UPDATE sessions SET character_id = character_id + 0.5 WHERE id = (SELECT min(id) FROM sessions WHERE character_id IS NOT NULL)`)
			}
			filters := viewFilters
			if variant == "names" {
				// Names a busy filter's LIKE could read otherwise than
				// instr(lower()): a NUL before and after the match, LIKE's
				// wildcards and escape, other cases, letters outside
				// ASCII, a blob and a number. The filters hold the same.
				storagetest.Exec(t, raw, `PRAGMA foreign_keys = OFF`)
				first := storagetest.Scalar[int64](t, raw, `SELECT min(id) FROM users`)
				for i, name := range []any{"ab\x00kari", "kari\x00z", "K%RI_x", "k_ri", `k\ri`, "KÄRI", "kÄri", []byte("bl\x00kari"), 4242} {
					storagetest.Exec(t, raw, `UPDATE users SET username = ? WHERE id = ?`, name, first+int64(i))
				}
				for i, name := range []any{"zz\x00kari", "Kari%", "ka_ri", []byte("KARI")} {
					storagetest.Exec(t, raw, `UPDATE characters SET name = ? WHERE id = (SELECT id FROM characters ORDER BY id LIMIT 1 OFFSET ?)`, name, i)
				}
				filters = []string{"kari", "KARI", "%", "_", `\`, "k%r", "k_r", `k\r`, "ä", "kä", "42", "\x00", "z", "x"}
			}
			inTx := kind == "foreign" || kind == "foreign-names"
			if inTx {
				t.Cleanup(storage.SetPairMinSpan(1))
			}
			reads := storage.PairReads(s)
			sorts := []storage.SortColumn{}
			for sort := range storage.SortColumns {
				sorts = append(sorts, storage.SortColumn(sort))
			}
			switch variant {
			case "hinted": // hints change the filter's SQL, not the sort's
				sorts = []storage.SortColumn{storage.SortIdle, storage.SortUser}
			case "worlds": // and odd worlds the filter and the walks by world
				sorts = []storage.SortColumn{storage.SortIdle, storage.SortWorld}
			case "nullrole":
				sorts = []storage.SortColumn{storage.SortRole}
			case "names": // the names decide the filter, not the order
				sorts = []storage.SortColumn{storage.SortIdle}
			case "matched", "realkey": // the keys decide the walks by account and character
				sorts = []storage.SortColumn{storage.SortUser, storage.SortRole, storage.SortCharacter}
			}
			for _, sort := range sorts {
				for _, desc := range []bool{false, true} {
					for _, filter := range filters {
						want := referenceOrder(t, raw, sort, desc, filter)
						for _, off := range []int{0, 7, 95, 190} {
							lq := storage.ListQuery{Sort: sort, Desc: desc, Filter: filter, Offset: off, Limit: 13}
							got, matching, err := s.ListSessions(ctx, s.Q(), lq)
							if err != nil {
								t.Fatal(err)
							}
							checkPage(t, want, lq, got, matching)
							if !inTx || off == 7 || off == 190 {
								continue // two offsets of four tell the halves apart
							}
							// In a read transaction on a rollback file a
							// busy filter and role ascending read in halves
							// (pairread.go), whichever connection reads
							// the second: the halves must add up, wherever
							// the filter's cut falls (filterCuts).
							for _, c := range filterCuts {
								restore := storage.SetFilterCosts(c[0], c[1], c[2])
								err = s.Read(ctx, func(q storage.Querier) error {
									got, matching, err = s.ListSessions(ctx, q, lq)
									return err
								})
								restore()
								if err != nil {
									t.Fatal(err)
								}
								checkPage(t, want, lq, got, matching)
							}
						}
					}
				}
			}
			if inTx && storage.PairReads(s) == reads {
				t.Fatal("no read was paired: the halves went untested")
			}
			if inTx {
				// The costs cut the file where they were meant to: the
				// first half's accounts from a point up, and its sessions
				// below a point or from one up.
				seen := map[string]bool{}
				for _, c := range filterCuts {
					restore := storage.SetFilterCosts(c[0], c[1], c[2])
					first, _, ok, err := storage.FilterSplit(s)
					restore()
					if err != nil || !ok {
						t.Fatalf("split: %v %v", ok, err)
					}
					for _, cut := range []string{"users >=", "sessions <", "sessions >="} {
						if strings.Contains(first, cut) {
							seen[cut] = true
						}
					}
				}
				if len(seen) != 3 {
					t.Fatalf("the costs cut the file only as %v", seen)
				}
			}
		})
	}
}

// viewFilters hit accounts by name and role, characters, worlds, client
// types stored as text, number and blob, everything and nothing.
var viewFilters = []string{"", "u0", "ASH", "c0", "u05", "adm", "42", "tu", "e", "nobody", ";colon:3", ":9;"}

// openKind opens a new database mudtop created ("created") or one of the
// original's own schema ("foreign").
func openKind(t *testing.T, kind string) (*storage.Store, string) {
	t.Helper()
	if kind == "created" {
		path := t.TempDir() + "/mud.db"
		return storagetest.NewAt(t, path), path
	}
	path := storagetest.NewOriginal(t)
	return storagetest.Open(t, path, storage.Options{}), path
}

// viewShapesDB is oddDB with the shapes that test the monitor's views.
func viewShapesDB(t *testing.T, kind string) (*storage.Store, *sql.DB) {
	t.Helper()
	now := time.Date(2031, 3, 1, 0, 20, 0, 0, time.UTC)
	s, path := openKind(t, kind)
	oddDB(t, s, path, now, 200, 11)
	raw := storagetest.Raw(t, path, false)
	// Ties on last_activity across worlds, and a NULL world.
	storagetest.Exec(t, raw, `UPDATE sessions SET last_activity = (SELECT last_activity FROM sessions WHERE id = 7) WHERE id % 9 = 0`)
	// Client types stored as a number and as a blob, a character
	// whose row is gone and one named like another's account: the
	// filter must read them all as the joined SQL does.
	storagetest.Exec(t, raw, `UPDATE sessions SET client_type = 42 WHERE id % 11 = 0`)
	storagetest.Exec(t, raw, `UPDATE sessions SET client_type = x'5475' WHERE id % 13 = 0`)
	storagetest.Exec(t, raw, `PRAGMA foreign_keys = OFF`)
	storagetest.Exec(t, raw, `DELETE FROM characters WHERE name = 'c03'`)
	storagetest.Exec(t, raw, `UPDATE characters SET name = 'U05-alt' WHERE name = 'c07'`)
	// A second world whose characters share names with the first's: the
	// sort by character merges worlds and breaks the ties by session.
	storagetest.AddWorld(t, raw, "frost", "Frost")
	first := storagetest.Scalar[int64](t, raw, `SELECT min(id) FROM users`)
	// Names holding the packed keys' own punctuation (filterkeys.go).
	odd := storagetest.AddUser(t, raw, storagetest.User{Name: "Semi;colon:3,4", Role: "player"})
	oddChar := storagetest.AddCharacter(t, raw, odd, "x:9;y,", "frost")
	storagetest.Exec(t, raw, `INSERT INTO sessions (user_id, character_id, world_id, session_id, created_at, last_activity, expires_at, client_type)
		VALUES (?, ?, 'frost', 'odd-names', ?, ?, ?, 'a;b:1,')`, odd, oddChar,
		storage.FormatTime(now.Add(-time.Hour)), storage.FormatTime(now), storage.FormatTime(now.Add(time.Hour)))
	for i, name := range []string{"c01", "c05", "zed", "U05-alt", "a"} {
		cid := storagetest.AddCharacter(t, raw, first+int64(i), name, "frost")
		for j := range 2 {
			storagetest.Exec(t, raw, `INSERT INTO sessions (user_id, character_id, world_id, session_id, created_at, last_activity, expires_at, client_type)
				VALUES (?, ?, 'frost', ?, ?, ?, ?, 'web')`, first+int64(i), cid, fmt.Sprintf("frost-%d-%d", i, j),
				storage.FormatTime(now.Add(-time.Hour)), storage.FormatTime(now), storage.FormatTime(now.Add(time.Hour)))
		}
	}
	return s, raw
}

// viewOrder is each sort column's ORDER BY over the plain join.
var viewOrder = map[storage.SortColumn]string{
	storage.SortIdle: "s.last_activity DESC", storage.SortUser: "u.username", storage.SortRole: "u.role",
	storage.SortCharacter: "c.name", storage.SortWorld: "s.world_id", storage.SortClient: "s.client_type",
	storage.SortAge: "s.id DESC", storage.SortExpires: "s.expires_at",
}

// referenceOrder is what one plain query over the whole join says: every
// matching session in display order (the page at any offset is a slice of
// it, and the count its length).
func referenceOrder(t *testing.T, raw *sql.DB, sort storage.SortColumn, desc bool, filter string) []int64 {
	t.Helper()
	o := viewOrder[sort]
	if desc {
		if o2, ok := strings.CutSuffix(o, " DESC"); ok {
			o = o2
		} else {
			o += " DESC"
		}
	}
	where := ""
	if filter != "" {
		where = ` WHERE (instr(lower(coalesce(u.username, '')), ?1) > 0 OR instr(lower(coalesce(c.name, '')), ?1) > 0
 OR instr(lower(coalesce(CAST(s.world_id AS TEXT), '')), ?1) > 0 OR instr(lower(coalesce(CAST(s.client_type AS TEXT), '')), ?1) > 0
 OR instr(lower(coalesce(u.role, '')), ?1) > 0)`
	}
	from := ` FROM sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN characters c ON c.id = s.character_id`
	rows, err := raw.Query(`SELECT s.id`+from+where+` ORDER BY `+o+`, s.id`, strings.ToLower(filter))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	return want
}

// checkPage holds a page and its count to the reference order.
func checkPage(t *testing.T, want []int64, lq storage.ListQuery, got []storage.SessionRow, matching int) {
	t.Helper()
	page := []int64{}
	if lq.Offset < len(want) {
		page = want[lq.Offset:min(len(want), lq.Offset+lq.Limit)]
	}
	gotIDs := []int64{}
	for _, r := range got {
		gotIDs = append(gotIDs, r.RowID)
	}
	if !reflect.DeepEqual(gotIDs, page) || matching != len(want) {
		t.Fatalf("%+v:\n got %v (%d matching)\nwant %v (%d)", lq, gotIDs, matching, page, len(want))
	}
}

// TestFastPathSmallPool: the pinned connections (validation lookups, the
// monitor) must never take a capped pool's last connection, or every other
// statement would wait forever.
func TestFastPathSmallPool(t *testing.T) {
	for _, conns := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(conns), func(t *testing.T) {
			path := storagetest.NewOriginal(t)
			s := storagetest.Open(t, path, storage.Options{MaxConns: conns})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			now := storagetest.Epoch()
			for range 3 {
				if _, _, err := s.SessionAuth(ctx, s.Q(), "no-such-token"); err != nil {
					t.Fatal(err)
				}
				if err := s.ReadMonitor(ctx, func(q storage.Querier) error {
					_, err := s.Aggregate(ctx, q, now, 30*time.Minute, 5*time.Minute)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if _, err := s.ActiveCount(ctx, s.Q(), now, 30*time.Minute); err != nil {
					t.Fatal(err)
				}
				if err := s.Write(ctx, func(q storage.Querier) error {
					_, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE session_id = 'none'`)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
