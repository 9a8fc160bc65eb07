package cli

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

// Settings is the config file applied over the defaults.
type Settings struct {
	Keys     tui.KeyMap    // the default bindings with the file's [keys] applied
	Theme    string        // auto, dark or light
	Interval time.Duration // the poll interval
}

// LoadSettings reads the config file at path. A missing file is
// fine when it is the default location (explicit false); a file named with
// --config must exist. Any problem is an error naming the file and the
// setting.
func LoadSettings(look Look, path string, explicit bool) (Settings, error) {
	if path == "" {
		return ParseSettings(look, "", nil)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		// ENOTDIR: a parent of the default path is a file; the config is
		// just as absent.
		if (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) && !explicit {
			return ParseSettings(look, path, nil)
		}
		return Settings{}, fmt.Errorf("config %s: %w", path, err)
	}
	return ParseSettings(look, path, data)
}

// ParseSettings applies a config file's bytes over the defaults.
func ParseSettings(look Look, path string, data []byte) (Settings, error) {
	ms := Settings{Keys: look.Keys(), Theme: "auto", Interval: tui.DefaultInterval}
	if len(data) == 0 {
		return ms, nil
	}
	fail := func(err error) (Settings, error) {
		return Settings{}, fmt.Errorf("config %s: %w", path, err)
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
		if _, _, err := look.Theme(uc.Theme, false); err != nil {
			return fail(err)
		}
		ms.Theme = uc.Theme
	}
	if uc.Interval != "" {
		d, err := time.ParseDuration(uc.Interval)
		if err != nil {
			return fail(fmt.Errorf("interval %q: want a duration such as \"1s\" or \"500ms\"", uc.Interval))
		}
		if d < tui.MinInterval || d > tui.MaxInterval {
			return fail(fmt.Errorf("interval %s: want %s to %s", d, tui.MinInterval, tui.MaxInterval))
		}
		ms.Interval = d
	}
	over := make(map[string][]string, len(uc.Keys))
	for name, keys := range uc.Keys {
		over[name] = keys
	}
	if err := look.Rebind(&ms.Keys, over); err != nil {
		return fail(err)
	}
	return ms, nil
}
