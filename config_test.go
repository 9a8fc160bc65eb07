package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mudtop/cli"
	"mudtop/storage/storagetest"
	"mudtop/tui"
)

func TestDefaultKeyMapHasNoConflicts(t *testing.T) {
	km := DefaultKeyMap()
	if err := checkKeyConflicts(keyActions(&km)); err != nil {
		t.Fatal(err)
	}
	// Every action is in the map exactly once, and every binding has help.
	seen := map[*key.Binding]string{}
	for name, a := range keyActions(&km) {
		if prev, dup := seen[a.binding]; dup {
			t.Errorf("%s and %s share a binding", prev, name)
		}
		seen[a.binding] = name
		if len(a.binding.Keys()) == 0 || a.binding.Help().Desc == "" {
			t.Errorf("%s has no keys or no help", name)
		}
	}
}

func TestKeyOverrides(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		wantErr string
		check   func(t *testing.T, km tui.KeyMap)
	}{
		{name: "rebind kick", file: `[keys]
kick = ["d", "delete"]
quit = "Q"`, check: func(t *testing.T, km tui.KeyMap) {
			if !key.Matches(tea.KeyPressMsg{Code: 'd', Text: "d"}, km.Kick) {
				t.Error("d does not kick")
			}
			if key.Matches(tea.KeyPressMsg{Code: 'x', Text: "x"}, km.Kick) {
				t.Error("x still kicks")
			}
			if km.Kick.Help().Desc != "kick" {
				t.Errorf("help lost: %q", km.Kick.Help().Desc)
			}
		}},
		{name: "unknown action", file: "[keys]\nkik = \"x\"", wantErr: `keys: unknown action "kik"`},
		{name: "duplicate in scope", file: "[keys]\nkick = \"q\"", wantErr: `key "q" is bound to both`},
		{name: "same key other scope is fine", file: "[keys]\nconfirm = \"y\"\nfilter = \"y\"", check: func(t *testing.T, km tui.KeyMap) {}},
		{name: "empty list", file: "[keys]\nkick = []", wantErr: `keys: "kick": no keys given`},
		{name: "blank key", file: "[keys]\nkick = \" \"", wantErr: "is not a key name"},
		{name: "not a string", file: "[keys]\nkick = 3", wantErr: "want a key name"},
		{name: "unknown setting", file: "colour = \"red\"", wantErr: "unknown setting colour"},
		{name: "bad theme", file: `theme = "purple"`, wantErr: `theme "purple": want auto, dark or light`},
		{name: "bad interval", file: `interval = "fast"`, wantErr: `interval "fast"`},
		{name: "interval out of bounds", file: `interval = "10ms"`, wantErr: "want 250ms to 1m0s"},
		{name: "syntax", file: `theme = `, wantErr: "config x.toml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := cli.ParseSettings(look(), "x.toml", []byte(tt.file))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, ms.Keys)
		})
	}
}

func TestConfigThemeAndInterval(t *testing.T) {
	ms, err := cli.ParseSettings(look(), "x.toml", []byte("theme = \"light\"\ninterval = \"500ms\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ms.Theme != "light" || ms.Interval != 500*time.Millisecond {
		t.Fatalf("got %q %v", ms.Theme, ms.Interval)
	}
}

func TestConfigFileLocation(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.toml")
	if _, err := cli.LoadSettings(look(), missing, false); err != nil {
		t.Fatalf("missing default config: %v", err)
	}
	if _, err := cli.LoadSettings(look(), missing, true); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("missing --config file: %v", err)
	}
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[keys]\nnope = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.LoadSettings(look(), bad, false); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("bad default config: %v", err)
	}
}

func TestThemes(t *testing.T) {
	for _, noColor := range []bool{false, true} {
		fn, detect, err := themeFor("auto", noColor)
		if err != nil || !detect {
			t.Fatalf("auto: %v %v", detect, err)
		}
		th := fn(true)
		if noColor {
			// Selection and danger must still read without colour.
			if !th.Table.Selected.GetReverse() || !th.Dialog.Danger.GetBold() || !th.Header.Stale.GetReverse() {
				t.Error("NO_COLOR theme lacks reverse/bold for selection, danger or stale")
			}
			for _, st := range []lipgloss.Style{th.Table.Selected, th.Dialog.Danger, th.Status.Error, th.State.Active} {
				if _, none := st.GetForeground().(lipgloss.NoColor); !none {
					t.Errorf("NO_COLOR theme sets a colour: %v", st.GetForeground())
				}
			}
		}
	}
	if _, _, err := themeFor("neon", false); err == nil {
		t.Fatal("unknown theme accepted")
	}
}

// FuzzParseMonitorSettings: any config text either fails with an error
// naming the file or yields a key map without conflicts and an interval in
// bounds. It never panics.
func FuzzParseMonitorSettings(f *testing.F) {
	for _, s := range []string{
		"", "theme = \"dark\"", "interval = \"2s\"\n[keys]\nkick = [\"d\"]",
		"[keys]\nquit = \"x\"", "[keys]\nkick = [\"a\", \"a\"]", "[[keys]]", "keys = 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ms, err := cli.ParseSettings(look(), "f.toml", []byte(text))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config f.toml: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if err := checkKeyConflicts(keyActions(&ms.Keys)); err != nil {
			t.Fatalf("accepted a conflicting key map: %v", err)
		}
		if ms.Interval < tui.MinInterval || ms.Interval > tui.MaxInterval {
			t.Fatalf("interval %v out of bounds", ms.Interval)
		}
	})
}

func TestRunMonitorRefusesBadConfigBeforeTakingTheScreen(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "mud.db")
	storagetest.NewAt(t, db)
	bad := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(bad, []byte("[keys]\nkick = \"q\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	g := &cli.Globals{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Look: look()}
	// The config is read before the screen is taken over: no terminal is
	// needed to see it refused.
	code := cli.Run(t.Context(), []string{"--db", db, "--config", bad, "monitor"}, g)
	if code == 0 || !strings.Contains(stderr.String(), bad) || !strings.Contains(stderr.String(), `key "q" is bound to both`) {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}
