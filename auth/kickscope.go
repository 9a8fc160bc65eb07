package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mudtop/storage"
)

// ActionKickScope is the audit log's name for a kick by scope.
const ActionKickScope = "kick_scope"

// ErrEmptyScope refuses a kick by scope that names no condition: that
// would be every session, which is what ClearAll (and its stronger
// permission and confirmation) is for.
var ErrEmptyScope = &Error{400, "Empty scope: name a filter, world, client, idle time or role (to remove every session, use clear)"}

// KickScope is a predicate over sessions: every set field must hold.
type KickScope struct {
	// Filter is the monitor's filter text (a substring of user,
	// character, world, client or role, any case).
	Filter string
	// World, Client and Role match exactly, ignoring case (a role as the
	// server reads it: "Admin" is admin).
	World, Client, Role string
	// IdleOver matches sessions idle longer than this.
	IdleOver time.Duration
	// IncludeSelf removes the operator's own sessions too; by default
	// they are kept, and counted.
	IncludeSelf bool
}

// Empty reports whether the scope names no condition.
func (k KickScope) Empty() bool {
	return k.Filter == "" && k.World == "" && k.Client == "" && k.Role == "" && k.IdleOver <= 0
}

// String is the scope in words, for the preview and the audit log.
func (k KickScope) String() string {
	var parts []string
	if k.Filter != "" {
		parts = append(parts, fmt.Sprintf("filter %q", k.Filter))
	}
	if k.World != "" {
		parts = append(parts, fmt.Sprintf("world %q", k.World))
	}
	if k.Client != "" {
		parts = append(parts, fmt.Sprintf("client %q", k.Client))
	}
	if k.Role != "" {
		parts = append(parts, fmt.Sprintf("role %q", k.Role))
	}
	if k.IdleOver > 0 {
		parts = append(parts, "idle over "+k.IdleOver.String())
	}
	if k.IncludeSelf {
		parts = append(parts, "own sessions included")
	}
	return strings.Join(parts, ", ")
}

// KickPreview is what a kick by scope would do, computed at one moment.
// Targets is the frozen set: the kick removes only these, and only those
// of them that still exist, still match and may still be kicked.
type KickPreview struct {
	Scope KickScope
	// At is when the preview was made; the idle condition is measured
	// from it, so the action judges "idle over" exactly as the preview did.
	At      time.Time
	Targets []SessionRef
	ByRole  map[string]int // of Targets
	// Matched is every session the scope matched, skipped ones included.
	Matched int
	// SkippedSelf counts the operator's own sessions kept (IncludeSelf off).
	SkippedSelf int
	// SkippedRank counts sessions of equal or higher rank, by role.
	SkippedRank       int
	SkippedRankByRole map[string]int
	// SelfLogout is true when the operator's own session is a target: the
	// kick logs the operator out.
	SelfLogout bool
	// Sample names a few targets ("alice (player) c0ffee12") for display.
	Sample []string
}

// KickScopeResult is what a kick by scope did.
type KickScopeResult struct {
	ActionResult
	// SkippedSelf and SkippedRank are counted again at the moment of the
	// kick: a target promoted since the preview is skipped, not removed.
	SkippedSelf       int
	SkippedRank       int
	SkippedRankByRole map[string]int
}

func (k KickScope) query(at time.Time) storage.ScopeQuery {
	sq := storage.ScopeQuery{Filter: k.Filter, World: k.World, Client: k.Client, Role: k.Role}
	if k.IdleOver > 0 {
		sq.IdleBefore = at.Add(-k.IdleOver)
	}
	return sq
}

// scopeTriage sorts matched rows into targets and skips by the rules.
type scopeTriage struct {
	targets        []storage.ScopeRow
	self, rank     int
	rankByRole     map[string]int
	selfLogout     bool
	targetsByRoles map[string]int
}

