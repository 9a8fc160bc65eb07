package tui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"
)

// maxMarks caps combining marks on one base character: a "zalgo" username
// with hundreds of stacked marks would otherwise paint over the rows above
// and below it in many terminals.
const maxMarks = 2

// Sanitize makes text that came from the database safe to print in a
// terminal. Usernames, character names and client types are written by
// other programs (and by players), so they may hold anything:
//
//   - escape sequences (ESC/CSI/OSC/DCS/SOS/PM/APC, 7- and 8-bit) are removed
//     whole, so no colour, cursor move, title change or hyperlink survives;
//   - other C0 and C1 controls and NUL are removed; tab, CR and LF become a
//     space so words do not run together;
//   - format characters (bidi overrides and isolates, zero-width joiners,
//     BOM) are removed: a right-to-left override would reorder the rest of
//     the row on screen;
//   - invalid UTF-8 becomes U+FFFD;
//   - combining marks with nothing to attach to are dropped and stacks are
//     capped, and any character whose width the terminal and Lip Gloss
//     would disagree on becomes U+FFFD, so columns stay aligned.
//
// The result is plain text whose lipgloss.Width is the width it occupies.
func Sanitize(s string) string {
	if isPlain(s) {
		return s // the common case: printable ASCII, no copy
	}
	var b strings.Builder
	b.Grow(len(s))
	marks, haveBase := 0, false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(utf8.RuneError)
			i++
			marks, haveBase = 0, true
			continue
		}
		if r == 0x1b || (r >= 0x80 && r <= 0x9f) {
			i += skipEscape(s, i, r, size)
			continue
		}
		i += size
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
			marks, haveBase = 0, true
		case r < 0x20 || r == 0x7f:
			// other C0 controls and DEL: dropped
		case r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r):
			// line/paragraph separators and format characters: dropped
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || (r >= 0xfe00 && r <= 0xfe0f):
			if haveBase && marks < maxMarks && !(r >= 0xfe00 && r <= 0xfe0f) {
				b.WriteRune(r)
				marks++
			}
		default:
			b.WriteRune(r)
			marks, haveBase = 0, true
		}
	}
	return evenWidths(b.String())
}

// isPlain reports whether s is printable ASCII only.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// skipEscape returns how many bytes the escape sequence or control starting
// at s[i] spans. r is ESC or a C1 control of size bytes. An unterminated
// string sequence swallows the rest of the text: printing half of a hostile
// OSC is worse than printing nothing.
func skipEscape(s string, i int, r rune, size int) int {
	kind := r
	n := size
	if r == 0x1b {
		if i+1 >= len(s) {
			return 1
		}
		c := s[i+1]
		n = 2
		switch c {
		case '[':
			kind = 0x9b
		case ']':
			kind = 0x9d
		case 'P':
			kind = 0x90
		case 'X':
			kind = 0x98
		case '^':
			kind = 0x9e
		case '_':
			kind = 0x9f
		default:
			if c >= 0x20 && c <= 0x2f { // intermediates, then one final byte
				j := i + 2
				for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
					j++
				}
				if j < len(s) {
					j++
				}
				return j - i
			}
			if c >= 0x80 { // ESC followed by a non-ASCII rune: drop ESC only
				return 1
			}
			return 2
		}
	}
	j := i + n
	switch kind {
	case 0x9b: // CSI: parameters and intermediates, then a final byte
		for j < len(s) {
			c := s[j]
			j++
			if c >= 0x40 && c <= 0x7e {
				break
			}
			if c < 0x20 || c > 0x7e {
				j-- // not part of a CSI: stop before it
				break
			}
		}
		return j - i
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // string sequences: up to BEL or ST
		for j < len(s) {
			switch {
			case s[j] == 0x07:
				return j + 1 - i
			case s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\':
				return j + 2 - i
			case strings.HasPrefix(s[j:], "\u009c"):
				return j + len("\u009c") - i
			}
			j++
		}
		return len(s) - i
	}
	return n // any other C1 control on its own
}

// evenWidths replaces every grapheme cluster whose width Lip Gloss
// (grapheme based) and the terminal renderer (wcwidth based) would measure
// differently, or as taking no cell at all, so both agree on where each
// column starts.
func evenWidths(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	state := -1
	rest := s
	for rest != "" {
		var cluster string
		cluster, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if r, size := utf8.DecodeRuneInString(cluster); size == len(cluster) && (r < 0x300 || r == utf8.RuneError) {
			b.WriteString(cluster) // one narrow rune: every measure says 1
			continue
		}
		if w := ansi.StringWidth(cluster); w == 0 || w != ansi.StringWidthWc(cluster) {
			b.WriteRune(utf8.RuneError)
			continue
		}
		b.WriteString(cluster)
	}
	return b.String()
}

// Truncate sanitises s and cuts it to at most width cells, ending with "…"
// when something was cut. Only the first few kilobytes of s are looked at,
// so a multi-megabyte "username" costs no more than a long one.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if limit := 4096 + 8*width; len(s) > limit {
		s = s[:limit] + "…" // a cut rune or sequence is made inert by Sanitize
	}
	return ansi.Truncate(Sanitize(s), width, "…")
}

// Fit sanitises s and makes it exactly width cells: cut with "…" or padded
// with spaces. Table cells use it so columns line up whatever the text.
func Fit(s string, width int) string {
	t := Truncate(s, width)
	if pad := width - ansi.StringWidth(t); pad > 0 {
		t += strings.Repeat(" ", pad)
	}
	return t
}
