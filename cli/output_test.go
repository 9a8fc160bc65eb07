package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func TestWriteJSONIsInertAndLossless(t *testing.T) {
	for _, s := range []string{
		"plain", "esc\x1b[31m", "c1\u009b31m", "bidi\u202eevil\u2066", "nul\x00", "del\x7f",
		"tag\U000E0041", "zwj\u200d", "wide日本", "bad\xff\xfe", "<html>&",
	} {
		var buf bytes.Buffer
		if err := writeJSON(&buf, map[string]string{"s": s}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, r := range out {
			if r != '\n' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u202e' || r == '\u2066' || r == '\u200d' || r == '\U000E0041') {
				t.Errorf("%q: raw %U in output %q", s, r, out)
			}
		}
		var back map[string]string
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatalf("%q: invalid JSON %q: %v", s, out, err)
		}
		if want := validUTF8(s); back["s"] != want {
			t.Errorf("%q decodes to %q, want %q", s, back["s"], want)
		}
	}
}

func TestTableAlignsWideAndHostileCells(t *testing.T) {
	tb := &table{headers: []string{"A", "B"}, max: []int{6, 0}}
	tb.add("日本語", "x")
	tb.add("e\u0301e\u0301", "x")
	tb.add("\x1b[31mred\x1b[0m", "x")
	tb.add(strings.Repeat("long", 10), "x")
	var buf bytes.Buffer
	if err := tb.write(&buf); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if w := ansi.StringWidth(l); w != 9 {
			t.Errorf("line %q is %d cells wide, want 9", l, w)
		}
		if strings.Contains(l, "\x1b") {
			t.Errorf("escape in %q", l)
		}
	}
}

func TestAgo(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 59 * time.Second: "59s", 90 * time.Second: "1m", 3*time.Hour + 5*time.Minute: "3h05m",
		50 * time.Hour: "2d2h", -2 * time.Minute: "-2m",
	} {
		if got := ago(d); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
}

// validUTF8 is s as encoding/json decodes it: each invalid byte U+FFFD.
func validUTF8(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r) // ranging yields U+FFFD for each invalid byte
	}
	return b.String()
}
