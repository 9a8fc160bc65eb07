package cli

import (
	"time"

	"mudtop/auth"
)

// The JSON shapes of `mudtop sessions --json`. They are spelled out here,
// not derived from auth's types, so renaming a Go field never breaks a
// script. Session ids appear only as their short prefix.

type snapshotJSON struct {
	Operator identityJSON  `json:"operator"`
	Now      string        `json:"now"`
	Counts   countsJSON    `json:"counts"`
	Matching int           `json:"matching"`
	Offset   int           `json:"offset"`
	Sessions []sessionJSON `json:"sessions"`
}

type countsJSON struct {
	Sessions     int            `json:"sessions"`
	Active       int            `json:"active"`
	Idle         int            `json:"idle"`
	InWorld      int            `json:"in_world"`
	ExpiringSoon int            `json:"expiring_soon"`
	NeverExpires int            `json:"never_expires"`
	Expired      int            `json:"expired"`
	ByRole       map[string]int `json:"by_role"`
	ByWorld      map[string]int `json:"by_world"`
	ByClient     map[string]int `json:"by_client"`
}

type sessionJSON struct {
	ID            string   `json:"id"` // the short prefix, never the whole id
	RowID         int64    `json:"row_id"`
	UserID        int64    `json:"user_id"`
	Username      string   `json:"username"`
	Role          string   `json:"role"`
	CharacterID   int64    `json:"character_id,omitempty"`
	CharacterName string   `json:"character_name,omitempty"`
	WorldID       string   `json:"world_id,omitempty"`
	ClientType    string   `json:"client_type"`
	CreatedAt     string   `json:"created_at"`
	LastActivity  string   `json:"last_activity"`
	ExpiresAt     string   `json:"expires_at"`
	ExpiresRaw    string   `json:"expires_raw"`
	NeverExpires  bool     `json:"never_expires"`
	State         string   `json:"state"`
	InWorld       bool     `json:"in_world"`
	Own           bool     `json:"own"`
	IdleSeconds   *int64   `json:"idle_seconds"`
	Anomalies     []string `json:"anomalies"`
}

func toSnapshotJSON(s auth.Snapshot) snapshotJSON {
	c := s.Counts
	out := snapshotJSON{
		Operator: toIdentityJSON(s.Operator),
		Now:      jsonTime(s.Now),
		Counts: countsJSON{
			Sessions: c.Sessions, Active: c.Active, Idle: c.Idle, InWorld: c.InWorld,
			ExpiringSoon: c.ExpiringSoon, NeverExpires: c.NeverExpires, Expired: c.Expired,
			ByRole: nonNil(c.ByRole), ByWorld: nonNil(c.ByWorld), ByClient: nonNil(c.ByClient),
		},
		Matching: s.Matching,
		Offset:   s.Offset,
		Sessions: make([]sessionJSON, 0, len(s.Rows)),
	}
	for _, r := range s.Rows {
		j := sessionJSON{
			ID: auth.ShortID(r.Ref.Token), RowID: r.Ref.RowID, UserID: r.UserID,
			Username: r.Username, Role: r.Role,
			CharacterID: r.CharacterID, CharacterName: r.CharacterName, WorldID: r.WorldID,
			ClientType: r.ClientType, CreatedAt: jsonTime(r.CreatedAt),
			LastActivity: jsonTime(r.LastActivity), ExpiresAt: jsonTime(r.ExpiresAt),
			ExpiresRaw: r.RawExpires, NeverExpires: r.NeverExpires, State: string(r.State),
			InWorld: r.InWorld, Own: r.Own, Anomalies: []string{},
		}
		if !r.LastActivity.IsZero() {
			idle := int64(s.Now.Sub(r.LastActivity) / time.Second)
			j.IdleSeconds = &idle
		}
		for _, a := range r.Anomalies {
			j.Anomalies = append(j.Anomalies, string(a))
		}
		out.Sessions = append(out.Sessions, j)
	}
	return out
}

// nonNil makes an empty count map print as {} rather than null.
func nonNil(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}
