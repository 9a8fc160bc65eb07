package storage

import "context"

// SessionsByTokenPrefix returns at most limit sessions whose id starts with
// prefix. Listings only ever show a short prefix of an id (ids are bearer
// credentials), so a command line that acts on a listed session has to find
// it by that prefix.
func (s *Store) SessionsByTokenPrefix(ctx context.Context, q Querier, prefix string, limit int) ([]SessionRow, error) {
	return s.sessionsWhere(ctx, q,
		`s.id IN (SELECT id FROM sessions WHERE substr(session_id, 1, length(?1)) = ?1 LIMIT ?2)`, prefix, limit)
}
