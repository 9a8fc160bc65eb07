package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mudtop/storage"
)

// AccountState is an account's standing as login sees it.
type AccountState string

// The account states.
const (
	AccountActive      AccountState = "active"
	AccountDeactivated AccountState = "deactivated"
	AccountTombstoned  AccountState = "tombstoned"
)

// Holder is one account holding a permission.
type Holder struct {
	Username string
	Role     string // as stored
	State    AccountState
	// LastLogin is the stored text ("" when never).
	LastLogin string
	// Sessions counts live sessions (not expired by SQLite's reading).
	Sessions int
	// Via says how the permission is held: "admin" (the role's own set,
	// after lowercasing) or "full_access" (superuser holds everything).
	Via string
}

// HoldersPage is one page of the accounts holding a permission.
type HoldersPage struct {
	Permission Permission
	Holders    []Holder
	Total      int
	Offset     int
}

// Finding is one thing about grants an administrator should look at,
// explained in one line.
type Finding struct {
	Kind     storage.FindingKind
	Username string
	Role     string
	WorldID  string
	Sessions int
	Text     string
}

// FindingsPage is one page of findings and how many of each kind exist.
type FindingsPage struct {
	Findings []Finding
	Total    int
	ByKind   map[storage.FindingKind]int
	Offset   int
}

// UserGrants is everything about one account's permissions.
type UserGrants struct {
	Username string
	Role     string // as stored
	// Known is false for a role the server does not recognise; Effective
	// is the role it is matched as when Known.
	Known     bool
	Effective Role
	Level     int
	State     AccountState
	LastLogin string
	Sessions  int
	Holds     []Permission
	Lacks     []Permission
	Worlds    []string
	// Actions are what the account may (and may not) do in mudtop, in words.
	Actions  []string
	Findings []Finding
}

// GrantsQuery selects what one read of the grants view returns.
type GrantsQuery struct {
	// Permission, when set, lists its holders; else findings are listed.
	Permission Permission
	Offset     int
	Limit      int
}

// GrantsScreen is one read of the monitor's grants view: a page of
// findings with their counts by kind, or (GrantsQuery.Permission set) a
// page of that permission's holders.
type GrantsScreen struct {
	Findings FindingsPage
	Holders  *HoldersPage
}

// FindingKind is which check found a finding.
type FindingKind = storage.FindingKind

// The finding kinds (see storage for what each check reads).
const (
	FindOddRole              = storage.FindOddRole
	FindSuperNotSystem       = storage.FindSuperNotSystem
	FindInactiveWithSessions = storage.FindInactiveWithSessions
	FindGuestExpired         = storage.FindGuestExpired
	FindWorldNoAccess        = storage.FindWorldNoAccess
)

// FindingKinds lists the kinds in the order findings are listed.
var FindingKinds = []FindingKind{FindOddRole, FindSuperNotSystem, FindInactiveWithSessions, FindGuestExpired, FindWorldNoAccess}

// FindingKindName names a kind in JSON and in the monitor's counts line.
func FindingKindName(k storage.FindingKind) string {
	switch k {
	case storage.FindOddRole:
		return "odd_role"
	case storage.FindSuperNotSystem:
		return "superuser_not_system"
	case storage.FindInactiveWithSessions:
		return "inactive_with_sessions"
	case storage.FindGuestExpired:
		return "expired_guest_with_sessions"
	case storage.FindWorldNoAccess:
		return "world_without_access"
	}
	return "unknown"
}

// holdingRoles are the lowercase roles that hold p by the original's table.
func holdingRoles(p Permission) []string {
	var out []string
	for _, r := range Roles {
		if HasPermission(string(r), p) {
			out = append(out, string(r))
		}
	}
	return out
}

