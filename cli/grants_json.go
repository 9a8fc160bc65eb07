package cli

import (
	"slices"

	"mudtop/auth"
)

// The JSON shapes of `mudtop grants --json`, spelled out so renaming a Go
// field never breaks a script.

type findingJSON struct {
	Kind     string `json:"kind"`
	Username string `json:"username"`
	Role     string `json:"role"`
	WorldID  string `json:"world_id,omitempty"`
	Sessions int    `json:"sessions"`
	Text     string `json:"text"`
}

type findingsJSON struct {
	Total    int            `json:"total"`
	ByKind   map[string]int `json:"by_kind"`
	Offset   int            `json:"offset"`
	Findings []findingJSON  `json:"findings"`
}

type holderJSON struct {
	Username  string `json:"username"`
	Role      string `json:"role"`
	Via       string `json:"via"`
	State     string `json:"state"`
	LastLogin string `json:"last_login"`
	Sessions  int    `json:"sessions"`
}

type holdersJSON struct {
	Permission string       `json:"permission"`
	Total      int          `json:"total"`
	Offset     int          `json:"offset"`
	Holders    []holderJSON `json:"holders"`
}

type userGrantsJSON struct {
	Username  string        `json:"username"`
	Role      string        `json:"role"`
	Known     bool          `json:"known_role"`
	Effective string        `json:"matched_role,omitempty"`
	Rank      int           `json:"rank"`
	State     string        `json:"state"`
	LastLogin string        `json:"last_login"`
	Sessions  int           `json:"sessions"`
	Holds     []string      `json:"holds"`
	Lacks     []string      `json:"lacks"`
	Worlds    []string      `json:"worlds"`
	Actions   []string      `json:"actions"`
	Findings  []findingJSON `json:"findings"`
	// HoldsAsked answers --permission, when given.
	HoldsAsked *bool `json:"holds_permission,omitempty"`
}

func toFindingJSON(f auth.Finding) findingJSON {
	return findingJSON{Kind: auth.FindingKindName(f.Kind), Username: f.Username, Role: f.Role,
		WorldID: f.WorldID, Sessions: f.Sessions, Text: f.Text}
}

func toFindingsJSON(fp auth.FindingsPage) findingsJSON {
	out := findingsJSON{Total: fp.Total, ByKind: map[string]int{}, Offset: fp.Offset, Findings: []findingJSON{}}
	for _, k := range auth.FindingKinds {
		out.ByKind[auth.FindingKindName(k)] = fp.ByKind[k]
	}
	for _, f := range fp.Findings {
		out.Findings = append(out.Findings, toFindingJSON(f))
	}
	return out
}

func toHoldersJSON(hp auth.HoldersPage) holdersJSON {
	out := holdersJSON{Permission: string(hp.Permission), Total: hp.Total, Offset: hp.Offset, Holders: []holderJSON{}}
	for _, h := range hp.Holders {
		out.Holders = append(out.Holders, holderJSON{Username: h.Username, Role: h.Role, Via: h.Via,
			State: string(h.State), LastLogin: h.LastLogin, Sessions: h.Sessions})
	}
	return out
}

func toUserGrantsJSON(ug auth.UserGrants, p auth.Permission) userGrantsJSON {
	out := userGrantsJSON{Username: ug.Username, Role: ug.Role, Known: ug.Known, Rank: ug.Level,
		State: string(ug.State), LastLogin: ug.LastLogin, Sessions: ug.Sessions,
		Holds: strs(ug.Holds), Lacks: strs(ug.Lacks), Worlds: append([]string{}, ug.Worlds...),
		Actions: append([]string{}, ug.Actions...), Findings: []findingJSON{}}
	if ug.Known {
		out.Effective = string(ug.Effective)
	}
	for _, f := range ug.Findings {
		out.Findings = append(out.Findings, toFindingJSON(f))
	}
	if p != "" {
		holds := slices.Contains(ug.Holds, p)
		out.HoldsAsked = &holds
	}
	return out
}

func strs(ps []auth.Permission) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}
