package tui

import (
	"fmt"
	"time"

	"github.com/charmbracelet/x/ansi"

	"mudtop/auth"
)

// displayWidth is how many cells s takes (ANSI-aware, wide characters 2).
func displayWidth(s string) int { return ansi.StringWidth(s) }

// since is a compact age: "45s", "12m", "3h05", "2d04". "?" when the stored
// time could not be read, "+" prefix when it lies in the future.
func since(now, t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	d := now.Sub(t)
	if d < 0 {
		return "+" + compact(-d)
	}
	return compact(d)
}

// expiresIn is the time left before a session expires.
func expiresIn(now time.Time, r auth.SessionInfo) string {
	switch {
	case r.NeverExpires:
		return "never"
	case r.ExpiresAt.IsZero():
		return "?"
	case !r.ExpiresAt.After(now):
		return "expired"
	}
	return compact(r.ExpiresAt.Sub(now))
}

func compact(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd%02d", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// plural is "1 session" / "2 sessions".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// clip cuts an already styled (and already sanitised) line to width cells,
// keeping its styles: Truncate would strip them as hostile.
func clip(s string, width int) string { return ansi.Truncate(s, width, "") }
