package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// clearWord is what the operator types to confirm clearing every session.
const clearWord = "clear"

// confirmField is a focusable part of the dialog.
type confirmField int

const (
	fieldReason confirmField = iota
	fieldWord
	fieldSelf
	fieldButtons
)

// confirm is the confirmation dialog of a guarded action. What it shows is
// frozen when it opens: the table may refresh behind it, but the operator
// confirms exactly the sessions listed, and auth re-checks each is still
// the same session when the action runs. It defaults to cancel.
type confirm struct {
	req    actionRequest
	title  string
	lines  []string // what will go
	note   string   // e.g. tagged rows the filter hides
	verb   string   // the confirm button's label
	reason textinput.Model
	word   textinput.Model // a typed confirmation (clear-all, a large scoped kick)
	want   string          // what must be typed into word; "" when nothing
	fields []confirmField
	focus  int
	yes    bool // the confirm button is selected
	hint   string
}

func newConfirm(th *Theme, req actionRequest, title, verb string, lines []string) *confirm {
	c := &confirm{req: req, title: title, verb: verb, lines: lines}
	c.reason = newInput(th, "reason (optional): ", 200)
	c.fields = []confirmField{fieldReason}
	if req.kind == actClearAll {
		c.want = clearWord
		c.word = newInput(th, "type "+clearWord+" to confirm: ", 20)
		c.fields = append(c.fields, fieldWord, fieldSelf)
	}
	c.fields = append(c.fields, fieldButtons)
	c.focus = len(c.fields) - 1
	return c
}

// requireTyped makes the operator type want before the action may run,
// in a field placed above the buttons, which it focuses.
func (c *confirm) requireTyped(th *Theme, want, prompt string) tea.Cmd {
	c.want = want
	c.word = newInput(th, prompt, 20)
	c.fields = append(c.fields[:len(c.fields)-1], fieldWord, fieldButtons)
	return c.setFocus(len(c.fields) - 2)
}

// newInput is a text input with the blinking cursor off, so frames (and
// golden files) do not change by themselves.
func newInput(th *Theme, prompt string, limit int) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	ti.CharLimit = limit
	s := ti.Styles()
	s.Cursor.Blink = false
	s.Focused.Prompt = th.Dialog.FieldFocused
	s.Blurred.Prompt = th.Dialog.Field
	ti.SetStyles(s)
	return ti
}

func (c *confirm) field() confirmField { return c.fields[c.focus] }

// ready reports whether the action may run: a typed confirmation must
// match.
func (c *confirm) ready() bool {
	return c.want == "" || strings.TrimSpace(c.word.Value()) == c.want
}

// confirmOutcome is what a key did to the dialog.
type confirmOutcome int

const (
	confirmOpen confirmOutcome = iota
	confirmCancelled
	confirmAccepted
)

func (c *confirm) update(msg tea.KeyPressMsg, k *KeyMap) (confirmOutcome, tea.Cmd) {
	switch {
	case key.Matches(msg, k.Cancel):
		return confirmCancelled, nil
	case key.Matches(msg, k.NextField):
		return confirmOpen, c.setFocus(c.focus + 1)
	case key.Matches(msg, k.PrevField):
		return confirmOpen, c.setFocus(c.focus - 1)
	}
	switch c.field() {
	case fieldButtons:
		switch {
		case key.Matches(msg, k.Left), key.Matches(msg, k.Right):
			c.yes = !c.yes
		case key.Matches(msg, k.Confirm):
			if !c.yes {
				return confirmCancelled, nil
			}
			if !c.ready() {
				c.hint = "type " + c.want + " first"
				return confirmOpen, nil
			}
			c.req.reason = strings.TrimSpace(c.reason.Value())
			return confirmAccepted, nil
		}
	case fieldSelf:
		switch {
		case key.Matches(msg, k.Toggle):
			c.req.includeSelf = !c.req.includeSelf
		case key.Matches(msg, k.Confirm):
			return confirmOpen, c.setFocus(len(c.fields) - 1)
		}
	case fieldReason, fieldWord:
		if key.Matches(msg, k.Confirm) {
			return confirmOpen, c.setFocus(len(c.fields) - 1)
		}
		var cmd tea.Cmd
		if c.field() == fieldReason {
			c.reason, cmd = c.reason.Update(msg)
		} else {
			c.word, cmd = c.word.Update(msg)
			c.hint = ""
		}
		return confirmOpen, cmd
	}
	return confirmOpen, nil
}

// paste inserts pasted text into the focused input.
func (c *confirm) paste(msg tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	switch c.field() {
	case fieldReason:
		c.reason, cmd = c.reason.Update(msg)
	case fieldWord:
		c.word, cmd = c.word.Update(msg)
	}
	return cmd
}

func (c *confirm) setFocus(i int) tea.Cmd {
	n := len(c.fields)
	c.focus = ((i % n) + n) % n
	c.reason.Blur()
	c.word.Blur()
	c.yes = false // arriving at the buttons always lands on Cancel
	switch c.field() {
	case fieldReason:
		return c.reason.Focus()
	case fieldWord:
		return c.word.Focus()
	}
	return nil
}

// view draws the dialog box at most width cells wide.
func (c *confirm) view(th *Theme, width int) string {
	w := min(width, 72)
	box := th.Dialog.Box.Width(w)
	inner := w - box.GetHorizontalFrameSize()
	c.reason.SetWidth(max(inner-displayWidth(c.reason.Prompt)-1, 4))
	c.word.SetWidth(max(inner-displayWidth(c.word.Prompt)-1, 4))
	lines := []string{th.Dialog.Danger.Render(clip(c.title, inner)), ""}
	wrap := th.Dialog.Title.UnsetBold().Width(inner)
	for _, l := range c.lines {
		lines = append(lines, wrap.Render(l))
	}
	if c.note != "" {
		lines = append(lines, th.Dialog.Note.Width(inner).Render(c.note))
	}
	lines = append(lines, "")
	for _, f := range c.fields {
		switch f {
		case fieldReason:
			lines = append(lines, c.reason.View())
		case fieldWord:
			lines = append(lines, c.word.View())
		case fieldSelf:
			box := "[ ]"
			if c.req.includeSelf {
				box = "[x]"
			}
			st := th.Dialog.Field
			if c.field() == fieldSelf {
				st = th.Dialog.FieldFocused
			}
			lines = append(lines, st.Render(box+" also remove my own session (logs me out)"))
		case fieldButtons:
			lines = append(lines, "", c.buttons(th))
		}
	}
	if c.hint != "" {
		lines = append(lines, th.Status.Error.Render(c.hint))
	}
	return box.Render(lipgloss.JoinVertical(lipgloss.Left, lines...))
}

func (c *confirm) buttons(th *Theme) string {
	onButtons := c.field() == fieldButtons
	cancel, ok := th.Dialog.Button, th.Dialog.Button
	switch {
	case onButtons && c.yes:
		ok = th.Dialog.ButtonDanger
	case onButtons:
		cancel = th.Dialog.ButtonFocused
	}
	return cancel.Render("[ Cancel ]") + "  " + ok.Render("[ "+c.verb+" ]")
}
