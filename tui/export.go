package tui

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

// CSVHeader is the header row of a sessions export, on the command line
// and from the monitor alike.
var CSVHeader = []string{
	"id", "user", "role", "character", "world", "client", "state",
	"idle_seconds", "created_at", "last_activity", "expires_at", "anomalies",
}

// WriteCSV writes rows as RFC 4180 CSV under CSVHeader. Session ids are the
// 8-character prefix (ids are bearer credentials); every text from the
// database is sanitised as on screen, and a value a spreadsheet would run
// as a formula (leading = + - @, tab or CR) gets a leading apostrophe, the
// usual defence, so a username cannot turn the file into a program.
func WriteCSV(w io.Writer, now time.Time, rows []auth.SessionInfo) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		char, world := "", ""
		if r.InWorld {
			char, world = r.CharacterName, r.WorldID
		}
		idle := ""
		if !r.LastActivity.IsZero() {
			idle = strconv.FormatInt(int64(now.Sub(r.LastActivity)/time.Second), 10)
		}
		expires := csvTime(r.ExpiresAt)
		if r.NeverExpires {
			expires = "never"
		}
		notes := make([]string, len(r.Anomalies))
		for i, a := range r.Anomalies {
			notes[i] = string(a)
		}
		// Only text from the database is defused: a negative idle time
		// (activity in the future) must stay a number.
		rec := []string{
			csvCell(auth.ShortID(r.Ref.Token)), csvCell(r.Username), csvCell(r.Role), csvCell(char), csvCell(world),
			csvCell(r.ClientType), string(r.State), idle, csvTime(r.CreatedAt), csvTime(r.LastActivity), expires,
			strings.Join(notes, "; "),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvCell sanitises one value and defuses spreadsheet formulas.
func csvCell(v string) string {
	v = Sanitize(v)
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		v = "'" + v
	}
	return v
}

// exportPageSize is how many rows one read of an export fetches: each read
// stays one short transaction beside a live server.
const exportPageSize = 1000

// exportMsg reports a finished (or failed) export.
type exportMsg struct {
	path string
	rows int
	err  error
}

// exportCmd reads every page of the view the operator sees (filter and
// sort as on screen) through auth and writes it to a new 0600 file in dir,
// named after the database clock's time of the first read.
func exportCmd(svc *auth.Service, token string, lq auth.ListQuery, dir string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 4*readTimeout)
		defer cancel()
		lq.Offset, lq.Limit, lq.Selected, lq.PageOnly = 0, exportPageSize, 0, true
		var rows []auth.SessionInfo
		var now time.Time
		for {
			snap, err := svc.Snapshot(ctx, token, lq)
			if err != nil {
				return exportMsg{err: err}
			}
			if lq.Offset == 0 {
				now = snap.Now
			}
			rows = append(rows, snap.Rows...)
			if len(snap.Rows) < exportPageSize {
				break
			}
			lq.Offset += exportPageSize
		}
		path, err := writeExport(dir, now, rows)
		return exportMsg{path: path, rows: len(rows), err: err}
	}
}

// writeExport creates dir (0700) and a file in it no one else can read:
// the export names accounts and their habits.
func writeExport(dir string, now time.Time, rows []auth.SessionInfo) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	base := "sessions-" + now.UTC().Format("20060102-150405")
	var f *os.File
	var path string
	for i := 0; ; i++ {
		path = filepath.Join(dir, base+".csv")
		if i > 0 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d.csv", base, i))
		}
		var err error
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			break
		}
		if !os.IsExist(err) || i == 99 {
			return "", fmt.Errorf("export: %w", err)
		}
	}
	err := WriteCSV(f, now, rows)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("export: %w", err)
	}
	return path, nil
}

// ExportDir is where the monitor writes exports: $XDG_STATE_HOME/mudtop,
// else ~/.local/state/mudtop; "" when neither is known.
func ExportDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "mudtop")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "mudtop")
	}
	return ""
}

// startExport writes the current view to a file, when exports are offered
// (not over SSH, where the file could not reach the viewer).
func (m *Model) startExport() tea.Cmd {
	if m.opts.ExportDir == "" {
		return nil
	}
	m.status.setInfo("exporting…")
	return exportCmd(m.svc, m.token, m.pollRequest().query, m.opts.ExportDir)
}

func (m *Model) onExport(msg exportMsg) tea.Cmd {
	if msg.err != nil {
		if auth.Status(msg.err) == 401 {
			return m.toLogin(msg.err.Error())
		}
		m.status.setError(describeError(msg.err))
		return nil
	}
	m.status.setOK(fmt.Sprintf("wrote %s to %s", plural(msg.rows, "session"), msg.path))
	return nil
}
