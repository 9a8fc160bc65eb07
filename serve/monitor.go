package serve

import (
	"errors"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"

	"mudtop/auth"
	"mudtop/tui"
)

// monitor runs the monitor on the connection's PTY, sized from it and
// resized with it, until the viewer quits, is refused (kicked, expired,
// demoted, banned: the reason is the last line), idles out, or the server
// shuts down.
func (s *Server) monitor(sess ssh.Session, v *viewer, token string, logger *log.Logger) int {
	env := allowedEnv(sess.Environ())
	noColor := false
	for _, kv := range env {
		if k, val, _ := strings.Cut(kv, "="); k == "NO_COLOR" && val != "" {
			noColor = true
		}
	}
	themeFn, detect, err := s.cfg.Theme(noColor)
	if err != nil {
		wish.Errorln(sess, oneLine(err.Error()))
		return exitFailure
	}
	m := tui.New(s.svc, token, s.cfg.Keys, themeFn, tui.Options{
		Interval:         s.cfg.Interval,
		DBLabel:          s.cfg.DBLabel,
		DetectBackground: detect,
		Dark:             true,
		Shared:           s.feed.shared,
		EndOnRefusal:     true,
		OnPage:           s.feed.page,
	})
	var lastKey atomic.Int64
	lastKey.Store(time.Now().UnixNano())
	opts := append(bubbletea.MakeOptions(sess),
		tea.WithContext(sess.Context()),
		// Bubble Tea's highest frame rate: a frame leaves at most ~8 ms
		// after its page arrives (the default 60 waits up to ~17 ms).
		tea.WithFPS(120),
		// MakeOptions' own filter turns a suspend (ctrl+z) into a resume,
		// since a remote program cannot be stopped; this one keeps that
		// and notes each key press for the idle timeout.
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			switch msg.(type) {
			case tea.SuspendMsg:
				return tea.ResumeMsg{}
			case tea.KeyPressMsg:
				lastKey.Store(time.Now().UnixNano())
			}
			return msg
		}))
	if noColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.ASCII))
	}
	p := tea.NewProgram(m, opts...)
	v.setStop(p.Quit)

	_, winch, _ := sess.Pty()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			case <-sess.Context().Done():
				p.Quit()
				return
			case w, ok := <-winch:
				if !ok {
					return
				}
				p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
			}
		}
	}()
	if idle := s.cfg.IdleTimeout; idle > 0 {
		go func() {
			t := time.NewTicker(min(idle/4, time.Second))
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case now := <-t.C:
					if now.Sub(time.Unix(0, lastKey.Load())) >= idle {
						v.end("idle for " + idle.String() + " without a key press")
						return
					}
				}
			}
		}()
	}

	s.feed.add(p)
	final, err := p.Run()
	s.feed.remove(p)
	p.Kill()
	why := v.reason()
	if fm, ok := final.(tui.Model); ok && why == "" {
		why = explainEnd(fm.EndReason())
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, tea.ErrInterrupted) && why == "" {
		logger.Error("monitor", "err", err)
	}
	if why != "" {
		wish.Println(sess, "\r\nmudtop serve: "+oneLine(why)+"\r")
		logger.Info("ended", "session", auth.ShortID(token), "why", why)
		if fm, ok := final.(tui.Model); ok && fm.EndReason() != "" {
			return exitUnauthorized
		}
	}
	return exitOK
}

// explainEnd says in words why the monitor's session was refused: the
// original's 401 text alone does not tell an admin what happened.
func explainEnd(detail string) string {
	switch detail {
	case "":
		return ""
	case auth.ErrInvalidSession.Detail:
		return "your session ended (" + detail + "): it was kicked, cleared, expired, or replaced by a new login of your account under the single-session rule"
	case auth.ErrDeactivated.Detail:
		return "your account was deactivated (" + detail + ")"
	}
	return detail
}