func (s *Service) findingsQuery(now time.Time, offset, limit int) storage.FindingsQuery {
	known := make([]string, len(Roles))
	for i, r := range Roles {
		known[i] = string(r)
	}
	return storage.FindingsQuery{
		Now: now, KnownRoles: known, SuperRole: string(Superuser),
		// The original's world-access check lets these exact role values
		// into every world (worlds_repo); "Admin" is not let in there.
		WorldBypass: []string{string(Admin), string(Superuser)},
		Offset:      offset, Limit: limit,
	}
}

// Grants is one read of the grants view for an operator with view_logs,
// in one read transaction.
func (s *Service) Grants(ctx context.Context, operatorToken string, gq GrantsQuery) (GrantsScreen, error) {
	var out GrantsScreen
	now := s.clock()
	err := s.store.Read(ctx, func(q storage.Querier) error {
		if _, err := s.operator(ctx, q, operatorToken, ViewLogs); err != nil {
			return err
		}
		if gq.Permission == "" {
			var err error
			out.Findings, err = s.findings(ctx, q, now, gq.Offset, gq.Limit)
			return err
		}
		{
			hp, err := s.holders(ctx, q, now, gq.Permission, gq.Offset, gq.Limit)
			if err != nil {
				return err
			}
			out.Holders = &hp
		}
		return nil
	})
	return out, storeErr("read grants", err)
}

func (s *Service) findings(ctx context.Context, q storage.Querier, now time.Time, offset, limit int) (FindingsPage, error) {
	rows, byKind, err := s.store.Findings(ctx, q, s.findingsQuery(now, offset, limit))
	if err != nil {
		return FindingsPage{}, err
	}
	fp := FindingsPage{ByKind: byKind, Offset: offset}
	for _, n := range byKind {
		fp.Total += n
	}
	for _, r := range rows {
		fp.Findings = append(fp.Findings, explainFinding(r))
	}
	return fp, nil
}

func (s *Service) holders(ctx context.Context, q storage.Querier, now time.Time, p Permission, offset, limit int) (HoldersPage, error) {
	rows, total, err := s.store.ListAccounts(ctx, q, storage.AccountQuery{Roles: holdingRoles(p), Now: now, Offset: offset, Limit: limit})
	if err != nil {
		return HoldersPage{}, err
	}
	hp := HoldersPage{Permission: p, Total: total, Offset: offset}
	for _, a := range rows {
		r, _ := knownRole(a.Role)
		via := string(r)
		if r == Superuser && p != FullAccess {
			via = string(FullAccess)
		}
		hp.Holders = append(hp.Holders, Holder{Username: a.Username, Role: a.Role, State: accountState(a),
			LastLogin: a.LastLogin, Sessions: a.Sessions, Via: via})
	}
	return hp, nil
}

// UserGrants reads one account's permissions, worlds, actions and
// findings, for an operator with view_logs. An unknown account is the
// route's 404, UserNotFound.
func (s *Service) UserGrants(ctx context.Context, operatorToken, username string) (UserGrants, error) {
	var ug UserGrants
	now := s.clock()
	err := s.store.Read(ctx, func(q storage.Querier) error {
		if _, err := s.operator(ctx, q, operatorToken, ViewLogs); err != nil {
			return err
		}
		a, ok, err := s.store.AccountByName(ctx, q, username, now)
		if err != nil {
			return err
		}
		if !ok {
			return UserNotFound(username)
		}
		ug = UserGrants{Username: a.Username, Role: a.Role, State: accountState(a), LastLogin: a.LastLogin,
			Sessions: a.Sessions, Level: RoleLevel(a.Role)}
		ug.Effective, ug.Known = knownRole(a.Role)
		for _, p := range Permissions {
			if HasPermission(a.Role, p) {
				ug.Holds = append(ug.Holds, p)
			} else {
				ug.Lacks = append(ug.Lacks, p)
			}
		}
		if ug.Worlds, err = s.store.WorldGrants(ctx, q, a.ID); err != nil {
			return err
		}
		ug.Actions = actionsInWords(a.Role, ug.State)
		fs, err := s.store.UserFindings(ctx, q, s.findingsQuery(now, 0, 0), a.ID)
		if err != nil {
			return err
		}
		for _, f := range fs {
			ug.Findings = append(ug.Findings, explainFinding(f))
		}
		return nil
	})
	return ug, storeErr("read grants", err)
}

