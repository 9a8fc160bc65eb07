package tui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
)

// filterBar is the "/" filter. The text is matched by auth (user,
// character, world, client, role) so only the matching page is read.
type filterBar struct {
	input  textinput.Model
	active bool // the input has focus
}

func newFilterBar() filterBar {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.CharLimit = 64
	ti.Placeholder = "filter user, character, world, client, role"
	return filterBar{input: ti}
}

func (f *filterBar) setTheme(th *Theme) {
	s := f.input.Styles()
	s.Cursor.Blink = false
	s.Focused.Prompt = th.App.Accent
	s.Blurred.Prompt = th.App.Accent
	s.Focused.Placeholder = th.App.Faint
	f.input.SetStyles(s)
}

// value is the filter in effect.
func (f *filterBar) value() string { return strings.TrimSpace(f.input.Value()) }

// matches mirrors auth's filter (case-insensitive substring of user,
// character, world, client or role) for rows the model already holds: the
// tagged sessions, to say in a confirmation which ones the filter hides.
func matchesFilter(filter string, fields ...string) bool {
	f := strings.ToLower(filter)
	if f == "" {
		return true
	}
	for _, s := range fields {
		if strings.Contains(strings.ToLower(s), f) {
			return true
		}
	}
	return false
}
