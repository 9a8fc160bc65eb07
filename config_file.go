package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"

	"mudtop/tui"
)

// userConfig is the monitor's config file ($XDG_CONFIG_HOME/mudtop/config.toml
// or --config):
//
//	theme = "auto"      # auto, dark or light
//	interval = "1s"     # poll interval, 250ms to 60s
//	[keys]
//	kick = ["x", "delete"]
//	quit = "q"          # one key or a list; names as in DefaultKeyMap
type userConfig struct {
	Theme    string             `toml:"theme"`
	Interval string             `toml:"interval"`
	Keys     map[string]keyList `toml:"keys"`
}

// keyList accepts one key ("x") or a list (["x", "delete"]).
type keyList []string

// UnmarshalTOML implements toml.Unmarshaler.
func (k *keyList) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*k = keyList{v}
		return nil
	case []any:
		out := make(keyList, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("want key names as strings, got %v", e)
			}
			out = append(out, s)
		}
		*k = out
		return nil
	}
	return fmt.Errorf("want a key name or a list of them, got %T", v)
}

// monitorSettings is the config file applied over the defaults.
type monitorSettings struct {
	keys     tui.KeyMap
	theme    string
	interval time.Duration
}

// loadMonitorSettings reads the config file at path. A missing file is
// fine when it is the default location (explicit false); a file named with
// --config must exist. Any problem is an error naming the file and the
// setting.
func loadMonitorSettings(path string, explicit bool) (monitorSettings, error) {
	if path == "" {
		return parseMonitorSettings("", nil)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		// ENOTDIR: a parent of the default path is a file; the config is
		// just as absent.
		if (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) && !explicit {
			return parseMonitorSettings(path, nil)
		}
		return monitorSettings{}, fmt.Errorf("config %s: %w", path, err)
	}
	return parseMonitorSettings(path, data)
}

// parseMonitorSettings applies a config file's bytes over the defaults.
func parseMonitorSettings(path string, data []byte) (monitorSettings, error) {
	ms := monitorSettings{keys: DefaultKeyMap(), theme: themeAuto, interval: tui.DefaultInterval}
	if len(data) == 0 {
		return ms, nil
	}
	fail := func(err error) (monitorSettings, error) {
		return monitorSettings{}, fmt.Errorf("config %s: %w", path, err)
	}
	var uc userConfig
	md, err := toml.Decode(string(data), &uc)
	if err != nil {
		return fail(err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		names := make([]string, len(und))
		for i, k := range und {
			names[i] = k.String()
		}
		return fail(fmt.Errorf("unknown setting %s (known: theme, interval, [keys])", strings.Join(names, ", ")))
	}
	if uc.Theme != "" {
		if _, _, err := themeFor(uc.Theme, false); err != nil {
			return fail(err)
		}
		ms.theme = uc.Theme
	}
	if uc.Interval != "" {
		d, err := time.ParseDuration(uc.Interval)
		if err != nil {
			return fail(fmt.Errorf("interval %q: want a duration such as \"1s\" or \"500ms\"", uc.Interval))
		}
		if d < tui.MinInterval || d > tui.MaxInterval {
			return fail(fmt.Errorf("interval %s: want %s to %s", d, tui.MinInterval, tui.MaxInterval))
		}
		ms.interval = d
	}
	over := make(map[string][]string, len(uc.Keys))
	for name, keys := range uc.Keys {
		over[name] = keys
	}
	if err := applyKeyOverrides(&ms.keys, over); err != nil {
		return fail(err)
	}
	return ms, nil
}
