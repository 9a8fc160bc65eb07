package auth

import (
	"time"

	"mudtop/storage"
)

// Identity is who a valid session belongs to. Role is returned exactly as
// stored (the original does not lowercase it).
type Identity struct {
	UserID   int64
	Username string
	Role     string
}

// GameIdentity is an Identity with the session's selected character.
type GameIdentity struct {
	Identity
	CharacterID   int64
	CharacterName string
	WorldID       string
}

// LoginResult is what a successful login returns. SessionID is a bearer
// credential: show it once, never log it.
type LoginResult struct {
	Identity
	SessionID string
	// Replaced counts the user's earlier sessions the single-session rule removed.
	Replaced int
}

// SessionRef names one session as the operator saw it: the row id and the
// token together, so an action can never hit a different session that
// happens to sit in the same place.
type SessionRef struct {
	RowID int64
	Token string
}

// SortColumn is a sortable column of the monitor's sessions table.
type SortColumn = storage.SortColumn

// The sortable columns.
const (
	SortIdle      = storage.SortIdle
	SortUser      = storage.SortUser
	SortRole      = storage.SortRole
	SortCharacter = storage.SortCharacter
	SortWorld     = storage.SortWorld
	SortClient    = storage.SortClient
	SortAge       = storage.SortAge
	SortExpires   = storage.SortExpires
)

// SortColumns is how many sortable columns exist.
const SortColumns = storage.SortColumns

// ListQuery selects the page of sessions a monitor tick shows.
type ListQuery struct {
	Filter string
	Sort   SortColumn
	Desc   bool
	Offset int
	Limit  int
	// Selected, when non-zero, is the row id whose detail (permissions,
	// world grants, whether the operator may kick it) is read in the same
	// transaction.
	Selected int64
	// PageOnly skips the header counts: the monitor's first read, so the
	// first frame does not wait for a full pass over a large database
	// (about half a second at 100k sessions); the counts follow at once.
	PageOnly bool
	// Share, when set, is the page share of a shared poll's tick
	// (PageShare): the page comes from it. While the file is busy the read
	// runs on the pool rather than the monitor's one pinned connection, so
	// many viewers' reads do not queue behind each other; while it is
	// quiet, on that connection, whose view cache answers it (Snapshot).
	Share *PageShare
}

// State is a session's state as the server's own settings judge it.
type State string

// Session states, most urgent first.
const (
	StateExpired      State = "expired"  // past expiry, row not yet removed
	StateExpiringSoon State = "expiring" // expires within ExpiringSoonWindow
	StateActive       State = "active"   // within the activity window
	StateIdle         State = "idle"     // outside the activity window
	StateNeverExpires State = "forever"  // expires_at NULL (TTL 0)
)

// ExpiringSoonWindow is how far ahead "expiring soon" looks.
const ExpiringSoonWindow = 5 * time.Minute

// Anomaly marks something about a session an administrator should look at.
type Anomaly string

// The anomalies the monitor marks.
const (
	AnomalyMultiSession    Anomaly = "multiple sessions for one user under the single-session rule"
	AnomalySharedCharacter Anomaly = "character bound to more than one session"
	AnomalyInactiveUser    Anomaly = "user account is deactivated"
	AnomalyTombstonedUser  Anomaly = "user account is tombstoned"
	AnomalyFutureActivity  Anomaly = "last activity is in the future"
	AnomalyMissingUser     Anomaly = "session's user no longer exists"
	AnomalyUnknownRole     Anomaly = "user's role is not one of the four"
	AnomalyBadExpiry       Anomaly = "expires_at cannot be read by the server"
)

// SessionInfo is one session as the monitor shows it. Text fields hold the
// database's raw values: the UI must sanitise them before display.
type SessionInfo struct {
	Ref           SessionRef
	UserID        int64
	Username      string
	Role          string
	CharacterID   int64
	CharacterName string
	WorldID       string
	ClientType    string
	// CreatedAt, LastActivity and ExpiresAt are parsed with SQLite's reading;
	// the zero time means the stored value could not be read.
	CreatedAt    time.Time
	LastActivity time.Time
	ExpiresAt    time.Time
	// RawExpires is expires_at as stored, for the detail panel.
	RawExpires   string
	NeverExpires bool
	State        State
	InWorld      bool
	Own          bool // the operator's own session
	// UserActive is false when the session's account is deactivated
	// (banned); UserSessions counts every session of that account.
	UserActive   bool
	UserSessions int
	Anomalies    []Anomaly
}

// Counts are the monitor's header figures.
type Counts struct {
	Sessions     int
	Active       int // exactly ActiveSessionCount
	Idle         int
	InWorld      int
	ExpiringSoon int
	NeverExpires int
	Expired      int
	ByRole       map[string]int
	ByWorld      map[string]int
	ByClient     map[string]int
	// Issued is the highest session row id ever issued; the monitor derives
	// logins (and so logouts) per minute from how it grows.
	Issued int64
}

// Detail is everything the detail panel shows beyond the row itself.
type Detail struct {
	Session SessionInfo
	// Permissions the session's role holds and lacks, in the original's order.
	Holds []Permission
	Lacks []Permission
	// WorldGrants are the worlds the user was granted in world_permissions.
	WorldGrants []string
	// CanKick says whether the operator may kick this session now, and if
	// not, Why (the 403 detail the action would return).
	CanKick bool
	Why     string
}

// Snapshot is one monitor tick: read in a single short read transaction.
type Snapshot struct {
	Operator Identity
	Now      time.Time
	Counts   Counts
	Rows     []SessionInfo
	// Matching is how many sessions pass the filter (the table's length).
	Matching int
	// Offset is the page's first row within Matching.
	Offset   int
	Selected *Detail
	Settings Config
	// CountsPending is true when the read was PageOnly: Counts is empty.
	CountsPending bool
}

// ActionResult reports what a guarded action removed.
type ActionResult struct {
	Action  string
	Target  string
	Removed int
	// ByRole breaks Removed down by the removed sessions' roles.
	ByRole map[string]int
	// Missing counts named sessions already gone when the action ran.
	Missing int
	// SelfRemoved is true when the actor's own session was among them: the
	// actor is now logged out.
	SelfRemoved bool
	// Message is the original route's success text, where it has one
	// ("Successfully banned alice").
	Message string
}

// AuditEntry is one row of the audit log.
type AuditEntry = storage.AuditEntry
