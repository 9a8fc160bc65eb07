package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every binding the monitor reacts to. Package main fills it in
// (DefaultKeyMap, plus the user's overrides); the monitor only reads it, and
// disables the bindings that make no sense in the current state so help
// never advertises a key that does nothing.
type KeyMap struct {
	// Monitor scope: the sessions table and the views around it.
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Sort, SortReverse, Filter               key.Binding
	Detail, Roles, Audit, Back              key.Binding
	// Grants opens the grants view; in it GrantsMode switches between
	// findings, a permission's holders and the selected account, and
	// PrevPerm/NextPerm choose the permission.
	Grants, GrantsMode, PrevPerm, NextPerm    key.Binding
	Tag, Kick, KickUser, KickTagged, ClearAll key.Binding
	// KickScope kicks every session the filter matches, on every page.
	KickScope key.Binding
	// Ban deactivates the selected row's account (or reactivates it, when
	// it is banned already).
	Ban key.Binding
	// Export writes the filtered, sorted view to a CSV file; Safe turns
	// every action off (and back on) while watching.
	Export, Safe                             key.Binding
	RevealID, Pause, Faster, Slower, Refresh key.Binding
	Help, Quit                               key.Binding

	// Dialog scope: a confirmation is open.
	Confirm, Cancel, NextField, PrevField, Left, Right, Toggle key.Binding

	// Form scope: the login form and the filter input, where letters are
	// text and only these keys act.
	Submit, FormNext, FormQuit key.Binding
}
