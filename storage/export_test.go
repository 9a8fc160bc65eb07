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
