package auth

import (
	"context"
	"errors"

	"mudtop/storage"
)

// MaxTokenLength bounds the session ids looked up at all. The original
// accepts any string as a key; ids it issues are 36 characters, so anything
// this long is refused as invalid without reaching the database.
const MaxTokenLength = 1024

// lookup is the original's _get_valid_session: the row, with an expired or
// unparseable one removed at once. ok is false (with a nil error) when the
// caller must answer 401.
func (s *Service) lookup(ctx context.Context, q storage.Querier, token string) (storage.SessionAuth, bool, error) {
	if token == "" || len(token) > MaxTokenLength {
		return storage.SessionAuth{}, false, nil
	}
	a, ok, err := s.store.SessionAuth(ctx, q, token)
	if err != nil || !ok {
		return a, false, err
	}
	typ, text := a.ExpiresType, a.ExpiresAt
	if pending, ok := s.activity.pendingExpiry(token); ok {
		typ, text = "text", pending
	}
	switch judgeExpiry(typ, text, s.clock()) {
	case verdictExpired:
		s.activity.forget(token)
		if _, err := s.store.DeleteSession(ctx, q, token); err != nil {
			return a, false, err
		}
		return a, false, nil
	case verdictBroken:
		return a, false, nil
	}
	return a, true, nil
}

// touch records the activity of a successful lookup: written at once, or
// coalesced (see activity). An update that would change nothing, because
// the row already holds this second, is not written at all.
func (s *Service) touch(ctx context.Context, q storage.Querier, a storage.SessionAuth) error {
	t := s.cfg.renewal(a.SessionID, s.clock())
	t.RowID = a.RowID // lets a batched write find the row by rowid
	if t.LastActivity == a.LastActivity && (t.ExpiresAt == "" || t.ExpiresAt == a.ExpiresAt) {
		if _, pending := s.activity.pendingExpiry(a.SessionID); !pending {
			return nil
		}
	}
	if s.activity.record(t) {
		_, err := s.store.TouchSession(ctx, q, t)
		return err
	}
	return nil
}

// identity applies the original's user checks after the touch: a missing
// user, an empty username or an empty role is 401 "Invalid session user".
func identity(a storage.SessionAuth) (Identity, error) {
	if !a.UserFound || a.Username == "" || a.Role == "" {
		return Identity{}, ErrInvalidSessionUser
	}
	return Identity{UserID: a.UserID, Username: a.Username, Role: a.Role}, nil
}

// validate is validate_session's body on q. It returns the row too, for
// callers that need its character or world.
func (s *Service) validate(ctx context.Context, q storage.Querier, token string) (Identity, storage.SessionAuth, error) {
	a, ok, err := s.lookup(ctx, q, token)
	if err != nil {
		return Identity{}, a, err
	}
	if !ok {
		return Identity{}, a, ErrInvalidSession
	}
	// The original records activity before it checks the user (COMPAT.md
	// §5.3 step 2), so a session that then fails still counts as used.
	if err := s.touch(ctx, q, a); err != nil {
		return Identity{}, a, err
	}
	id, err := identity(a)
	return id, a, err
}

// run executes fn the cheapest safe way: with activity coalesced, lookups
// need no write transaction (an expired row's DELETE commits on its own, as
// the original's does); written through, the lookup and its update share
// one transaction, two statements and one commit.
func (s *Service) run(ctx context.Context, fn func(q storage.Querier) error) error {
	if s.cfg.ActivityFlush > 0 {
		return fn(s.store.Q())
	}
	return s.writeKeepingRefusals(ctx, fn)
}

