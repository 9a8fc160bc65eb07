package auth

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func TestParsePython(t *testing.T) {
	d := func(y, mo, day, h, mi, s int) time.Time {
		return time.Date(y, time.Month(mo), day, h, mi, s, 0, time.UTC)
	}
	ok := []struct {
		in   string
		want time.Time
	}{
		{"2026-11-25 18:28:40", d(2026, 11, 25, 18, 28, 40)},
		{"2099-1-2 3:04:05", d(2099, 1, 2, 3, 4, 5)},
		{"2099-1-2 3:4:5", d(2099, 1, 2, 3, 4, 5)},
		{"2099-01- 2 03:04:05", d(2099, 1, 2, 3, 4, 5)}, // %d's " [1-9]" form
		{"2099-01-02  03:04:05", d(2099, 1, 2, 3, 4, 5)},
		{"2099-01-02\t03:04:05", d(2099, 1, 2, 3, 4, 5)},
		{"2099-01-02\n\r\f03:04:05", d(2099, 1, 2, 3, 4, 5)},
		{"2099-01-02\v03:04:05", d(2099, 1, 2, 3, 4, 5)},   // Go's \s lacks \v; Python's has it
		{"2099-01-02\x1c03:04:05", d(2099, 1, 2, 3, 4, 5)}, // \x1c-\x1f are str.isspace()
		{"2099-01-02\x1f03:04:05", d(2099, 1, 2, 3, 4, 5)},
		{"2099-01-02\u00a003:04:05", d(2099, 1, 2, 3, 4, 5)},
		{"2099-01-02\u300003:04:05", d(2099, 1, 2, 3, 4, 5)},
		{"2099-01-02\u0085\u200a03:04:05", d(2099, 1, 2, 3, 4, 5)},
		{"2024-02-29 23:59:59", d(2024, 2, 29, 23, 59, 59)},
		{"0001-01-01 00:00:00", d(1, 1, 1, 0, 0, 0)},
		{"9999-12-31 23:59:59", d(9999, 12, 31, 23, 59, 59)},
		{"２０９９-01-01 00:00:00", d(2099, 1, 1, 0, 0, 0)}, // fullwidth digits in \d\d\d\d
		{"٢٠٩٩-01-01 00:00:00", d(2099, 1, 1, 0, 0, 0)}, // Arabic-Indic digits
		{"2099-01-1٣ 0:0:0", d(2099, 1, 13, 0, 0, 0)},   // [12]\d: second digit may be Unicode
		{"2099-01-01 1٣:5٩:0٩", d(2099, 1, 1, 13, 59, 9)},
		{"2099-01-01 ٣:0:0", d(2099, 1, 1, 3, 0, 0)}, // %H's plain \d alternative
	}
	for _, c := range ok {
		got, valid := parsePython(c.in)
		if !valid || !got.Equal(c.want) {
			t.Errorf("parsePython(%q) = %v, %v; want %v", c.in, got, valid, c.want)
		}
	}
	bad := []string{
		"", "not-a-date", "2099-01-01", "2099-01-01 00:00",
		"2099-01-01T00:00:00", "2099-01-01 00:00:00.250", "2099-01-01 00:00:00Z", "2099-01-01 00:00:00+00:00",
		" 2099-01-01 00:00:00", "2099-01-01 00:00:00 ", "2099-01-01 00:00:00\n", "x2099-01-01 00:00:00",
		"2099-01-0100:00:00",                         // no separator
		"2099-01-01 00:00:60", "2099-01-01 00:00:61", // regex admits them, datetime does not
		"2099-01-01 00:00:62", "2099-01-01 24:00:00", "2099-01-01 00:60:00",
		"2099-02-30 00:00:00", "2023-02-29 00:00:00", "2099-04-31 00:00:00", "2099-01-32 00:00:00",
		"2099-00-01 00:00:00", "2099-13-01 00:00:00", "2099-01-00 00:00:00", "2099-0-01 00:00:00",
		"0000-01-01 00:00:00", // year 0 is out of range
		"99-01-01 00:00:00", "20990-01-01 00:00:00", "-099-01-01 00:00:00",
		"2099-01-  2 00:00:00", "2099-01- 02 00:00:00", "2099- 1-01 00:00:00",
		"2099-01-01 00:00:0٩٩",
		"2099-٠1-01 00:00:00",      // [01] of %m is ASCII only
		"2099-01-٣1 00:00:00",      // 3[01] / [12] lead is ASCII only
		"2099-01-01 ٢3:00:00",      // 2[0-3] lead is ASCII only, and \d then leaves "3:"
		"2099-01-01\u200b00:00:00", // zero-width space is not whitespace
		"2099/01/01 00:00:00", "2099-01-01 00-00-00", "2099-01-01 00:00", "2099-01-01 00:00:",
		"2099-01-01 00:00:00\x00",
		"\xff2099-01-01 00:00:00",
		"2099-01-01 00:00:0\xff",
	}
	for _, in := range bad {
		if got, valid := parsePython(in); valid {
			t.Errorf("parsePython(%q) = %v, want a ValueError", in, got)
		}
	}
}

