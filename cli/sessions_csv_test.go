package cli

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"mudtop/storage"
	"mudtop/storage/storagetest"
	"mudtop/tui"
)

// newOriginalFixture is a fixture on a database the original server's
// schema made (rollback journal, its row shapes), opened as mudtop opens it.
func newOriginalFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, env: map[string]string{}, clock: storagetest.NewClock(storagetest.Epoch())}
	f.db = storagetest.NewOriginal(t)
	f.store = storagetest.Open(t, f.db, storage.Options{})
	return f
}

func TestSessionsCSV(t *testing.T) {
	f := newOriginalFixture(t)
	f.staff()
	hostile := f.user("=HYPERLINK(\"x\")", "player")
	f.session(hostile, "f0000000-0000-4000-8000-000000000006")
	storagetest.Exec(t, f.store.DB(), `UPDATE sessions SET client_type = ? WHERE session_id = ?`, "tel\x1b[2Jnet, \"quoted\"", tokPlayer)
	f.clock.Advance(time.Minute)

	r := f.as(tokAdmin, "sessions", "--csv", "--sort", "user", "--limit", "0")
	r.want(t, exitOK, "")
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, r.stdout)
	}
	if strings.Join(recs[0], ",") != strings.Join(tui.CSVHeader, ",") || len(recs) != 6 {
		t.Fatalf("csv:\n%s", r.stdout)
	}
	byUser := map[string][]string{}
	for _, rec := range recs[1:] {
		byUser[rec[1]] = rec
	}
	alice := byUser["alice"]
	if alice == nil || alice[0] != "c0000000" || alice[2] != "player" || alice[5] != "telnet, \"quoted\"" ||
		alice[6] != "active" || alice[7] != "60" || alice[8] != "2026-11-25T18:28:40Z" {
		t.Errorf("alice's row %q", alice)
	}
	if byUser["'=HYPERLINK(\"x\")"] == nil {
		t.Errorf("a formula-like username was not defused: %v", byUser)
	}
	if strings.Contains(r.stdout, "\x1b") || strings.Contains(r.stdout, tokPlayer[8:]) {
		t.Error("CSV holds an escape or a whole session id")
	}
	// The same filter and sort flags as the table; --limit applies.
	r = f.as(tokAdmin, "sessions", "--csv", "--filter", "ROOT")
	if recs, _ := csv.NewReader(strings.NewReader(r.stdout)).ReadAll(); len(recs) != 2 || recs[1][1] != "root" {
		t.Errorf("--filter ROOT csv:\n%s", r.stdout)
	}
	r = f.as(tokAdmin, "sessions", "--csv", "--limit", "2")
	if n := strings.Count(r.stdout, "\n"); n != 3 {
		t.Errorf("--limit 2 gave %d lines", n)
	}
	f.as(tokAdmin, "--json", "sessions", "--csv").want(t, exitUsage, "--csv and --json: choose one")
	f.as(tokPlayer, "sessions", "--csv").want(t, exitForbidden, "Required: view_logs")
}
