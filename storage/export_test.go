package storage

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

// SetViewCacheLimits shrinks the view cache's thresholds so that a small
// test database takes every path a 100k one does; the returned func puts
// them back.
func SetViewCacheLimits(head, sqlSorted int) func() {
	h, q := permHead, maxSQLSortedMatches
	permHead, maxSQLSortedMatches = head, sqlSorted
	return func() { permHead, maxSQLSortedMatches = h, q }
}

// SetFilterHints gives the busy filter these hints, as a count rebuild
// would (filterhints.go).
func SetFilterHints(s *Store, roles, worlds, clients []string) {
	s.hints.Store(&filterHints{roles: roles, worlds: worlds, clients: clients})
}
