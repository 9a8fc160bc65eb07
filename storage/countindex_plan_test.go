package storage

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The indexed count is only fast if SQLite answers every part of it from an
// index alone; a plan that reads the table would still be right but as slow
// as the original's query. Create adds the indexes and Open finds them again.
func TestCountIndexPlanIsCovering(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mud.db")
	s, err := Create(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !s.countIdx {
		t.Error("Create did not note its count indexes")
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+activeIndexedSQL,
		FormatTime(now), FormatTime(now.Add(-30*time.Minute)), 1800)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	rows.Close()
	all := strings.Join(plan, "\n")
	for _, idx := range []string{activityIndex, gapIndex, wallIndex} {
		if !strings.Contains(all+"\n", "USING COVERING INDEX "+idx+" (") && !strings.Contains(all+"\n", "USING COVERING INDEX "+idx+"\n") {
			t.Errorf("plan does not read %s alone:\n%s", idx, all)
		}
	}
	for _, line := range plan {
		// A scan of the partial index reads only the rows it holds.
		if strings.Contains(line, "sessions") && !strings.Contains(line, "USING COVERING INDEX") {
			t.Errorf("plan scans the table: %q\n%s", line, all)
		}
	}
	// Counting every row must not go through the datetime index.
	var detail string
	if err := s.db.QueryRowContext(ctx, `EXPLAIN QUERY PLAN SELECT count(*) FROM sessions`).Scan(new(int), new(int), new(int), &detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, "idx_sessions_") {
		t.Errorf("count(*) of sessions: %q, want one of the original's narrow indexes", detail)
	}
	s.Close()

	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.countIdx {
		t.Error("Open did not find the count indexes of a database mudtop created")
	}
	if _, err := s.db.ExecContext(ctx, `DROP INDEX `+gapIndex); err != nil {
		t.Fatal(err)
	}
	if ok, err := hasCountIndexes(ctx, s.db); err != nil || ok {
		t.Errorf("with one index dropped: hasCountIndexes = %v, %v", ok, err)
	}
}
