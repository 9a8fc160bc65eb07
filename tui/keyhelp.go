package tui

import "charm.land/bubbles/v2/key"

// keyHelp is a help.KeyMap for one state of the monitor.
type keyHelp struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (k keyHelp) ShortHelp() []key.Binding { return k.short }

// FullHelp implements help.KeyMap.
func (k keyHelp) FullHelp() [][]key.Binding { return k.full }

// helpKeys is the help for what the operator can do right now: the login
// form shows submit and quit, a confirmation confirm and cancel, a focused
// filter does not advertise q.
func (m *Model) helpKeys() keyHelp {
	k := &m.keys
	switch {
	case m.screen == screenLogin:
		return keyHelp{short: []key.Binding{k.Submit, k.FormNext, k.FormQuit}}
	case m.confirm != nil:
		b := []key.Binding{k.NextField, k.Left, k.Confirm, k.Cancel}
		if m.confirm.field() == fieldSelf {
			b = append(b, k.Toggle)
		}
		return keyHelp{short: b}
	case m.filter.active:
		return keyHelp{short: []key.Binding{k.Submit, k.Cancel, k.FormQuit}}
	}
	full := [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Sort, k.SortReverse, k.Filter, k.Detail, k.Roles, k.Audit, k.Grants, k.Back},
		{k.Tag, k.Kick, k.KickUser, k.KickTagged, k.KickScope, k.ClearAll, k.Ban, k.RevealID},
		{k.Pause, k.Faster, k.Slower, k.Refresh, k.Export, k.Safe, k.Help, k.Quit},
	}
	var short []key.Binding
	switch m.view {
	case viewGrants:
		short = []key.Binding{k.Back, k.GrantsMode, k.PrevPerm, k.NextPerm, k.Down, k.PageDown, k.Help, k.Quit}
	case viewRoles, viewAudit, viewHelp:
		short = []key.Binding{k.Back, k.Roles, k.Audit, k.Pause, k.Help, k.Quit}
	case viewDetail:
		short = []key.Binding{k.Up, k.Down, k.Kick, k.KickUser, k.RevealID, k.Back, k.Help, k.Quit}
	default:
		short = []key.Binding{k.Up, k.Down, k.Sort, k.Filter, k.Detail, k.Tag, k.Kick, k.Pause, k.Help, k.Quit}
	}
	return keyHelp{short: short, full: full}
}

// syncKeys enables exactly the bindings that do something now, so help
// never offers an action that is impossible (read-only database, nothing
// tagged).
func (m *Model) syncKeys() {
	k := &m.keys
	actions := !m.opts.ReadOnly && !m.safe
	for _, b := range []*key.Binding{&k.Tag, &k.Kick, &k.KickUser, &k.ClearAll, &k.Ban, &k.KickScope} {
		b.SetEnabled(actions)
	}
	k.KickTagged.SetEnabled(actions && len(m.table.tags) > 0)
	pause := "pause"
	if m.paused {
		pause = "resume"
	}
	k.Pause.SetHelp(k.Pause.Help().Key, pause)
	// A shared poll sets the pace for every monitor on it.
	k.Faster.SetEnabled(m.opts.Shared == nil)
	k.Slower.SetEnabled(m.opts.Shared == nil)
	k.Export.SetEnabled(m.opts.ExportDir != "")
	inGrants := m.view == viewGrants
	k.GrantsMode.SetEnabled(inGrants)
	holders := inGrants && m.grants.mode == grantsHolders
	k.PrevPerm.SetEnabled(holders)
	k.NextPerm.SetEnabled(holders)
	// Safe mode means nothing on a read-only database: there is nothing
	// to turn off.
	k.Safe.SetEnabled(!m.opts.ReadOnly)
	safe := "safe mode"
	if m.safe {
		safe = "leave safe mode"
	}
	k.Safe.SetHelp(k.Safe.Help().Key, safe)
}
