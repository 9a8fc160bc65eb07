package storage

import "time"

// TimeLayout is the one text form the original server writes for session
// timestamps: SQLite's CURRENT_TIMESTAMP, UTC, 19 characters.
const TimeLayout = "2006-01-02 15:04:05"

// FormatTime renders t exactly as SQLite's CURRENT_TIMESTAMP would at that
// instant (UTC, whole seconds truncated, never rounded), so rows written by
// mudtop and by the original server are indistinguishable.
func FormatTime(t time.Time) string {
	return t.UTC().Format(TimeLayout)
}
