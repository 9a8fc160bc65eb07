package auth

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"mudtop/storage"
)

// Action names as written to the audit log.
const (
	ActionKickSession   = "kick_session"
	ActionKickSessions  = "kick_sessions"
	ActionKickUser      = "kick_user"
	ActionKickCharacter = "kick_character"
	ActionClearAll      = "clear_all"
)

// IDPrefixLength is how much of a session id is ever shown or audited.
const IDPrefixLength = 8

// ShortID is the displayable prefix of a session id: ids are bearer
// credentials and are never shown or logged whole.
func ShortID(token string) string {
	if len(token) > IDPrefixLength {
		return token[:IDPrefixLength]
	}
	return token
}

// actor is the check every guarded action makes first, inside the action's
// own write transaction, so nothing can change between check and act: the
// session is valid now (401), its account active and not tombstoned (401),
// and its role holds p (403). It does not record activity: guarded does,
// once the action has succeeded, so that a refused attempt changes nothing
// in either activity mode (coalesced, a touch made here would survive the
// rollback in memory and be flushed later).
func (s *Service) actor(ctx context.Context, q storage.Querier, token string, p Permission) (Identity, storage.SessionAuth, error) {
	a, ok, err := s.lookup(ctx, q, token)
	if err != nil {
		return Identity{}, a, err
	}
	if !ok {
		return Identity{}, a, ErrInvalidSession
	}
	id, err := identity(a)
	if err != nil {
		return id, a, err
	}
	if !a.UserActive || a.Tombstoned {
		return id, a, ErrDeactivated
	}
	// p empty: the action checks what it needs itself (keys of your own
	// account need only your session).
	if p != "" && !HasPermission(id.Role, p) {
		return id, a, Forbidden(p)
	}
	return id, a, nil
}

// guarded runs one guarded action in one write transaction: check the
// actor, act, audit. A refusal after the actor is known (403) is audited
// too, in a transaction of its own, so the refused attempt is on record while
// nothing else changes.
func (s *Service) guarded(ctx context.Context, token string, p Permission, action, reason string,
	act func(q storage.Querier, actor Identity) (ActionResult, error)) (ActionResult, error) {
	var res ActionResult
	var actor Identity
	var done storage.AuditEntry
	err := s.store.Write(ctx, func(q storage.Querier) error {
		var err error
		var row storage.SessionAuth
		if actor, row, err = s.actor(ctx, q, token, p); err != nil {
			return err
		}
		if res, err = act(q, actor); err != nil {
			return err
		}
		res.Action = action
		done = storage.AuditEntry{
			Actor: actor.Username, ActorRole: actor.Role, Action: action, Target: res.Target,
			Result: "ok: " + res.auditText(), Removed: res.Removed, Reason: reason, Origin: s.Origin(token),
		}
		if err := s.store.WriteAudit(ctx, q, s.clock(), done); err != nil {
			return err
		}
		if res.SelfRemoved {
			return nil
		}
		// The actor used the game's admin powers: that is activity, as the
		// original's validate_session_with_permission records it.
		return s.touch(ctx, q, row)
	})
	if err == nil {
		if res.SelfRemoved {
			s.activity.forget(token)
		}
		s.told(done)
		return res, nil
	}
	if Status(err) == 403 && actor.Username != "" {
		refused := storage.AuditEntry{
			Actor: actor.Username, ActorRole: actor.Role, Action: action, Target: res.Target,
			Result: "refused: " + err.Error(), Reason: reason, Origin: s.Origin(token),
		}
		// Best effort: a refusal must be reported even if its audit fails.
		_ = s.store.Write(ctx, func(q storage.Querier) error {
			return s.store.WriteAudit(ctx, q, s.clock(), refused)
		})
		s.told(refused)
	}
	return ActionResult{Action: action}, storeErr(action, err)
}

