package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// login is the login form: username and a password that is never echoed.
// The check (bcrypt, then view_logs) runs in a command; the form shows
// "signing in…" meanwhile and the refusal's detail text afterwards.
type login struct {
	user, pass textinput.Model
	focusPass  bool
	busy       bool
	err        string
}

func newLogin() login {
	l := login{user: textinput.New(), pass: textinput.New()}
	l.user.Prompt = "username  "
	l.user.CharLimit = 64
	l.pass.Prompt = "password  "
	l.pass.CharLimit = 128
	l.pass.EchoMode = textinput.EchoPassword
	l.pass.EchoCharacter = '•'
	return l
}

func (l *login) setTheme(th *Theme) {
	for _, ti := range []*textinput.Model{&l.user, &l.pass} {
		s := ti.Styles()
		s.Cursor.Blink = false
		s.Focused.Prompt = th.Dialog.FieldFocused
		s.Blurred.Prompt = th.Dialog.Field
		ti.SetStyles(s)
	}
}

func (l *login) setError(why string) { l.err, l.busy = why, false }

// focus puts the cursor in the first empty field.
func (l *login) focus() tea.Cmd {
	l.user.Blur()
	l.pass.Blur()
	if l.focusPass {
		return l.pass.Focus()
	}
	return l.user.Focus()
}

// loginOutcome is what a key did to the form.
type loginOutcome int

const (
	loginEditing loginOutcome = iota
	loginSubmit
	loginQuit
)

func (l *login) update(msg tea.KeyPressMsg, k *KeyMap) (loginOutcome, tea.Cmd) {
	switch {
	case key.Matches(msg, k.FormQuit):
		return loginQuit, nil
	case l.busy:
		return loginEditing, nil
	case key.Matches(msg, k.FormNext):
		l.focusPass = !l.focusPass
		return loginEditing, l.focus()
	case key.Matches(msg, k.Submit):
		if !l.focusPass {
			l.focusPass = true
			return loginEditing, l.focus()
		}
		if strings.TrimSpace(l.user.Value()) == "" {
			l.focusPass = false
			l.err = "enter a username"
			return loginEditing, l.focus()
		}
		l.busy, l.err = true, ""
		return loginSubmit, nil
	}
	var cmd tea.Cmd
	if l.focusPass {
		l.pass, cmd = l.pass.Update(msg)
	} else {
		l.user, cmd = l.user.Update(msg)
	}
	return loginEditing, cmd
}

func (l *login) paste(msg tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	if l.focusPass {
		l.pass, cmd = l.pass.Update(msg)
	} else {
		l.user, cmd = l.user.Update(msg)
	}
	return cmd
}

// credentials returns what was typed and clears the password from the
// form, so it lives no longer than the login command needs it.
func (l *login) credentials() (string, string) {
	u, p := l.user.Value(), l.pass.Value()
	l.pass.Reset()
	return u, p
}

func (l *login) view(th *Theme, width, height int, db string) string {
	w := min(width-4, 56)
	box := th.Panel.Box.Width(w)
	inner := w - box.GetHorizontalFrameSize()
	l.user.SetWidth(inner - displayWidth(l.user.Prompt) - 1)
	l.pass.SetWidth(inner - displayWidth(l.pass.Prompt) - 1)
	lines := []string{
		th.App.Title.Render("mudtop") + " " + th.App.Faint.Render("sign in to watch sessions"),
		th.App.Faint.Render(Truncate(db, inner)),
		"",
		l.user.View(),
		l.pass.View(),
		"",
	}
	switch {
	case l.busy:
		lines = append(lines, th.Status.Info.Render("signing in…"))
	case l.err != "":
		lines = append(lines, th.Status.Error.Render(clip(Sanitize(l.err), inner)))
	default:
		lines = append(lines, th.App.Faint.Render("needs the view_logs permission (admin, superuser)"))
	}
	return lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, box.Render(lipgloss.JoinVertical(lipgloss.Left, lines...)))
}
