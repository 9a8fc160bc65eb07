// Package tui is mudtop's live session monitor: one Bubble Tea program over
// an auth.Service. It never runs SQL and never touches the database from
// its Update goroutine; every read and every action is a tea.Cmd calling
// auth, and everything auth returns from the database is sanitised before
// it reaches the screen.
package tui

import (
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

// Interval bounds and default for polling (issue 3).
const (
	DefaultInterval = time.Second
	MinInterval     = 250 * time.Millisecond
	MaxInterval     = 60 * time.Second
)

// MinWidth and MinHeight are the smallest terminal the monitor draws in.
const (
	MinWidth  = 80
	MinHeight = 24
)

// Options are the monitor's settings beyond its dependencies.
type Options struct {
	// Interval between polls; zero means DefaultInterval. It is clamped to
	// MinInterval..MaxInterval.
	Interval time.Duration
	// ReadOnly hides and disables every action (the database was opened
	// read-only, or the operator asked for it).
	ReadOnly bool
	// DBLabel names the database in the header (usually its path).
	DBLabel string
	// DetectBackground asks the terminal for its background colour and
	// rebuilds the theme for it (theme "auto"); otherwise Dark decides.
	DetectBackground bool
	Dark             bool
	// Shared, when set, is a poll shared by many monitors (mudtop serve):
	// it returns the counts its one read per tick found for all of them and
	// that tick's page share (ok false until the first). The monitor then
	// reads only its own page, through the share, when a SharedTickMsg
	// arrives, instead of arming its own timer.
	Shared func() (auth.Counts, *auth.PageShare, bool)
	// EndOnRefusal ends the program instead of showing the login form
	// when the operator is refused (kicked, expired, demoted, banned): over
	// SSH the connection is the login, so it closes with the reason
	// (EndReason).
	EndOnRefusal bool
	// OnPage, when set, is told when a page read for a shared tick is on
	// screen, with that tick's time (mudtop serve's tick-to-frame figure).
	OnPage func(tickAt time.Time)
	// ExportDir is where the export key writes CSV files; empty turns the
	// key off (over SSH the file could not be handed to the viewer).
	ExportDir string
}

// SharedTickMsg tells a monitor with Options.Shared that the shared read of
// this tick is done: read your page now.
type SharedTickMsg struct{ At time.Time }

type screen int

const (
	screenLogin screen = iota
	screenMonitor
)

// view is what the body of the monitor screen shows.
type view int

const (
	viewTable view = iota
	viewDetail
	viewRoles
	viewAudit
	viewHelp
	viewGrants
)

// Model is the monitor's root model. Components own their own state and
// drawing; the root routes messages, runs the polling loop and lays out.
type Model struct {
	svc     *auth.Service
	token   string
	keys    KeyMap
	themeFn ThemeFunc
	theme   Theme
	// themeGen counts theme changes, so drawings cached from an older
	// theme are known to be stale.
	themeGen int
	opts     Options

	width, height int
	lay           layout
	screen        screen
	view          view
	prevView      view // where help and esc return to

	operator auth.Identity
	poll     poller
	// tick arms the poll timer; tests replace it to drive polls by hand
	// instead of waiting on a clock.
	tick     func(d time.Duration, gen int) tea.Cmd
	interval time.Duration
	paused   bool
	// safe hides and refuses every action until turned off again: for
	// watching a production server without fear of a stray key.
	safe bool

	header  header
	table   table
	detail  detail
	audit   auditLog
	grants  grantsView
	login   login
	confirm *confirm // nil when no confirmation is open
	filter  filterBar
	status  status
	help    help.Model
	// revealID shows the selected session's whole id until the selection
	// changes: ids are bearer credentials, shown in full only on request.
	revealID bool
	// endReason is why the program ended itself (Options.EndOnRefusal).
	endReason string
}

// EndReason is why the monitor ended itself, or "" when the user quit.
func (m Model) EndReason() string { return m.endReason }

// New builds the monitor. token is the operator's session id; empty starts
// on the login form. keys and themeFn come from package main.
func New(svc *auth.Service, token string, keys KeyMap, themeFn ThemeFunc, opts Options) Model {
	m := Model{
		svc: svc, token: token, keys: keys, themeFn: themeFn, opts: opts,
		interval: clampInterval(opts.Interval),
		tick:     tickCmd,
		help:     help.New(),
		table:    newTable(),
		login:    newLogin(),
		filter:   newFilterBar(),
	}
	if svc != nil && svc.Store() != nil && svc.Store().ReadOnly() {
		m.opts.ReadOnly = true
	}
	m.setTheme(opts.Dark)
	if token == "" {
		m.screen = screenLogin
		m.login.focus()
	} else {
		m.screen = screenMonitor
	}
	m.syncKeys()
	return m
}

// Init starts the first poll (or focuses the login form) and, for the
// "auto" theme, asks the terminal for its background colour. Nothing slow
// runs here: the first frame is drawn before any database read returns.
func (m Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if m.opts.DetectBackground {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if m.screen == screenMonitor {
		cmds = append(cmds, m.firstPoll())
	}
	return tea.Batch(cmds...)
}

// Token is the operator's current session id ("" when logged out); main
// uses it to say, on exit, which session the monitor created.
func (m Model) Token() string { return m.token }

func (m *Model) setTheme(dark bool) {
	m.theme = m.themeFn(dark)
	m.themeGen++
	m.help.Styles = m.theme.Help
	m.login.setTheme(&m.theme)
	m.filter.setTheme(&m.theme)
}

func clampInterval(d time.Duration) time.Duration {
	switch {
	case d <= 0:
		return DefaultInterval
	case d < MinInterval:
		return MinInterval
	case d > MaxInterval:
		return MaxInterval
	}
	return d
}
