package tui

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "alice", "alice"},
		{"csi colour", "\x1b[31mred\x1b[0m", "red"},
		{"csi clear screen", "a\x1b[2J\x1b[Hb", "ab"},
		{"osc title bel", "x\x1b]0;pwned\x07y", "xy"},
		{"osc hyperlink st", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"unterminated osc", "ok\x1b]52;c;AAAA", "ok"},
		{"dcs", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"8-bit csi", "a\u009b31mb", "ab"},
		{"c1 alone", "a\u0085b", "ab"},
		{"nul and bell", "a\x00b\x07c", "abc"},
		{"newline tab", "a\nb\tc\rd", "a b c d"},
		{"bidi override", "abc\u202Edcba", "abcdcba"},
		{"bidi isolate", "\u2067x\u2069", "x"},
		{"zero width joiner", "a\u200db", "ab"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"leading combining", "\u0301e", "e"},
		{"combining kept", "e\u0301", "e\u0301"},
		{"zalgo capped", "e\u0301\u0302\u0303\u0304", "e\u0301\u0302"},
		{"wide kept", "日本", "日本"},
		{"esc then char", "\x1bcreset", "reset"},
		{"lone esc at end", "x\x1b", "x"},
		{"line separator", "a\u2028b", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFitAlignsWideAndCombining(t *testing.T) {
	for _, s := range []string{"alice", "日本語のユーザー名", "e\u0301e\u0301e\u0301", "\x1b[31mx\x1b[0m", "a\xffb"} {
		for _, w := range []int{1, 3, 8} {
			got := Fit(s, w)
			if gw := ansi.StringWidth(got); gw != w {
				t.Errorf("Fit(%q, %d) = %q, width %d", s, w, got, gw)
			}
			if gw := ansi.StringWidthWc(got); gw != w {
				t.Errorf("Fit(%q, %d) = %q, wcwidth %d", s, w, got, gw)
			}
		}
	}
}

// checkSanitized is the property every output must hold.
func checkSanitized(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", in, out)
	}
	for _, r := range out {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("Sanitize(%q) = %q: keeps control %U", in, out, r)
		}
	}
	if ansi.StringWidth(out) != ansi.StringWidthWc(out) {
		t.Fatalf("Sanitize(%q) = %q: width %d vs wcwidth %d", in, out, ansi.StringWidth(out), ansi.StringWidthWc(out))
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"alice", "\x1b[31mx", "\x1b]0;t\x07", "日本\u0301", "\u202Eabc", "a\xff\xfe"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, in string, width int) {
		out := Sanitize(in)
		checkSanitized(t, in, out)
		if Sanitize(out) != out {
			t.Fatalf("Sanitize not idempotent on %q: %q -> %q", in, out, Sanitize(out))
		}
		width %= 200
		if width < 0 {
			width = -width
		}
		cut := Truncate(in, width)
		checkSanitized(t, in, cut)
		if w := ansi.StringWidth(cut); w > width {
			t.Fatalf("Truncate(%q, %d) = %q is %d wide", in, width, cut, w)
		}
		if strings.ContainsRune(cut, 0x1b) {
			t.Fatalf("Truncate(%q) keeps ESC", in)
		}
	})
}

func TestTruncateLongInputIsBoundedAndCut(t *testing.T) {
	got := Truncate(strings.Repeat("a", 1<<20), 10)
	if got != "aaaaaaaaa…" {
		t.Fatalf("Truncate(1 MiB, 10) = %q", got)
	}
}
