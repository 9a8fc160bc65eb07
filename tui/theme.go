package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Theme is every style the monitor draws with, grouped by component. Package
// main builds it (theme.go: palette, light/dark, NO_COLOR); no colour is
// chosen inside tui.
type Theme struct {
	App struct {
		Title, Faint, Accent, Warn, Danger, OK lipgloss.Style
		Border                                 lipgloss.Style // rules between regions
	}
	Header struct {
		Label, Count, Live, Paused, Stale, ReadOnly, Spark lipgloss.Style
	}
	Table struct {
		Header, Sorted, Cell, Selected, Own, Tagged, Anomaly lipgloss.Style
	}
	// State styles the session state column and header figures.
	State struct {
		Active, Idle, Expiring, Expired, Forever lipgloss.Style
	}
	Panel struct {
		Box, Title, Label, Value, Holds, Lacks, Own lipgloss.Style
	}
	Dialog struct {
		Box, Title, Danger, Button, ButtonFocused, ButtonDanger, Field, FieldFocused, Note lipgloss.Style
	}
	Status struct {
		Info, OK, Error lipgloss.Style
	}
	Help help.Styles
}

// ThemeFunc builds the theme for a dark (true) or light background. The
// monitor calls it again when the terminal reports its background colour.
type ThemeFunc func(isDark bool) Theme
