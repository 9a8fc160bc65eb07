package auth

import (
	"context"
	"fmt"

	"mudtop/storage"
)

// Action names of the account actions, as written to the audit log.
const (
	ActionBanUser   = "ban_user"
	ActionUnbanUser = "unban_user"
)

// ErrSelfManage is the original's 400 for an operator naming their own
// account in POST /admin/user/manage.
var ErrSelfManage = &Error{400, "Cannot manage your own account"}

// UserNotFound is the original's 404 for a target account that does not
// exist. The name is quoted as given.
func UserNotFound(username string) *Error {
	return &Error{404, fmt.Sprintf("User '%s' not found", username)}
}

// ErrTargetNoRole is the original's 404 for a target whose role is empty.
var ErrTargetNoRole = &Error{404, "Target user not found"}

// CannotManage is the original's 403 when the operator's role does not
// strictly outrank the target's (the route's own wording, which differs
// from the kick's Outranked).
func CannotManage(targetRole string) *Error {
	return &Error{403, fmt.Sprintf("Insufficient permissions to manage user with role '%s'", targetRole)}
}

// BanUser is the original's POST /admin/user/manage with action ban: the
// operator needs ban_users, the target must exist, must not be the operator
// and must rank strictly below; then is_active = 0 and every session of the
// target goes. Unlike the original (two transactions) both happen in one,
// with the audit row, so a failure leaves the account as it was.
func (s *Service) BanUser(ctx context.Context, actorToken, username, reason string) (ActionResult, error) {
	return s.manageUser(ctx, actorToken, username, reason, true)
}

// UnbanUser is the same route with action unban: is_active = 1. Sessions
// removed by the ban do not come back; the user logs in again.
func (s *Service) UnbanUser(ctx context.Context, actorToken, username, reason string) (ActionResult, error) {
	return s.manageUser(ctx, actorToken, username, reason, false)
}

// manageUser runs the route's checks in the original's order (permission,
// existence, self, rank) inside the guarded transaction.
func (s *Service) manageUser(ctx context.Context, actorToken, username, reason string, ban bool) (ActionResult, error) {
	action := ActionUnbanUser
	if ban {
		action = ActionBanUser
	}
	return s.guarded(ctx, actorToken, BanUsers, action, reason, func(q storage.Querier, actor Identity) (ActionResult, error) {
		res := ActionResult{ByRole: map[string]int{}, Target: "user " + username}
		u, ok, err := s.store.UserByName(ctx, q, username)
		if err != nil {
			return res, err
		}
		if !ok {
			return res, UserNotFound(username)
		}
		if u.Role == "" {
			return res, ErrTargetNoRole
		}
		if username == actor.Username {
			return res, ErrSelfManage
		}
		if !CanManageRole(actor.Role, u.Role) {
			return res, CannotManage(u.Role)
		}
		if err := s.store.SetUserActive(ctx, q, u.ID, !ban); err != nil {
			return res, err
		}
		if !ban {
			res.Message = "Successfully unbanned " + username
			return res, nil
		}
		n, err := s.store.DeleteUserSessions(ctx, q, u.ID)
		if err != nil {
			return res, err
		}
		res.Removed = n
		if n > 0 {
			res.ByRole[u.Role] = n
		}
		res.Message = "Successfully banned " + username
		return res, nil
	})
}