func triage(actor Identity, actorToken string, k KickScope, rows []storage.ScopeRow) scopeTriage {
	t := scopeTriage{rankByRole: map[string]int{}, targetsByRoles: map[string]int{}}
	for _, r := range rows {
		own := r.SessionID == actorToken || (r.UserFound && r.UserID == actor.UserID)
		switch {
		case own && !k.IncludeSelf:
			t.self++
			continue
		case !own && !CanManageRole(actor.Role, r.Role):
			t.rank++
			t.rankByRole[r.Role]++
			continue
		}
		if r.SessionID == actorToken {
			t.selfLogout = true
		}
		t.targets = append(t.targets, r)
		t.targetsByRoles[r.Role]++
	}
	return t
}

// PreviewKick shows what a kick by scope would remove, for an actor holding
// kick_users, in one read transaction. It changes nothing.
func (s *Service) PreviewKick(ctx context.Context, actorToken string, k KickScope) (KickPreview, error) {
	if k.Empty() {
		return KickPreview{}, ErrEmptyScope
	}
	p := KickPreview{Scope: k, At: s.clock()}
	err := s.store.Read(ctx, func(q storage.Querier) error {
		actor, err := s.operator(ctx, q, actorToken, KickUsers)
		if err != nil {
			return err
		}
		rows, err := s.store.ScopeSessions(ctx, q, k.query(p.At))
		if err != nil {
			return err
		}
		t := triage(actor, actorToken, k, rows)
		p.Matched, p.SkippedSelf, p.SkippedRank = len(rows), t.self, t.rank
		p.SkippedRankByRole, p.ByRole, p.SelfLogout = t.rankByRole, t.targetsByRoles, t.selfLogout
		for i, r := range t.targets {
			p.Targets = append(p.Targets, SessionRef{RowID: r.RowID, Token: r.SessionID})
			if i < 5 {
				p.Sample = append(p.Sample, fmt.Sprintf("%s (%s) %s", r.Username, displayRole(r.Role), ShortID(r.SessionID)))
			}
		}
		return nil
	})
	return p, storeErr("preview kick", err)
}

// KickScoped removes what a preview showed and is still there, in one
// guarded transaction: the actor is checked at this moment (kick_users,
// session, account), the scope is matched again, and a frozen target is
// removed only if it still exists as the same session, still matches and
// may still be kicked by the rank rule. A session that appeared after the
// preview is never removed. One audit row records the scope and counts.
func (s *Service) KickScoped(ctx context.Context, actorToken string, p KickPreview, reason string) (KickScopeResult, error) {
	var out KickScopeResult
	if p.Scope.Empty() {
		return out, ErrEmptyScope
	}
	res, err := s.guarded(ctx, actorToken, KickUsers, ActionKickScope, reason, func(q storage.Querier, actor Identity) (ActionResult, error) {
		res := ActionResult{ByRole: map[string]int{}, Target: "scope: " + p.Scope.String()}
		rows, err := s.store.ScopeSessions(ctx, q, p.Scope.query(p.At))
		if err != nil {
			return res, err
		}
		frozen := make(map[SessionRef]bool, len(p.Targets))
		for _, ref := range p.Targets {
			frozen[ref] = true
		}
		var still []storage.ScopeRow
		for _, r := range rows {
			if frozen[SessionRef{RowID: r.RowID, Token: r.SessionID}] {
				still = append(still, r)
			}
		}
		t := triage(actor, actorToken, p.Scope, still)
		out.SkippedSelf, out.SkippedRank, out.SkippedRankByRole = t.self, t.rank, t.rankByRole
		for _, r := range t.targets {
			ok, err := s.store.DeleteSessionExact(ctx, q, r.RowID, r.SessionID)
			if err != nil {
				return res, err
			}
			if ok {
				res.Removed++
				res.ByRole[r.Role]++
				res.SelfRemoved = res.SelfRemoved || r.SessionID == actorToken
			}
		}
		res.Missing = len(p.Targets) - len(still)
		res.Message = fmt.Sprintf("skipped %d by rank, %d own, %d gone or changed since the preview", t.rank, t.self, res.Missing)
		return res, nil
	})
	out.ActionResult = res
	return out, err
}