// writeKeepingRefusals runs fn in one write transaction that commits even
// when fn ends in a refusal (*Error): the original commits the removal of an
// expired row and the activity touch before it answers 401/403/409, and a
// rollback would undo both. Only a database failure rolls back.
func (s *Service) writeKeepingRefusals(ctx context.Context, fn func(q storage.Querier) error) error {
	var refusal error
	err := s.store.Write(ctx, func(q storage.Querier) error {
		err := fn(q)
		var ae *Error
		if errors.As(err, &ae) {
			refusal = err
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return refusal
}

// ValidateSession is the original's validate_session: 401 "Invalid or
// expired session" for a missing, expired or unparseable session (which is
// removed), 401 "Invalid session user" when its user is gone; otherwise it
// records activity (sliding renewal) and returns who it is. It does not look
// at is_active or tombstoned_at, exactly as the original.
func (s *Service) ValidateSession(ctx context.Context, token string) (Identity, error) {
	var id Identity
	err := s.run(ctx, func(q storage.Querier) error {
		var err error
		id, _, err = s.validate(ctx, q, token)
		return err
	})
	return id, storeErr("validate session", err)
}

// ValidateSessionWithPermission is validate_session followed by the
// permission check: 401 first, then 403 "Insufficient permissions.
// Required: <p>". Activity is recorded even when the answer is 403.
func (s *Service) ValidateSessionWithPermission(ctx context.Context, token string, p Permission) (Identity, error) {
	id, err := s.ValidateSession(ctx, token)
	if err != nil {
		return id, err
	}
	if !HasPermission(id.Role, p) {
		return id, Forbidden(p)
	}
	return id, nil
}

// ValidateSessionForGame is validate_session_for_game (COMPAT.md §5.4): a
// character must be selected (409 otherwise), and the session's world is
// re-bound to the character's when they differ.
func (s *Service) ValidateSessionForGame(ctx context.Context, token string) (GameIdentity, error) {
	var g GameIdentity
	err := s.run(ctx, func(q storage.Querier) error {
		id, a, err := s.validate(ctx, q, token)
		if err != nil {
			return err
		}
		g.Identity = id
		if a.CharacterOdd {
			// The original looks the character up by the stored value,
			// which no integer id equals.
			return ErrCharacterNotFound
		}
		if a.CharacterID == 0 {
			return ErrNoCharacter
		}
		c, ok, err := s.store.CharacterByID(ctx, q, a.CharacterID)
		if err != nil {
			return err
		}
		if !ok || c.Name == "" {
			return ErrCharacterNotFound
		}
		if c.WorldID == "" {
			return ErrCharacterWorld
		}
		if !a.WorldID.Valid || a.WorldID.String != c.WorldID {
			if _, err := s.store.SetSessionCharacter(ctx, q, token, c.ID, c.WorldID); err != nil {
				return err
			}
		}
		g.CharacterID, g.CharacterName, g.WorldID = c.ID, c.Name, c.WorldID
		return nil
	})
	return g, storeErr("validate session for game", err)
}

// UsernameAndRoleFromSession is get_username_and_role_from_session: no
// activity update, but an expired row is still removed. ok is false when
// the session, its username or its role is missing.
func (s *Service) UsernameAndRoleFromSession(ctx context.Context, token string) (username, role string, ok bool, err error) {
	a, valid, err := s.lookup(ctx, s.store.Q(), token)
	if err != nil {
		return "", "", false, storeErr("read session", err)
	}
	id, idErr := identity(a)
	if !valid || idErr != nil {
		return "", "", false, nil
	}
	return id.Username, id.Role, true, nil
}

// UsernameFromSession is get_username_from_session: like
// UsernameAndRoleFromSession, but an empty role does not matter here, as in
// the original, which never reads the role for it.
func (s *Service) UsernameFromSession(ctx context.Context, token string) (string, bool, error) {
	a, valid, err := s.lookup(ctx, s.store.Q(), token)
	if err != nil {
		return "", false, storeErr("read session", err)
	}
	if !valid || !a.UserFound || a.Username == "" {
		return "", false, nil
	}
	return a.Username, true, nil
}

// RemoveSession is remove_session: false (and no error) when not found.
func (s *Service) RemoveSession(ctx context.Context, token string) (bool, error) {
	s.activity.forget(token)
	ok, err := s.store.DeleteSession(ctx, s.store.Q(), token)
	return ok, storeErr("remove session", err)
}

// ClearAllSessions is clear_all_sessions, unguarded as in the original; the
// monitor uses the guarded ClearAll instead.
func (s *Service) ClearAllSessions(ctx context.Context) (int, error) {
	n, err := s.store.DeleteAllSessions(ctx, s.store.Q(), "")
	return n, storeErr("clear sessions", err)
}

// ActiveSessionCount is get_active_session_count: sessions SQLite reads as
// unexpired and, with the window on, active within it. Read-only.
func (s *Service) ActiveSessionCount(ctx context.Context) (int, error) {
	n, err := s.store.ActiveCount(ctx, s.store.Q(), s.clock(), s.cfg.ActiveWindow)
	return n, storeErr("count active sessions", err)
}

// CleanupExpiredSessions is cleanup_expired_sessions: it deletes the rows
// SQLite reads as expired and keeps those it cannot parse.
func (s *Service) CleanupExpiredSessions(ctx context.Context) (int, error) {
	n, err := s.store.DeleteExpired(ctx, s.store.Q(), s.clock())
	return n, storeErr("cleanup expired sessions", err)
}
