package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"mudtop/tui"
)

// sanitize makes database text inert on a terminal. It is the monitor's
// own sanitiser, so the command line and the UI show the same thing.
func sanitize(s string) string { return tui.Sanitize(s) }

// writeJSON prints v as indented JSON. encoding/json already escapes C0
// controls and turns invalid UTF-8 into U+FFFD; jsonInert also escapes the
// C1 controls and format characters (bidi overrides) it leaves raw, so that
// `mudtop sessions --json` stays harmless when a person reads it in a
// terminal. The escapes decode to the same strings.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	_, err := w.Write(jsonInert(buf.Bytes()))
	return err
}

// jsonInert rewrites every rune that a terminal could act on as a \u
// escape. Outside strings JSON is plain ASCII, so any such rune is inside a
// string, where the escape means the same.
func jsonInert(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		bad := r == utf8.RuneError && size == 1 // invalid UTF-8: never pass a raw byte on
		if r < 0x7f || !(bad || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			if out != nil {
				out = append(out, b[i:i+size]...)
			}
			i += size
			continue
		}
		if out == nil {
			out = append(make([]byte, 0, len(b)+32), b[:i]...)
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}

// table prints rows under headers in aligned columns. Every cell is
// sanitised and cut to its column's maximum width (wide and combining
// characters measured in terminal cells), so hostile or very long names
// can neither move the cursor nor push the other columns out of line.
type table struct {
	headers []string
	max     []int // maximum width of each column; 0 = unlimited
	rows    [][]string
}

func (t *table) add(cells ...string) {
	row := make([]string, len(cells))
	for i, c := range cells {
		c = sanitize(c)
		if i < len(t.max) && t.max[i] > 0 {
			c = ansi.Truncate(c, t.max[i], "…")
		}
		row[i] = c
	}
	t.rows = append(t.rows, row)
}

func (t *table) write(w io.Writer) error {
	widths := make([]int, len(t.headers))
	for i, h := range t.headers {
		widths[i] = ansi.StringWidth(h)
	}
	for _, r := range t.rows {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], ansi.StringWidth(c))
			}
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if i >= len(widths) {
				break
			}
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
			}
		}
		b.WriteString("\n")
	}
	line(t.headers)
	for _, r := range t.rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ago renders a duration the way `top` users read it: "45s", "12m",
// "3h05m", "2d4h". Negative durations (a clock ahead of ours) get a sign.
func ago(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	d = d.Truncate(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%s%ds", sign, int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%s%dm", sign, int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%s%dh%02dm", sign, int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%s%dd%dh", sign, int(d.Hours())/24, int(d.Hours())%24)
}

// jsonTime is a timestamp in JSON: RFC 3339 UTC, or empty when the stored
// value could not be read.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
