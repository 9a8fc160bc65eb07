package main

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"

	"mudtop/tui"
)

// DefaultKeyMap returns a fresh set of the monitor's bindings, each with
// its help text. Every default lives here; a user's config changes a copy
// through applyKeyOverrides, never this function's result in place.
func DefaultKeyMap() tui.KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKeys(keys), help))
	}
	return tui.KeyMap{
		Up:          b("up", "up", "k"),
		Down:        b("down", "down", "j"),
		PageUp:      b("page up", "pgup", "b"),
		PageDown:    b("page down", "pgdown", "f"),
		Top:         b("first", "home", "g"),
		Bottom:      b("last", "end", "G"),
		Sort:        b("sort column", "s"),
		SortReverse: b("reverse sort", "S"),
		Filter:      b("filter", "/"),
		Detail:      b("detail", "enter"),
		Roles:       b("roles", "r"),
		Audit:       b("audit log", "a"),
		Grants:      b("grants", "P"),
		GrantsMode:  b("findings/holders/account", "tab"),
		PrevPerm:    b("previous permission", "["),
		NextPerm:    b("next permission", "]"),
		Back:        b("back", "esc"),
		Tag:         b("tag", "space", "t"),
		Kick:        b("kick", "x", "delete"),
		KickUser:    b("kick user", "X"),
		KickTagged:  b("kick tagged", "K"),
		KickScope:   b("kick all matching", "F"),
		ClearAll:    b("clear all", "C"),
		Ban:         b("ban user", "B"),
		Export:      b("export CSV", "E"),
		Safe:        b("safe mode", "L"),
		RevealID:    b("show full id", "i"),
		Pause:       b("pause", "p"),
		Faster:      b("faster", "+", "="),
		Slower:      b("slower", "-"),
		Refresh:     b("refresh now", "R", "ctrl+r"),
		Help:        b("help", "?"),
		Quit:        b("quit", "q", "ctrl+c"),

		Confirm:   b("choose", "enter"),
		Cancel:    b("cancel", "esc"),
		NextField: b("next field", "tab"),
		PrevField: b("previous field", "shift+tab"),
		Left:      b("switch button", "left", "h"),
		Right:     b("switch button", "right", "l"),
		Toggle:    b("toggle", "space"),

		Submit:   b("submit", "enter"),
		FormNext: b("next field", "tab"),
		FormQuit: b("quit", "ctrl+c"),
	}
}

// helpKeys is how a binding's keys are shown in help: "↑/k".
func helpKeys(keys []string) string {
	pretty := map[string]string{"up": "↑", "down": "↓", "left": "←", "right": "→", "space": "space"}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if p, ok := pretty[k]; ok {
			k = p
		}
		out = append(out, k)
	}
	if len(out) > 2 {
		out = out[:2]
	}
	return strings.Join(out, "/")
}

// keyScope groups bindings that are live at the same time: a key may
// appear twice across scopes (esc is "back" on the table and "cancel" in a
// dialog) but never twice within one.
type keyScope string

const (
	scopeMonitor keyScope = "monitor"
	scopeDialog  keyScope = "dialog"
	scopeForm    keyScope = "form"
)

// boundAction is one named action of the key map.
type boundAction struct {
	scope   keyScope
	binding *key.Binding
}

// keyActions is the one map from action names (as written in the config
// file) to the bindings of km. Overrides and conflict checks both go
// through it, so a new binding is one line here.
func keyActions(km *tui.KeyMap) map[string]boundAction {
	m, d, f := scopeMonitor, scopeDialog, scopeForm
	return map[string]boundAction{
		"up": {m, &km.Up}, "down": {m, &km.Down}, "page_up": {m, &km.PageUp}, "page_down": {m, &km.PageDown},
		"top": {m, &km.Top}, "bottom": {m, &km.Bottom}, "sort": {m, &km.Sort}, "sort_reverse": {m, &km.SortReverse},
		"filter": {m, &km.Filter}, "detail": {m, &km.Detail}, "roles": {m, &km.Roles}, "audit": {m, &km.Audit}, "grants": {m, &km.Grants},
		"grants_mode": {m, &km.GrantsMode}, "previous_permission": {m, &km.PrevPerm}, "next_permission": {m, &km.NextPerm},
		"back": {m, &km.Back}, "tag": {m, &km.Tag}, "kick": {m, &km.Kick}, "kick_user": {m, &km.KickUser},
		"kick_tagged": {m, &km.KickTagged}, "kick_filtered": {m, &km.KickScope}, "clear_all": {m, &km.ClearAll}, "ban": {m, &km.Ban}, "export": {m, &km.Export}, "safe_mode": {m, &km.Safe}, "reveal_id": {m, &km.RevealID},
		"pause": {m, &km.Pause}, "faster": {m, &km.Faster}, "slower": {m, &km.Slower}, "refresh": {m, &km.Refresh},
		"help": {m, &km.Help}, "quit": {m, &km.Quit},

		"confirm": {d, &km.Confirm}, "cancel": {d, &km.Cancel}, "next_field": {d, &km.NextField},
		"previous_field": {d, &km.PrevField}, "left": {d, &km.Left}, "right": {d, &km.Right}, "toggle": {d, &km.Toggle},

		"submit": {f, &km.Submit}, "form_next": {f, &km.FormNext}, "form_quit": {f, &km.FormQuit},
	}
}

// applyKeyOverrides rebinds actions by name. An unknown action, an empty
// key list, or a key that ends up on two actions of one scope is an error
// naming them, so a typo in the config fails at start rather than leaving
// a key dead.
func applyKeyOverrides(km *tui.KeyMap, overrides map[string][]string) error {
	actions := keyActions(km)
	names := make([]string, 0, len(overrides))
	for name := range overrides {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a, ok := actions[name]
		if !ok {
			return fmt.Errorf("keys: unknown action %q (known: %s)", name, strings.Join(actionNames(actions), ", "))
		}
		keys := overrides[name]
		if len(keys) == 0 {
			return fmt.Errorf("keys: %q: no keys given", name)
		}
		for _, k := range keys {
			if strings.TrimSpace(k) == "" || k != strings.TrimSpace(k) {
				return fmt.Errorf("keys: %q: %q is not a key name (examples: \"x\", \"ctrl+k\", \"space\", \"enter\")", name, k)
			}
		}
		help := a.binding.Help().Desc
		*a.binding = key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKeys(keys), help))
	}
	return checkKeyConflicts(actions)
}

// checkKeyConflicts reports the first key bound to two actions of a scope.
func checkKeyConflicts(actions map[string]boundAction) error {
	seen := map[keyScope]map[string]string{}
	for _, name := range actionNames(actions) {
		a := actions[name]
		if seen[a.scope] == nil {
			seen[a.scope] = map[string]string{}
		}
		for _, k := range a.binding.Keys() {
			if other, dup := seen[a.scope][k]; dup {
				return fmt.Errorf("key %q is bound to both %q and %q (%s keys)", k, other, name, a.scope)
			}
			seen[a.scope][k] = name
		}
	}
	return nil
}

func actionNames(actions map[string]boundAction) []string {
	names := make([]string, 0, len(actions))
	for n := range actions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
