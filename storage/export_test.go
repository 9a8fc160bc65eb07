package storage

import (
	"context"
	"time"
)

// ViewCacheHits is how many pages the monitor's current view cache has
// answered: the tests of viewcache.go make sure it is the cache they test.
func ViewCacheHits(s *Store) int {
	s.monitor.mu.Lock()
	defer s.monitor.mu.Unlock()
	if s.monitor.views == nil {
		return 0
	}
	return s.monitor.views.hits
}

// SetViewCacheLimits shrinks the view cache's thresholds (and the packed
// keys' chunk) so that a small test database takes every path a 100k one
// does; the returned func puts them back.
func SetViewCacheLimits(head, sqlSorted, chunk int) func() {
	h, q, c := permHead, maxSQLSortedMatches, packChunk
	permHead, maxSQLSortedMatches, packChunk = head, sqlSorted, chunk
	return func() { permHead, maxSQLSortedMatches, packChunk = h, q, c }
}

// SetFilterHints gives the busy filter these hints, as a count rebuild
// would (filterhints.go).
func SetFilterHints(s *Store, roles, worlds, clients []string) {
	s.hints.Store(&filterHints{roles: roles, worlds: worlds, clients: clients})
}

// ActiveCond and UnexpiredCond are the count's row tests, for the test
// that holds them to the original's datetime() comparisons.
const (
	ActiveCond    = activeCond
	UnexpiredCond = unexpiredCond
)

// EdgeHits is how many pages of the expires order came from the previous
// page's edge (pageedge.go).
func EdgeHits(s *Store) int {
	s.edges.mu.Lock()
	defer s.edges.mu.Unlock()
	return s.edges.hits
}

// ActivePaired is the busy count's paired read (pairread.go) on its own:
// ok tells whether the two halves ran, on one snapshot.
func ActivePaired(s *Store, now time.Time, window time.Duration) (int, bool, error) {
	return s.activePaired(context.Background(), now, window)
}

// PairSplits is how many paired reads ran their second half on a second
// connection rather than in the first read.
func PairSplits(s *Store) int64 { return s.pairSplits.Load() }

// PairReads is how many reads were paired, their halves read on either
// connection.
func PairReads(s *Store) int64 { return s.pairReads.Load() }

// SetPairMinSpan lets small files pair their counts and filters
// (pairread.go); the returned func puts the threshold back.
func SetPairMinSpan(n int64) func() {
	old := pairMinSpan
	pairMinSpan = n
	return func() { pairMinSpan = old }
}

// SetFilterCosts sets the per-row costs a paired filter balances its halves
// by (filterids.go), so that a test can make the cut fall in the accounts
// or in the sessions; the returned func puts them back.
func SetFilterCosts(user, character, session float64) func() {
	u, c, ss := costUser, costCharacter, costSession
	costUser, costCharacter, costSession = user, character, session
	return func() { costUser, costCharacter, costSession = u, c, ss }
}

// FilterSplit is where a paired filter would cut the tables of s's file
// now: for each half, the accounts' and the sessions' spans as "all",
// "none", ">= N" or "< N", and whether it reads the characters.
func FilterSplit(s *Store) (first, second string, ok bool, err error) {
	err = s.Read(context.Background(), func(q Querier) error {
		f, sc, paired, err := s.filterHalves(context.Background(), q)
		if paired {
			first, second, ok = f.String(), sc.String(), true
		}
		return err
	})
	return first, second, ok, err
}
