package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"mudtop/auth"
	"mudtop/storage"
	"mudtop/storage/storagetest"
)

// testHash is bcrypt cost 4 of "hunter22": cheap enough for tests.
const (
	testHash     = "$2b$04$iHto1DWqkLB.iXT5tMfBWeR7XpIdxlrUwg/0eSviettTMc9tg10Ii"
	testPassword = "hunter22"
)

// fixture is a real session database in a temp dir with a fake clock.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	store *storage.Store
	svc   *auth.Service
	clock *storagetest.Clock
	users map[string]int64
	n     int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Create(ctx, filepath.Join(t.TempDir(), "mud.db"))
	if err != nil {
		t.Fatal(err)
	}
	clock := storagetest.NewClock(storagetest.Epoch())
	cfg := auth.DefaultConfig()
	cfg.ActivityFlush = 0
	svc := auth.New(store, cfg, auth.WithClock(clock.Now))
	t.Cleanup(func() {
		svc.Close()
		store.Close()
	})
	f := &fixture{t: t, ctx: ctx, store: store, svc: svc, clock: clock, users: map[string]int64{}}
	for _, w := range []string{"pipeworks", "ashenmoor"} {
		f.must(store.UpsertWorld(ctx, store.Q(), w, w, ""))
	}
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// user creates a user with the test password.
func (f *fixture) user(name, role string) int64 {
	f.t.Helper()
	id, err := f.store.CreateUser(f.ctx, f.store.Q(), storage.NewUser{Username: name, PasswordHash: testHash, Role: role, Now: f.clock.Now()})
	f.must(err)
	f.users[name] = id
	return id
}

// session inserts a session with a predictable token (so golden files are
// stable), optionally in a world with a character, created age ago.
func (f *fixture) session(name, char, world, client string, age time.Duration) string {
	f.t.Helper()
	f.n++
	token := fmt.Sprintf("%08x-0000-4000-8000-%012d", f.n*0x1111111, f.n)
	ns := storage.NewSession{UserID: f.users[name], Token: token, ClientType: client, Now: f.clock.Now().Add(-age), TTL: 480 * time.Minute}
	if char != "" {
		cid, err := f.store.CreateCharacter(f.ctx, f.store.Q(), f.users[name], char, world, f.clock.Now())
		f.must(err)
		f.must(f.store.GrantWorld(f.ctx, f.store.Q(), f.users[name], world))
		ns.CharacterID, ns.WorldID = cid, world
	}
	_, err := f.store.CreateSession(f.ctx, f.store.Q(), ns)
	f.must(err)
	return token
}

// standard is the usual cast: a superuser operator and a few sessions.
func (f *fixture) standard() (opToken string) {
	f.user("root", "superuser")
	f.user("alice", "player")
	f.user("bob", "worldbuilder")
	f.user("carol", "admin")
	f.user("dave", "player")
	op := f.session("root", "", "", "mudtop", 2*time.Minute)
	f.session("alice", "Alyndra", "pipeworks", "web", 10*time.Minute)
	f.session("bob", "Bramble", "ashenmoor", "telnet", 45*time.Minute)
	f.session("carol", "", "", "web", 3*time.Hour)
	f.session("dave", "Dorn", "pipeworks", "mobile", 40*time.Second)
	return op
}

// count returns how many sessions the database holds.
func (f *fixture) count() int {
	f.t.Helper()
	var n int
	f.must(f.store.DB().QueryRow(`SELECT count(*) FROM sessions`).Scan(&n))
	return n
}

