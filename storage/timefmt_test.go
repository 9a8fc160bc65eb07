package storage_test

import (
	"testing"
	"time"

	"mudtop/storage"
)

// TestFormatTime: the one text form of session timestamps is SQLite's
// CURRENT_TIMESTAMP: UTC, 19 characters, the fraction cut off (SQLite
// truncates; rounding up would make a session expire a second late).
func TestFormatTime(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	cases := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 11, 25, 18, 28, 40, 0, time.UTC), "2026-11-25 18:28:40"},
		{time.Date(2026, 11, 25, 18, 28, 40, 999_999_999, time.UTC), "2026-11-25 18:28:40"},
		{time.Date(2026, 11, 25, 19, 28, 40, 0, paris), "2026-11-25 18:28:40"},
		{time.Date(2026, 1, 1, 0, 30, 0, 0, paris), "2025-12-31 23:30:00"},
		{time.Date(999, 1, 2, 3, 4, 5, 0, time.UTC), "0999-01-02 03:04:05"},
	}
	for _, c := range cases {
		if got := storage.FormatTime(c.in); got != c.want {
			t.Errorf("FormatTime(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