// checkRank applies the rank rule to a target session: the actor's own
// sessions may always go (this one is a logout, the others a "sign out my
// other devices"); anyone else's needs a strictly higher role.
func checkRank(actor Identity, actorToken string, target storage.SessionRow) error {
	if target.SessionID == actorToken || (target.UserFound && target.UserID == actor.UserID) {
		return nil
	}
	if !CanManageRole(actor.Role, target.Role) {
		return Outranked(actor.Role, target.Role)
	}
	return nil
}

// KickSession removes one session, as the operator saw it, for an actor
// holding kick_users who outranks the session's user. A session that is
// gone, or whose row now holds another token, is ErrNotFound and nothing
// changes. Kicking your own session logs you out (SelfRemoved).
func (s *Service) KickSession(ctx context.Context, actorToken string, target SessionRef, reason string) (ActionResult, error) {
	return s.KickSessions(ctx, actorToken, []SessionRef{target}, reason)
}

// KickSessions removes several sessions (the monitor's tagged rows) all or
// nothing: if the actor may not kick any one of them, none is removed.
// Sessions already gone are counted in Missing; if every one is gone the
// answer is ErrNotFound.
func (s *Service) KickSessions(ctx context.Context, actorToken string, targets []SessionRef, reason string) (ActionResult, error) {
	action := ActionKickSessions
	if len(targets) == 1 {
		action = ActionKickSession
	}
	return s.guarded(ctx, actorToken, KickUsers, action, reason, func(q storage.Querier, actor Identity) (ActionResult, error) {
		res := ActionResult{ByRole: map[string]int{}}
		var present []storage.SessionRow
		for _, t := range targets {
			row, ok, err := s.store.SessionByRowID(ctx, q, t.RowID)
			if err != nil {
				return res, err
			}
			if !ok || row.SessionID != t.Token {
				res.Missing++
				continue
			}
			if err := checkRank(actor, actorToken, row); err != nil {
				res.Target = describeRows([]storage.SessionRow{row})
				return res, err
			}
			present = append(present, row)
		}
		res.Target = describeRows(present)
		if len(present) == 0 {
			return res, ErrNotFound
		}
		for _, row := range present {
			ok, err := s.store.DeleteSessionExact(ctx, q, row.RowID, row.SessionID)
			if err != nil {
				return res, err
			}
			if ok {
				res.count(row, actorToken)
			}
		}
		return res, nil
	})
}

// KickUser removes every session of the named user.
func (s *Service) KickUser(ctx context.Context, actorToken, username, reason string) (ActionResult, error) {
	return s.guarded(ctx, actorToken, KickUsers, ActionKickUser, reason, func(q storage.Querier, actor Identity) (ActionResult, error) {
		res := ActionResult{ByRole: map[string]int{}, Target: "user " + username}
		u, ok, err := s.store.UserByName(ctx, q, username)
		if err != nil {
			return res, err
		}
		if !ok {
			return res, &Error{404, "User not found: " + username}
		}
		rows, err := s.store.SessionsByUser(ctx, q, u.ID)
		if err != nil {
			return res, err
		}
		return kickRows(ctx, s.store, q, actor, actorToken, res, rows, u.Role)
	})
}

// KickCharacter removes every session bound to a character.
func (s *Service) KickCharacter(ctx context.Context, actorToken string, characterID int64, reason string) (ActionResult, error) {
	return s.guarded(ctx, actorToken, KickUsers, ActionKickCharacter, reason, func(q storage.Querier, actor Identity) (ActionResult, error) {
		res := ActionResult{ByRole: map[string]int{}, Target: fmt.Sprintf("character %d", characterID)}
		c, ok, err := s.store.CharacterByID(ctx, q, characterID)
		if err != nil {
			return res, err
		}
		if !ok {
			return res, &Error{404, fmt.Sprintf("Character not found: %d", characterID)}
		}
		res.Target = fmt.Sprintf("character %s (%d)", c.Name, c.ID)
		rows, err := s.store.SessionsByCharacter(ctx, q, c.ID)
		if err != nil {
			return res, err
		}
		return kickRows(ctx, s.store, q, actor, actorToken, res, rows, "")
	})
}

