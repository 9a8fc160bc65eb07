package auth

import (
	"errors"
	"fmt"

	"mudtop/storage"
)

// Error is a refusal the original server would answer with an HTTP status:
// 401 (no valid session), 403 (not allowed), 409 (game state conflict). The
// Detail is the original's text, word for word, so scripts that match on it
// keep working. Database failures are never an *Error.
type Error struct {
	Status int
	Detail string
}

func (e *Error) Error() string { return e.Detail }

// Is makes errors.Is match on status and detail, so a freshly built
// Forbidden(KickUsers) equals another one.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Status == e.Status && t.Detail == e.Detail
}

// The refusals of the original's auth module (COMPAT.md §5, §7).
var (
	// ErrInvalidSession: no such session, or it expired (and was removed).
	ErrInvalidSession = &Error{401, "Invalid or expired session"}
	// ErrInvalidSessionUser: the session's user row is gone or has no
	// username or role.
	ErrInvalidSessionUser = &Error{401, "Invalid session user"}
	// ErrBadCredentials: unknown user or wrong password (one text for both,
	// so the answer does not reveal which usernames exist).
	ErrBadCredentials = &Error{401, "Invalid username or password"}
	// ErrDeactivated: the account is inactive or tombstoned.
	ErrDeactivated = &Error{401, "Account is deactivated"}
	// ErrNoCharacter: a game call on a session without a selected character.
	ErrNoCharacter = &Error{409, "No character selected for session. Select a character first."}
	// ErrCharacterNotFound: the selected character row is gone or unnamed.
	ErrCharacterNotFound = &Error{409, "Selected character not found"}
	// ErrCharacterWorld: the selected character has no world.
	ErrCharacterWorld = &Error{409, "Character world not found"}
	// ErrCharacterNotOwned: selecting a character that is not the user's.
	ErrCharacterNotOwned = &Error{404, "Character not found for this user"}
	// ErrWorldAccess: selecting a character in a world the user may not enter.
	ErrWorldAccess = &Error{403, "World access denied"}
	// ErrUsernameLength: the original's login route accepts 2-20 characters.
	ErrUsernameLength = &Error{400, "Username must be 2-20 characters"}
)

// Forbidden is the original's 403 for a missing permission.
func Forbidden(p Permission) *Error {
	return &Error{403, "Insufficient permissions. Required: " + string(p)}
}

// Outranked is the 403 for the rank rule: an actor may act only on roles
// strictly below its own (the original's can_manage_role).
func Outranked(actorRole, targetRole string) *Error {
	return &Error{403, fmt.Sprintf("Insufficient rank: %s cannot manage %s", displayRole(actorRole), displayRole(targetRole))}
}

func displayRole(r string) string {
	if r == "" {
		return "(no role)"
	}
	return r
}

// Status returns the HTTP-style status carried by err, or 0 when err is not
// an auth refusal (a database failure, say).
func Status(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// Database conditions, re-exported so callers above auth can test for them
// without importing storage.
var (
	// ErrBusy: another process held the database lock past the busy timeout.
	ErrBusy = storage.ErrBusy
	// ErrReadOnly: the database cannot be written.
	ErrReadOnly = storage.ErrReadOnly
	// ErrNotFound: the session an action named is no longer there.
	ErrNotFound = storage.ErrNotFound
)

// StoreError wraps a database failure. It is deliberately a different type
// from *Error: a broken database must never look like a bad session.
type StoreError struct {
	Op  string
	Err error
}

func (e *StoreError) Error() string {
	return "Session store unavailable: " + e.Op + ": " + e.Err.Error()
}

func (e *StoreError) Unwrap() error { return e.Err }

func storeErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *StoreError
	if errors.As(err, &se) {
		return err
	}
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	// A session already gone is an answer, not a database failure: callers
	// (and the monitor's error state) must not mistake it for one.
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return &StoreError{Op: op, Err: err}
}
