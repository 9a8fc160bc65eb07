package storage

import (
	"database/sql"
	"math"
	"testing"
)

func (sp idSpan) holds(id int64) bool {
	switch sp.kind {
	case spanAll:
		return true
	case spanFrom:
		return id >= sp.at
	case spanBelow:
		return id < sp.at
	}
	return false
}

// A filter's two halves read every account and every session exactly once,
// whatever the ids' bounds, a foreign file's extremes included, and only
// the second reads the characters and the worlds.
func TestSplitFilterCoversEveryID(t *testing.T) {
	null := sql.NullInt64{}
	v := func(n int64) sql.NullInt64 { return sql.NullInt64{Int64: n, Valid: true} }
	for _, tc := range []struct {
		name                               string
		uMin, uMax, sMin, sMax, cMin, cMax sql.NullInt64
	}{
		{"flood", v(1), v(95_001), v(1), v(100_001), v(1), v(57_983)},
		{"swarm", v(1), v(40), v(1), v(100_000), v(1), v(40)},
		{"accounts", v(1), v(1_000_000), v(1), v(5_000), v(1), v(10)},
		{"characters", v(1), v(100), v(1), v(3_000), v(1), v(1_000_000)},
		{"no characters", v(1), v(5_000), v(10), v(20_000), null, null},
		{"no accounts", null, null, v(1), v(5_000), null, null},
		{"extremes", v(math.MinInt64), v(math.MaxInt64), v(math.MinInt64), v(math.MaxInt64), v(math.MinInt64), v(math.MaxInt64)},
		{"top", v(math.MaxInt64 - 3), v(math.MaxInt64), v(math.MaxInt64 - 10_000), v(math.MaxInt64), null, null},
		{"bottom", v(math.MinInt64), v(math.MinInt64 + 5_000), v(math.MinInt64), v(math.MinInt64 + 3), null, null},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, second := splitFilter(tc.uMin, tc.uMax, tc.sMin, tc.sMax, tc.cMin, tc.cMax)
			if first.others || !second.others {
				t.Fatalf("characters and worlds: first %v, second %v", first.others, second.others)
			}
			check := func(table string, a, b idSpan, lo, hi sql.NullInt64) {
				if !lo.Valid {
					return
				}
				ids := []int64{lo.Int64, hi.Int64, lo.Int64 + (hi.Int64-lo.Int64)/2}
				for _, sp := range []idSpan{a, b} {
					if sp.kind == spanFrom || sp.kind == spanBelow {
						ids = append(ids, sp.at-1, sp.at, sp.at+1)
					}
				}
				for _, id := range ids {
					if a.holds(id) == b.holds(id) {
						t.Errorf("%s id %d: first %v (%v), second %v (%v)", table, id, a.holds(id), a, b.holds(id), b)
					}
				}
			}
			check("users", first.users, second.users, tc.uMin, tc.uMax)
			check("sessions", first.sessions, second.sessions, tc.sMin, tc.sMax)
		})
	}
}

// On a login flood's shape the halves cost about the same, and the first
// is the accounts alone but for the few the second takes to even them.
func TestSplitFilterBalancesAFlood(t *testing.T) {
	v := func(n int64) sql.NullInt64 { return sql.NullInt64{Int64: n, Valid: true} }
	const users, sessions, characters = 95_001, 100_001, 57_983
	first, second := splitFilter(v(1), v(users), v(1), v(sessions), v(1), v(characters))
	if first.sessions.kind != spanNone || second.sessions.kind != spanAll {
		t.Fatalf("sessions cut: %v | %v", first, second)
	}
	if first.users.kind != spanFrom || second.users.kind != spanBelow {
		t.Fatalf("accounts not cut: %v | %v", first, second)
	}
	a := float64(users-first.users.at+1) * costUser
	b := float64(first.users.at-1)*costUser + sessions*costSession + characters*costCharacter
	if math.Abs(a-b) > 0.01*(a+b) {
		t.Fatalf("halves cost %.0f and %.0f: %v | %v", a, b, first, second)
	}
}
