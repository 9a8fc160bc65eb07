package auth

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config holds the session settings of the original (COMPAT.md §1.3) plus
// mudtop's activity write-behind interval.
type Config struct {
	// TTL is the session lifetime; zero or less means sessions never expire.
	TTL time.Duration
	// SlidingExpiration pushes expires_at to now+TTL on every validation.
	SlidingExpiration bool
	// AllowMultipleSessions false means a login removes the user's other
	// sessions (the original's built-in default).
	AllowMultipleSessions bool
	// ActiveWindow is the window of the active count; zero or less turns it off.
	ActiveWindow time.Duration
	// ActivityFlush is how long activity updates may wait in memory before
	// they are written together. Zero writes each one at once, as the
	// original does. Logins, logouts and removals are never delayed.
	ActivityFlush time.Duration
}

// DefaultConfig returns the original's built-in defaults and a 1 s flush.
func DefaultConfig() Config {
	return Config{
		TTL:                   480 * time.Minute,
		SlidingExpiration:     true,
		AllowMultipleSessions: false,
		ActiveWindow:          30 * time.Minute,
		ActivityFlush:         time.Second,
	}
}

// ConfigFromEnv applies the original's MUD_* variables (and mudtop's own
// MUDTOP_ACTIVITY_FLUSH_MS) over the defaults. getenv is os.Getenv in main
// and a map in tests. An empty variable is ignored, as in the original.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	minutes := func(name string, into *time.Duration) error {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%s=%q: want a whole number of minutes", name, v)
		}
		*into = time.Duration(n) * time.Minute
		return nil
	}
	if err := minutes("MUD_SESSION_TTL_MINUTES", &c.TTL); err != nil {
		return c, err
	}
	if err := minutes("MUD_SESSION_ACTIVE_WINDOW_MINUTES", &c.ActiveWindow); err != nil {
		return c, err
	}
	if v := getenv("MUD_SESSION_SLIDING_EXPIRATION"); v != "" {
		c.SlidingExpiration = truthy(v)
	}
	if v := getenv("MUD_SESSION_ALLOW_MULTIPLE"); v != "" {
		c.AllowMultipleSessions = truthy(v)
	}
	if v := strings.TrimSpace(getenv("MUDTOP_ACTIVITY_FLUSH_MS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, fmt.Errorf("MUDTOP_ACTIVITY_FLUSH_MS=%q: want milliseconds, 0 or more", v)
		}
		c.ActivityFlush = time.Duration(n) * time.Millisecond
	}
	return c, nil
}

// truthy is the original's boolean reading of an environment value.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "1", "on", "enabled":
		return true
	}
	return false
}
