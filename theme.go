package main

import (
	"fmt"
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"mudtop/tui"
)

// Theme choices a user can name in the config file.
const (
	themeAuto  = "auto" // ask the terminal for its background
	themeDark  = "dark"
	themeLight = "light"
)

// palette is the few colour roles every style is built from. Every colour
// literal of the program is in newPalette.
type palette struct {
	text, faint, accent, warn, danger, ok color.Color
	selFg, selBg, border, panel           color.Color
}

// newPalette picks each role for a dark or light background.
func newPalette(isDark bool) palette {
	ld := lipgloss.LightDark(isDark)
	c := lipgloss.Color
	return palette{
		text:   ld(c("#1f2328"), c("#e6edf3")),
		faint:  ld(c("#6e7781"), c("#7d8590")),
		accent: ld(c("#0550ae"), c("#79c0ff")),
		warn:   ld(c("#9a6700"), c("#e3b341")),
		danger: ld(c("#cf222e"), c("#ff7b72")),
		ok:     ld(c("#1a7f37"), c("#56d364")),
		selFg:  ld(c("#ffffff"), c("#0d1117")),
		selBg:  ld(c("#0969da"), c("#79c0ff")),
		border: ld(c("#d0d7de"), c("#30363d")),
		panel:  ld(c("#8250df"), c("#d2a8ff")),
	}
}

// themeFor returns the monitor's theme builder for a choice, and whether
// the terminal must be asked for its background ("auto"). With noColor
// (NO_COLOR set to anything) every style is colourless and uses bold,
// reverse and underline instead, so the selected row, danger prompts and
// the stale badge still stand out.
func themeFor(choice string, noColor bool) (fn tui.ThemeFunc, detect bool, err error) {
	switch choice {
	case "", themeAuto:
		detect = true
	case themeDark, themeLight:
	default:
		return nil, false, fmt.Errorf("theme %q: want auto, dark or light", choice)
	}
	return func(isDark bool) tui.Theme {
		switch choice {
		case themeDark:
			isDark = true
		case themeLight:
			isDark = false
		}
		if noColor {
			return monoTheme()
		}
		return colourTheme(newPalette(isDark))
	}, detect, nil
}

func colourTheme(p palette) tui.Theme {
	s := lipgloss.NewStyle
	fg := func(c color.Color) lipgloss.Style { return s().Foreground(c) }
	var t tui.Theme
	t.App.Title = fg(p.accent).Bold(true)
	t.App.Faint = fg(p.faint)
	t.App.Accent = fg(p.accent)
	t.App.Warn = fg(p.warn)
	t.App.Danger = fg(p.danger).Bold(true)
	t.App.OK = fg(p.ok)
	t.App.Border = fg(p.border)

	t.Header.Label = fg(p.faint)
	t.Header.Count = fg(p.text).Bold(true)
	t.Header.Live = fg(p.ok)
	t.Header.Paused = fg(p.warn).Bold(true)
	t.Header.Stale = s().Foreground(p.selFg).Background(p.danger).Bold(true)
	t.Header.ReadOnly = fg(p.warn)
	t.Header.Spark = fg(p.accent)

	t.Table.Header = fg(p.faint).Bold(true)
	t.Table.Sorted = fg(p.accent).Bold(true)
	t.Table.Cell = fg(p.text)
	t.Table.Selected = s().Foreground(p.selFg).Background(p.selBg).Bold(true)
	t.Table.Own = fg(p.accent).Bold(true)
	t.Table.Tagged = fg(p.warn).Bold(true)
	t.Table.Anomaly = fg(p.danger).Bold(true)

	t.State.Active = fg(p.ok)
	t.State.Idle = fg(p.faint)
	t.State.Expiring = fg(p.warn)
	t.State.Expired = fg(p.danger)
	t.State.Forever = fg(p.panel)

	t.Panel.Box = s().Border(lipgloss.RoundedBorder()).BorderForeground(p.border).Padding(0, 1)
	t.Panel.Title = fg(p.panel).Bold(true)
	t.Panel.Label = fg(p.faint)
	t.Panel.Value = fg(p.text)
	t.Panel.Holds = fg(p.ok)
	t.Panel.Lacks = fg(p.faint)
	t.Panel.Own = s().Bold(true).Background(p.border)

	t.Dialog.Box = s().Border(lipgloss.RoundedBorder()).BorderForeground(p.danger).Padding(0, 1)
	t.Dialog.Title = fg(p.text).Bold(true)
	t.Dialog.Danger = fg(p.danger).Bold(true)
	t.Dialog.Button = fg(p.faint)
	t.Dialog.ButtonFocused = s().Foreground(p.selFg).Background(p.selBg).Bold(true)
	t.Dialog.ButtonDanger = s().Foreground(p.selFg).Background(p.danger).Bold(true)
	t.Dialog.Field = fg(p.faint)
	t.Dialog.FieldFocused = fg(p.accent).Bold(true)
	t.Dialog.Note = fg(p.warn)

	t.Status.Info = fg(p.text)
	t.Status.OK = fg(p.ok)
	t.Status.Error = fg(p.danger).Bold(true)

	t.Help = help.Styles{
		ShortKey: fg(p.accent), ShortDesc: fg(p.faint), ShortSeparator: fg(p.border),
		FullKey: fg(p.accent), FullDesc: fg(p.faint), FullSeparator: fg(p.border),
		Ellipsis: fg(p.border),
	}
	return t
}

// monoTheme is the NO_COLOR theme: attributes only.
func monoTheme() tui.Theme {
	s := lipgloss.NewStyle
	bold, rev, under := s().Bold(true), s().Reverse(true), s().Underline(true)
	var t tui.Theme
	t.App.Title, t.App.Danger = bold, bold
	t.App.Accent, t.App.Warn = bold, under
	t.Header.Count, t.Header.Paused, t.Header.ReadOnly = bold, rev, under
	t.Header.Stale = rev.Bold(true)
	t.Table.Header = bold
	t.Table.Sorted = bold.Underline(true)
	t.Table.Selected = rev
	t.Table.Own, t.Table.Tagged, t.Table.Anomaly = bold, under, bold
	t.State.Expiring, t.State.Expired = under, bold
	t.Panel.Box = s().Border(lipgloss.NormalBorder()).Padding(0, 1)
	t.Panel.Title, t.Panel.Holds, t.Panel.Own = bold, bold, under
	t.Dialog.Box = s().Border(lipgloss.DoubleBorder()).Padding(0, 1)
	t.Dialog.Title, t.Dialog.Danger = bold, bold.Underline(true)
	t.Dialog.ButtonFocused, t.Dialog.ButtonDanger = rev, rev.Bold(true)
	t.Dialog.FieldFocused, t.Dialog.Note = bold, under
	t.Status.OK, t.Status.Error = bold, bold
	t.Help = help.Styles{ShortKey: bold, FullKey: bold}
	return t
}