// kickRows removes rows, after checking the rank rule against each of them
// (and against ownerRole, so a user without sessions still cannot be
// "kicked" by someone below them).
func kickRows(ctx context.Context, store *storage.Store, q storage.Querier, actor Identity, actorToken string,
	res ActionResult, rows []storage.SessionRow, ownerRole string) (ActionResult, error) {
	if ownerRole != "" && len(rows) == 0 && !CanManageRole(actor.Role, ownerRole) {
		return res, Outranked(actor.Role, ownerRole)
	}
	for _, r := range rows {
		if err := checkRank(actor, actorToken, r); err != nil {
			return res, err
		}
	}
	for _, r := range rows {
		ok, err := store.DeleteSessionExact(ctx, q, r.RowID, r.SessionID)
		if err != nil {
			return res, err
		}
		if ok {
			res.count(r, actorToken)
		}
	}
	return res, nil
}

// ClearAll removes every session, for an actor holding manage_users. The
// actor's own session is kept unless includeSelf is set.
func (s *Service) ClearAll(ctx context.Context, actorToken string, includeSelf bool, reason string) (ActionResult, error) {
	return s.guarded(ctx, actorToken, ManageUsers, ActionClearAll, reason, func(q storage.Querier, actor Identity) (ActionResult, error) {
		res := ActionResult{ByRole: map[string]int{}, Target: "all sessions"}
		byRole, err := s.store.CountByRole(ctx, q)
		if err != nil {
			return res, err
		}
		keep := actorToken
		if includeSelf {
			keep = ""
			res.SelfRemoved = true
		} else {
			byRole[actor.Role]--
		}
		n, err := s.store.DeleteAllSessions(ctx, q, keep)
		if err != nil {
			return res, err
		}
		res.Removed = n
		for r, c := range byRole {
			if c > 0 {
				res.ByRole[r] = c
			}
		}
		return res, nil
	})
}

func (r *ActionResult) count(row storage.SessionRow, actorToken string) {
	r.Removed++
	r.ByRole[row.Role]++
	if row.SessionID == actorToken {
		r.SelfRemoved = true
	}
}

// auditText is the success as the audit log records it: the route's
// message, when it has one, then what was removed.
func (r ActionResult) auditText() string {
	if r.Message != "" {
		return r.Message + "; " + r.Summary()
	}
	return r.Summary()
}

// Summary is the result in words: "3 sessions: 2 player, 1 worldbuilder".
func (r ActionResult) Summary() string {
	return SummarizeByRole(r.Removed, r.ByRole)
}

// SummarizeByRole renders a count broken down by role, highest rank first.
func SummarizeByRole(total int, byRole map[string]int) string {
	noun := "sessions"
	if total == 1 {
		noun = "session"
	}
	if total == 0 || len(byRole) == 0 {
		return fmt.Sprintf("%d %s", total, noun)
	}
	roles := make([]string, 0, len(byRole))
	for r := range byRole {
		roles = append(roles, r)
	}
	sort.Slice(roles, func(i, j int) bool {
		if li, lj := RoleLevel(roles[i]), RoleLevel(roles[j]); li != lj {
			return li < lj
		}
		return roles[i] < roles[j]
	})
	parts := make([]string, 0, len(roles))
	for _, r := range roles {
		name := r
		if name == "" {
			name = "(no role)"
		}
		parts = append(parts, fmt.Sprintf("%d %s", byRole[r], name))
	}
	return fmt.Sprintf("%d %s: %s", total, noun, strings.Join(parts, ", "))
}

// describeRows names kicked sessions for the audit log: users and short
// id prefixes only.
func describeRows(rows []storage.SessionRow) string {
	parts := make([]string, 0, len(rows))
	for i, r := range rows {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(rows)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", r.Username, ShortID(r.SessionID)))
	}
	return strings.Join(parts, ", ")
}
