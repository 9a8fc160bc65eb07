package tui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

func TestMouseClickSelectsRowAndSortsByHeader(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	// Rows start on the line below the table header (bodyY).
	m = run(m, tea.MouseClickMsg{X: 5, Y: m.lay.bodyY + 3, Button: tea.MouseLeft})
	if r, _ := m.table.current(); r.Username != "carol" {
		t.Fatalf("click selected %q, want carol (third row)", r.Username)
	}
	role := m.table.cols[2]
	m = run(m, tea.MouseClickMsg{X: role.x, Y: m.lay.bodyY, Button: tea.MouseLeft})
	if m.table.sort != auth.SortRole || m.table.desc {
		t.Fatalf("header click: sort %v desc %v", m.table.sort, m.table.desc)
	}
	m = run(m, tea.MouseClickMsg{X: role.x, Y: m.lay.bodyY, Button: tea.MouseLeft})
	if !m.table.desc {
		t.Fatal("second click on the same header did not reverse")
	}
	if r, _ := m.table.current(); r.Username != "carol" {
		t.Fatalf("re-sorting moved the cursor to %q", r.Username)
	}
}

func TestMouseWheelMovesCursor(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	m := newTestModel(f, op, 100, 30)
	m = run(m, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.table.cursor != 3 {
		t.Fatalf("cursor %d after wheel down, want 3", m.table.cursor)
	}
	m = run(m, tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if m.table.cursor != 0 {
		t.Fatalf("cursor %d after wheel up, want 0", m.table.cursor)
	}
}

func TestPagingReadsOnlyTheVisiblePage(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	for i := 0; i < 40; i++ {
		name := fmt.Sprintf("p%02d", i)
		f.user(name, "player")
		f.session(name, "", "", "web", 0)
	}
	m := newTestModel(f, op, 80, 24)
	page := m.table.pageSize()
	if len(m.table.rows) != page || m.table.matching != 45 {
		t.Fatalf("holds %d rows of %d, want one page of %d", len(m.table.rows), m.table.matching, page)
	}
	m = press(m, "G")
	if m.table.cursor != 44 || m.table.offset != 45-page {
		t.Fatalf("end: cursor %d offset %d", m.table.cursor, m.table.offset)
	}
	if r, _ := m.table.current(); r.Username != "root" {
		t.Fatalf("last row %q, want root", r.Username)
	}
	m = press(m, "pgup")
	if m.table.cursor != 44-page {
		t.Fatalf("page up: cursor %d", m.table.cursor)
	}
}

func TestKickUserRemovesAllTheirSessions(t *testing.T) {
	f := newFixture(t)
	op := f.standard()
	f.session("alice", "", "", "mobile", 0) // a second session (an anomaly)
	m := newTestModel(f, op, 100, 30)
	m = selectUser(t, m, "alice")
	if r, _ := m.table.current(); len(r.Anomalies) == 0 {
		t.Error("two sessions under the single-session rule not marked")
	}
	m = press(m, "X", "right", "enter")
	if f.count() != 4 {
		t.Fatalf("%d sessions, want 4 (both of alice's gone)", f.count())
	}
	if m.status.text != "kicked alice (2 sessions: 2 player)" {
		t.Fatalf("status %q", m.status.text)
	}
}