func TestJudgeExpiry(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 28, 40, 500_000_000, time.UTC) // mid-second, as Python's now() is
	cases := []struct {
		typ, text string
		want      verdict
	}{
		{"null", "", verdictValid},
		{"text", "", verdictValid}, // '' is falsy: never checked
		{"text", "2026-11-25 18:28:40", verdictExpired},
		{"text", "2026-11-25 18:28:39", verdictExpired},
		{"text", "2026-11-25 18:28:41", verdictValid},
		{"text", "2099-01-01T00:00:00", verdictExpired},
		{"text", "garbage", verdictExpired},
		{"integer", "0", verdictValid},
		{"real", "0.0", verdictValid},
		{"integer", "4102444800", verdictBroken},
		{"integer", "-1", verdictBroken},
		{"real", "2.5", verdictBroken},
		{"blob", "", verdictValid},
		{"blob", "2099-01-01 00:00:00", verdictBroken}, // bytes: TypeError in strptime
	}
	for _, c := range cases {
		if got := judgeExpiry(c.typ, c.text, now); got != c.want {
			t.Errorf("judgeExpiry(%s %q) = %d, want %d", c.typ, c.text, got, c.want)
		}
	}
	// The boundary is "parsed <= now": valid until the first instant of
	// the expires_at second, expired from then on.
	exp := "2026-11-25 18:28:41"
	at := time.Date(2026, 11, 25, 18, 28, 41, 0, time.UTC)
	if judgeExpiry("text", exp, at.Add(-time.Nanosecond)) != verdictValid {
		t.Error("a nanosecond before expires_at must be valid")
	}
	if judgeExpiry("text", exp, at) != verdictExpired {
		t.Error("at expires_at exactly must be expired")
	}
}

// pyWhitespace is str.isspace() written out from Python's Unicode data
// (bidi WS/B/S or category Zs), independent of Go's unicode.IsSpace.
const pyWhitespace = `\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`

// pyStrptimeRE is Python's own pattern for "%Y-%m-%d %H:%M:%S" (from
// _strptime.TimeRE), with \d as Unicode Nd and \s as pyWhitespace. Go's
// regexp alternation is leftmost-first, like Python's re.
var pyStrptimeRE = regexp.MustCompile(`^(\p{Nd}\p{Nd}\p{Nd}\p{Nd})-(1[0-2]|0[1-9]|[1-9])-(3[0-1]|[1-2]\p{Nd}|0[1-9]|[1-9]| [1-9])[` +
	pyWhitespace + `]+(2[0-3]|[0-1]\p{Nd}|\p{Nd}):([0-5]\p{Nd}|\p{Nd}):(6[0-1]|[0-5]\p{Nd}|\p{Nd})`)

// pyInt is int() of a run of Unicode decimal digits: each digit's value is
// its distance from the start of its Nd range, modulo ten.
func pyInt(s string) int {
	n := 0
	for _, r := range s {
		v := -1
		for _, rg := range unicode.Nd.R16 {
			if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
				v = int(r-rune(rg.Lo)) % 10
			}
		}
		for _, rg := range unicode.Nd.R32 {
			if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
				v = int(r-rune(rg.Lo)) % 10
			}
		}
		n = n*10 + v
	}
	return n
}

// referenceStrptime is the straightforward model of the original's
// datetime.strptime(s, "%Y-%m-%d %H:%M:%S"): match the regex at the start,
// refuse unconverted data, then build a datetime (which refuses year 0,
// second 60-61 and impossible dates).
func referenceStrptime(s string) (time.Time, bool) {
	m := pyStrptimeRE.FindStringSubmatchIndex(s)
	if m == nil || m[1] != len(s) {
		return time.Time{}, false
	}
	f := make([]int, 6)
	for i := range f {
		// int() ignores the leading space of %d's " [1-9]" form.
		f[i] = pyInt(strings.TrimPrefix(s[m[2+2*i]:m[3+2*i]], " "))
	}
	y, mo, d, h, mi, sec := f[0], f[1], f[2], f[3], f[4], f[5]
	if y < 1 || sec > 59 {
		return time.Time{}, false
	}
	tm := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if tm.Day() != d || int(tm.Month()) != mo {
		return time.Time{}, false
	}
	return tm, true
}

