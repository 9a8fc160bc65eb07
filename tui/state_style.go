package tui

import (
	"charm.land/lipgloss/v2"

	"mudtop/auth"
)

// stateStyle is how a session state is drawn, in the table and the header.
func stateStyle(th *Theme, s auth.State) lipgloss.Style {
	switch s {
	case auth.StateActive:
		return th.State.Active
	case auth.StateIdle:
		return th.State.Idle
	case auth.StateExpiringSoon:
		return th.State.Expiring
	case auth.StateExpired:
		return th.State.Expired
	case auth.StateNeverExpires:
		return th.State.Forever
	}
	return th.Table.Cell
}
