package tui

import (
	"strings"
	"testing"
)

// TestGrantsView: P opens the grants view on the findings; tab shows a
// permission's holders, ] and [ change the permission, tab again the
// selected row's account; esc returns to the table. Everything comes
// from auth's reading of the live database, refreshed with each poll.
func TestGrantsView(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	f.user("mod", "moderator")
	m := newTestModel(f, op, 120, 30)
	m = selectUser(t, m, "carol")
	m = press(m, "P")
	out := screenText(m)
	if !strings.Contains(out, "2 findings: 1 odd_role, 1 superuser_not_system") ||
		!strings.Contains(out, `role "moderator" is not one of the four`) {
		t.Fatalf("findings:\n%s", out)
	}
	m = press(m, "tab")
	if out = screenText(m); !strings.Contains(out, "play_game: 5 accounts hold it") {
		t.Fatalf("holders of play_game:\n%s", out)
	}
	m = press(m, "[") // wraps to full_access
	if out = screenText(m); !strings.Contains(out, "full_access: 1 account holds it") || !strings.Contains(out, "root") {
		t.Fatalf("holders of full_access:\n%s", out)
	}
	m = press(m, "tab")
	if out = screenText(m); !strings.Contains(out, "user       carol") || !strings.Contains(out, "may kick sessions of player, worldbuilder") {
		t.Fatalf("carol's account:\n%s", out)
	}
	// A live change shows on the next poll: carol is demoted.
	f.must(f.store.SetUserRole(f.ctx, f.store.Q(), f.users["carol"], "player"))
	m = press(m, "R")
	if out = screenText(m); !strings.Contains(out, `"player" (rank 0)`) {
		t.Fatalf("after demotion:\n%s", out)
	}
	m = press(m, "esc")
	if m.view != viewTable {
		t.Fatal("esc did not return to the table")
	}
}

// TestGrantsViewScrolls pages the findings in SQL: j moves the window,
// and the position line counts every finding, not the page.
func TestGrantsViewScrolls(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	for i := 0; i < 40; i++ {
		f.user("odd"+string(rune('a'+i%26))+string(rune('a'+i/26)), "Moderator")
	}
	m := newTestModel(f, op, 100, 24)
	m = press(m, "P")
	if out := screenText(m); !strings.Contains(out, "1-12 of 41") {
		t.Fatalf("first page:\n%s", out)
	}
	m = press(m, "pgdown", "j")
	if out := screenText(m); !strings.Contains(out, "14-25 of 41") {
		t.Fatalf("after pgdown, j:\n%s", out)
	}
	m = press(m, "G")
	if out := screenText(m); !strings.Contains(out, "30-41 of 41") {
		t.Fatalf("after G:\n%s", out)
	}
	if m.table.cursor != 0 {
		t.Error("the grants view's keys moved the table behind it")
	}
}
