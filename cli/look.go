package cli

import "mudtop/tui"

// Look is what package main hands the command line: the default key
// bindings and the theme, which live in one file each at the root
// (keymap.go, theme.go) so a newcomer finds them at once. They come in as
// values because cli cannot import package main.
type Look struct {
	// Keys returns a fresh copy of the default key map.
	Keys func() tui.KeyMap
	// Rebind applies the config file's [keys] overrides (action name to
	// keys) to km, and fails naming an unknown action or a key bound twice
	// in one scope.
	Rebind func(km *tui.KeyMap, overrides map[string][]string) error
	// Theme returns the theme builder for a choice (auto, dark, light) and
	// whether the terminal must be asked for its background.
	Theme func(choice string, noColor bool) (fn tui.ThemeFunc, detect bool, err error)
}