func accountState(a storage.AccountRow) AccountState {
	switch {
	case a.Tombstoned:
		return AccountTombstoned
	case !a.Active:
		return AccountDeactivated
	}
	return AccountActive
}

// rolesBelow lists the roles a role may act on by the rank rule.
func rolesBelow(role string) string {
	var out []string
	for _, r := range Roles {
		if CanManageRole(role, string(r)) {
			out = append(out, string(r))
		}
	}
	return strings.Join(out, ", ")
}

// actionsInWords says which of mudtop's guarded actions an account may
// take, over which roles, as the rules stand.
func actionsInWords(role string, st AccountState) []string {
	var out []string
	if st != AccountActive {
		out = append(out, fmt.Sprintf("none while the account is %s: login refuses it, and mudtop refuses it as an operator (401 Account is deactivated)", st))
	}
	may := func(p Permission, yes, no string) {
		if HasPermission(role, p) {
			out = append(out, yes)
		} else {
			out = append(out, no+" (lacks "+string(p)+")")
		}
	}
	may(ViewLogs, "may watch the monitor, list sessions and read grants (view_logs)", "may not open the monitor or list sessions")
	below := rolesBelow(role)
	may(KickUsers, "may kick sessions of "+below+" (kick_users; strictly lower rank), and always its own",
		"may kick no one's sessions but its own logout")
	may(BanUsers, "may ban and unban accounts of "+below+" (ban_users; strictly lower rank, never its own)", "may not ban or unban")
	may(ManageUsers, "may clear every session (manage_users)", "may not clear all sessions")
	return out
}

// explainFinding turns a finding's row into its one line.
func explainFinding(r storage.FindingRow) Finding {
	f := Finding{Kind: r.Kind, Username: r.Username, Role: r.Role, WorldID: r.WorldID, Sessions: r.Sessions}
	sess := fmt.Sprintf("%d live session", r.Sessions)
	if r.Sessions != 1 {
		sess += "s"
	}
	switch r.Kind {
	case storage.FindOddRole:
		switch known, ok := knownRole(r.Role); {
		case r.Role == "":
			f.Text = "empty role: it holds nothing, and every session of it fails validation (401 Invalid session user)"
		case ok:
			f.Text = fmt.Sprintf("role %q is not lowercase: the server lowercases it and grants %s's permissions", r.Role, known)
		default:
			f.Text = fmt.Sprintf("role %q is not one of the four: the server finds no match and grants nothing (rank 0)", r.Role)
		}
	case storage.FindSuperNotSystem:
		f.Text = fmt.Sprintf("superuser not made by the server's bootstrap (account_origin %q, not 'system')", r.Origin)
	case storage.FindInactiveWithSessions:
		state := "deactivated"
		if r.Tombstoned {
			state = "tombstoned"
		}
		which := "they still validate"
		if r.Sessions == 1 {
			which = "it still validates"
		}
		f.Text = fmt.Sprintf("%s but holds %s: %s (only login checks the account)", state, sess, which)
	case storage.FindGuestExpired:
		f.Text = fmt.Sprintf("guest expired at %s but holds %s (the server's sweeper has not run yet)", r.GuestExpires, sess)
	case storage.FindWorldNoAccess:
		n := fmt.Sprintf("%d session", r.Sessions)
		if r.Sessions != 1 {
			n += "s"
		}
		f.Text = fmt.Sprintf("%s in world %q it may not enter (no grant, no own character there, or the world is missing or inactive): selecting it gets 403 World access denied, unless the server's config opens the world", n, r.WorldID)
	}
	return f
}
