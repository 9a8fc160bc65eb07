package auth

import (
	"context"
	"errors"
)

// ErrAmbiguousID means a session id prefix matched more than one session:
// acting on either could hit the wrong one, so the caller must say more.
var ErrAmbiguousID = errors.New("session id prefix matches more than one session; give more of the id")

// FindSession resolves the session a command line names, by its whole id or
// by a prefix of at least IDPrefixLength characters (the short id listings
// show). It is a plain read that records no activity: permission and rank
// are checked by the guarded action the caller takes next, which also
// re-checks that the row still holds the same session. ErrNotFound when
// nothing matches.
func (s *Service) FindSession(ctx context.Context, idOrPrefix string) (SessionRef, error) {
	if idOrPrefix == "" || len(idOrPrefix) > MaxTokenLength {
		return SessionRef{}, ErrNotFound
	}
	a, ok, err := s.store.SessionAuth(ctx, s.store.Q(), idOrPrefix)
	if err != nil {
		return SessionRef{}, storeErr("find session", err)
	}
	if ok {
		return SessionRef{RowID: a.RowID, Token: a.SessionID}, nil
	}
	if len(idOrPrefix) < IDPrefixLength {
		return SessionRef{}, ErrNotFound
	}
	rows, err := s.store.SessionsByTokenPrefix(ctx, s.store.Q(), idOrPrefix, 2)
	if err != nil {
		return SessionRef{}, storeErr("find session", err)
	}
	switch len(rows) {
	case 0:
		return SessionRef{}, ErrNotFound
	case 1:
		return SessionRef{RowID: rows[0].RowID, Token: rows[0].SessionID}, nil
	}
	return SessionRef{}, ErrAmbiguousID
}
