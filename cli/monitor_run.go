package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"mudtop/auth"
	"mudtop/tui"
)

// runMonitor runs the full-screen monitor on an open service. token may be
// empty: the monitor then starts on its login form. The user's config file
// is read first, so a bad file fails before the screen is taken over.
func runMonitor(ctx context.Context, g *Globals, svc *auth.Service, token string) error {
	getenv := g.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	explicit := g.Config != "" && g.Config != defaultConfigPath(getenv)
	ms, err := LoadSettings(g.Look, g.Config, explicit)
	if err != nil {
		return err
	}
	noColor := getenv("NO_COLOR") != ""
	themeFn, detect, err := g.Look.Theme(ms.Theme, noColor)
	if err != nil {
		return err
	}
	m := tui.New(svc, token, ms.Keys, themeFn, tui.Options{
		Interval:         ms.Interval,
		ReadOnly:         g.ReadOnly || svc.Store().ReadOnly(),
		DBLabel:          svc.Store().Path(),
		DetectBackground: detect,
		Dark:             true, // until (unless) the terminal answers
		ExportDir:        tui.ExportDir(getenv),
	})

	var opts []tea.ProgramOption
	if g.Stdin != nil && g.Stdin != os.Stdin {
		opts = append(opts, tea.WithInput(g.Stdin))
	}
	if g.Stdout != nil && g.Stdout != os.Stdout {
		opts = append(opts, tea.WithOutput(g.Stdout))
	}
	if noColor {
		// The detector only honours NO_COLOR values that parse as true;
		// the convention is any non-empty value.
		opts = append(opts, tea.WithColorProfile(colorprofile.ASCII))
	}
	p := tea.NewProgram(m, opts...)

	// SIGTERM and SIGHUP (a closed SSH connection), and the caller's
	// context, quit the way q does, so the terminal is restored. Bubble Tea
	// handles SIGINT itself.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-sigs:
		case <-ctx.Done():
		case <-done:
			return
		}
		p.Quit()
		// A second signal means "now": Kill still restores the terminal.
		select {
		case <-sigs:
			p.Kill()
		case <-done:
		}
	}()
	final, err := p.Run()
	if err != nil && !errors.Is(err, tea.ErrInterrupted) {
		return fmt.Errorf("monitor: %w", err)
	}
	if fm, ok := final.(tui.Model); ok && fm.Token() != "" && token == "" && g.Stderr != nil {
		// A session created by the login form stays valid after quitting
		// (as a web login would); say so without printing its id.
		fmt.Fprintf(g.Stderr, "mudtop: your monitor session %s… stays signed in until it expires\n", auth.ShortID(fm.Token()))
	}
	return nil
}
