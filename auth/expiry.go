package auth

import (
	"strconv"
	"time"

	"mudtop/storage"
)

// verdict is how the original's _get_valid_session judges a row's expiry.
type verdict int

const (
	verdictValid   verdict = iota // not expired (or never expires)
	verdictExpired                // expired or unparseable: delete the row, 401
	// verdictBroken is a non-text, non-zero expires_at (an INTEGER such as
	// 4102444800). The original's strptime raises TypeError and the request
	// ends in an unhandled 500 with the row kept. mudtop does the safe thing
	// with the same effect on the data: it refuses the session (401) and
	// keeps the row, so nothing the original would keep is lost.
	verdictBroken
)

// judgeExpiry applies the original's rule (COMPAT.md §5.1-5.2) to a stored
// expires_at of SQLite type typ and text form text, at now.
func judgeExpiry(typ, text string, now time.Time) verdict {
	switch typ {
	case "null":
		return verdictValid
	case "integer", "real":
		// 0 and 0.0 are falsy in Python: never expires.
		if f, err := strconv.ParseFloat(text, 64); err == nil && f == 0 {
			return verdictValid
		}
		return verdictBroken
	case "blob":
		if text == "" {
			return verdictValid
		}
		return verdictBroken
	}
	if text == "" { // falsy: not checked at all
		return verdictValid
	}
	t, ok := parsePython(text)
	if !ok {
		return verdictExpired
	}
	// Expired at the first instant of its second: parsed <= now.
	if !t.After(now) {
		return verdictExpired
	}
	return verdictValid
}

// renewal is the activity update a successful validation makes at now: the
// new last_activity and, with sliding expiration and a TTL, the new
// expires_at ("" leaves it alone).
func (c Config) renewal(token string, now time.Time) storage.Touch {
	t := storage.Touch{Token: token, LastActivity: storage.FormatTime(now)}
	if c.SlidingExpiration && c.TTL > 0 {
		t.ExpiresAt = storage.FormatTime(now.Add(c.TTL))
	}
	return t
}

// sqliteTime reads a timestamp the way SQLite's datetime() reads the common
// forms, for display only (the zero time when it cannot). Rules that decide
// anything use SQL or parsePython, never this.
func sqliteTime(s string) time.Time {
	for _, layout := range []string{
		storage.TimeLayout, "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999", time.RFC3339Nano, "2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