// testKeys is main's DefaultKeyMap as the tests need it (tui cannot import
// package main). Tests press keys by name, so a drift in main's defaults
// does not make these tests wrong, only less like the shipped program.
func testKeys() KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], help))
	}
	return KeyMap{
		Up: b("up", "up", "k"), Down: b("down", "down", "j"), PageUp: b("page up", "pgup", "b"),
		PageDown: b("page down", "pgdown", "f"), Top: b("first", "home", "g"), Bottom: b("last", "end", "G"),
		Sort: b("sort column", "s"), SortReverse: b("reverse sort", "S"), Filter: b("filter", "/"),
		Detail: b("detail", "enter"), Roles: b("roles", "r"), Audit: b("audit log", "a"),
		Grants: b("grants", "P"), GrantsMode: b("findings/holders/account", "tab"),
		PrevPerm: b("previous permission", "["), NextPerm: b("next permission", "]"), Back: b("back", "esc"),
		Tag: b("tag", "space", "t"), Kick: b("kick", "x", "delete"), KickUser: b("kick user", "X"),
		KickTagged: b("kick tagged", "K"), KickScope: b("kick all matching", "F"), ClearAll: b("clear all", "C"), Ban: b("ban user", "B"),
		Export: b("export CSV", "E"), Safe: b("safe mode", "L"), RevealID: b("show full id", "i"),
		Pause: b("pause", "p"), Faster: b("faster", "+", "="), Slower: b("slower", "-"),
		Refresh: b("refresh now", "R", "ctrl+r"), Help: b("help", "?"), Quit: b("quit", "q", "ctrl+c"),
		Confirm: b("choose", "enter"), Cancel: b("cancel", "esc"), NextField: b("next field", "tab"),
		PrevField: b("previous field", "shift+tab"), Left: b("switch button", "left", "h"),
		Right: b("switch button", "right", "l"), Toggle: b("toggle", "space"),
		Submit: b("submit", "enter"), FormNext: b("next field", "tab"), FormQuit: b("quit", "ctrl+c"),
	}
}

// testTheme has borders but no colour, so golden files hold only text.
func testTheme(bool) Theme {
	var t Theme
	t.Panel.Box = lipgloss.NewStyle().Border(lipgloss.NormalBorder()).Padding(0, 1)
	t.Dialog.Box = lipgloss.NewStyle().Border(lipgloss.DoubleBorder()).Padding(0, 1)
	t.Table.Selected = lipgloss.NewStyle().Reverse(true)
	return t
}

// newTestModel builds a monitor whose polls run only when a test runs
// them: ticks are disabled.
func newTestModel(f *fixture, token string, w, h int) Model {
	m := New(f.svc, token, testKeys(), testTheme, Options{DBLabel: "test.db"})
	m.tick = func(time.Duration, int) tea.Cmd { return nil }
	return run(m, tea.WindowSizeMsg{Width: w, Height: h}, m.Init())
}

// run feeds msg to the model and then runs every command that results,
// feeding their messages back, until nothing is left: a synchronous
// program loop (ticks are off, so it ends).
func run(m Model, msg tea.Msg, cmds ...tea.Cmd) Model {
	queue := append([]tea.Cmd{}, cmds...)
	if msg != nil {
		nm, cmd := m.Update(msg)
		m = nm.(Model)
		queue = append(queue, cmd)
	}
	for steps := 0; len(queue) > 0 && steps < 1000; steps++ {
		cmd := queue[0]
		queue = queue[1:]
		if cmd == nil {
			continue
		}
		out := cmd()
		switch out := out.(type) {
		case tea.BatchMsg:
			queue = append(queue, out...)
			continue
		case tea.QuitMsg, nil:
			continue
		}
		nm, next := m.Update(out)
		m = nm.(Model)
		queue = append(queue, next)
	}
	return m
}

// press sends keys (by their String form) one after another.
func press(m Model, keys ...string) Model {
	for _, k := range keys {
		m = run(m, keyMsg(k))
	}
	return m
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(k)[0]
	if r >= 'A' && r <= 'Z' {
		return tea.KeyPressMsg{Code: r + 32, ShiftedCode: r, Mod: tea.ModShift, Text: k}
	}
	return tea.KeyPressMsg{Code: r, Text: k}
}

// typeText types s into whatever has focus.
func typeText(m Model, s string) Model {
	for _, r := range s {
		m = run(m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}