func FuzzParsePython(f *testing.F) {
	for _, s := range []string{
		"2026-11-25 18:28:40", "2099-1-2 3:04:05", "2099-01- 2 03:04:05", "2099-01-02  03:04:05",
		"2099-01-02\x1c03:04:05", "2099-02-30 00:00:00", "0000-01-01 00:00:00", "2099-01-01 00:00:60",
		"２０９９-01-01 00:00:00", "2099-01-1٣ 0:0:0", "2099-01-01T00:00:00", "", "not-a-date",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parsePython(s)
		want, wantOK := referenceStrptime(s)
		if !utf8.ValidString(s) {
			// SQLite hands Python only valid UTF-8 text; just never panic.
			return
		}
		if ok != wantOK || !got.Equal(want) {
			t.Fatalf("parsePython(%q) = %v, %v; reference %v, %v", s, got, ok, want, wantOK)
		}
	})
}

// TestParsePythonAgainstPython asks the original's own parser. It runs
// datetime.strptime in python3 over the edge inputs and checks
// parsePython agrees on every one; it skips where python3 is missing.
func TestParsePythonAgainstPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	inputs := []string{
		"2026-11-25 18:28:40", "2099-1-2 3:04:05", "2099-01- 2 03:04:05", "2099-01-02  03:04:05",
		"2099-01-02\v03:04:05", "2099-01-02\x1c03:04:05", "2099-01-02\x1f03:04:05", "2099-01-02\u0085 03:04:05",
		"2099-01-02\u200b03:04:05", "2099-01-02\u180e03:04:05", "2099-01-02\u202f03:04:05",
		"2099-02-30 00:00:00", "2024-02-29 00:00:00", "2023-02-29 00:00:00", "0000-01-01 00:00:00",
		"2099-01-01 00:00:60", "2099-01-01 00:00:61", "2099-01-01 00:00:62", "2099-01-01 24:00:00",
		"２０９９-01-01 00:00:00", "٢٠٩٩-01-01 00:00:00", "2099-01-1٣ 0:0:0", "2099-٠1-01 00:00:00",
		"2099-01-01 ٢3:00:00", "2099-01-01 1٣:5٩:0٩", "𝟐𝟎𝟗𝟗-01-01 00:00:00", "߂߀߉߉-01-01 00:00:00",
		"2099-01-01T00:00:00", "2099-01-01 00:00:00.250", "2099-01-01 00:00:00Z", "2099-01-01 00:00",
		" 2099-01-01 00:00:00", "2099-01-01 00:00:00 ", "not-a-date", "2099-01-  2 00:00:00",
		"2099-01-01\u3000\u300000:0:0", "2099-01-01 00:00:0٩٩", "2099-01-01 ٣:0:0",
	}
	in, _ := json.Marshal(inputs)
	script := `
import json, sys, datetime
out = []
for s in json.loads(sys.stdin.read()):
    try:
        out.append(datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%d %H:%M:%S"))
    except ValueError:
        out.append(None)
print(json.dumps(out))
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	raw, err := cmd.Output()
	if err != nil {
		t.Skipf("python3 failed to run: %v", err)
	}
	var want []*string
	if err := json.Unmarshal(raw, &want); err != nil || len(want) != len(inputs) {
		t.Fatalf("python3 output %q: %v", raw, err)
	}
	for i, s := range inputs {
		got, ok := parsePython(s)
		ref, refOK := referenceStrptime(s)
		switch {
		case want[i] == nil && ok:
			t.Errorf("%q: python3 raises ValueError, parsePython gives %v", s, got)
		case want[i] != nil && !ok:
			t.Errorf("%q: python3 parses %s, parsePython refuses", s, *want[i])
		case want[i] != nil && got.Format("2006-01-02 15:04:05") != padYear(*want[i]):
			t.Errorf("%q: python3 %s, parsePython %v", s, *want[i], got)
		}
		if ok != refOK || !got.Equal(ref) {
			t.Errorf("%q: the fuzz reference disagrees (%v %v)", s, ref, refOK)
		}
	}
}

// padYear: Python's strftime("%Y") does not zero-pad years below 1000 on
// every platform.
func padYear(s string) string {
	if i := strings.IndexByte(s, '-'); i >= 0 && i < 4 {
		n, _ := strconv.Atoi(s[:i])
		return strconv.Itoa(10000 + n)[1:] + s[i:]
	}
	return s
}
