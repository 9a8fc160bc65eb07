package auth

import (
	"time"
	"unicode"
)

// parsePython parses s exactly as the original's
// datetime.strptime(s, "%Y-%m-%d %H:%M:%S") does (COMPAT.md §5.2), which is
// looser and stricter than time.Parse: 1-2 digit fields, a space before a
// single-digit day, any run of Unicode whitespace between date and time,
// Unicode decimal digits, and nothing before or after.
func parsePython(s string) (time.Time, bool) {
	r := []rune(s)
	p := pyParser{r: r}
	year, ok := p.fixedDigits(4)
	if !ok || !p.lit('-') {
		return time.Time{}, false
	}
	month, ok := p.field(monthTwo, asciiNonZero, false)
	if !ok || !p.lit('-') {
		return time.Time{}, false
	}
	day, ok := p.field(dayTwo, asciiNonZero, true)
	if !ok || !p.spaces() {
		return time.Time{}, false
	}
	hour, ok := p.field(hourTwo, digitValue, false)
	if !ok || !p.lit(':') {
		return time.Time{}, false
	}
	minute, ok := p.field(minuteTwo, digitValue, false)
	if !ok || !p.lit(':') {
		return time.Time{}, false
	}
	// The regex admits seconds up to 61; the datetime constructor then
	// rejects 60 and 61.
	sec, ok := p.field(secondTwo, digitValue, false)
	if !ok || sec > 59 || p.i != len(r) {
		return time.Time{}, false
	}
	if year < 1 || day > daysIn(month, year) {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

type pyParser struct {
	r []rune
	i int
}

func (p *pyParser) digit() (int, bool) {
	if p.i >= len(p.r) {
		return 0, false
	}
	v, ok := digitValue(p.r[p.i])
	if ok {
		p.i++
	}
	return v, ok
}

func (p *pyParser) fixedDigits(n int) (int, bool) {
	v := 0
	for range n {
		d, ok := p.digit()
		if !ok {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// The two-digit alternatives of each field's regex in the original's
// _strptime. Their first character is always an ASCII class ([0-5], 1, 3,
// ...); only a plain \d also matches other Unicode decimal digits.
type twoFn func(a, b rune) (int, bool)
type oneFn func(r rune) (int, bool)

func monthTwo(a, b rune) (int, bool) { // 1[0-2]|0[1-9]
	if (a == '1' && b >= '0' && b <= '2') || (a == '0' && b >= '1' && b <= '9') {
		return int(a-'0')*10 + int(b-'0'), true
	}
	return 0, false
}

func dayTwo(a, b rune) (int, bool) { // 3[01]|[12]\d|0[1-9]
	switch {
	case a == '3' && (b == '0' || b == '1'), a == '0' && b >= '1' && b <= '9':
		return int(a-'0')*10 + int(b-'0'), true
	case a == '1' || a == '2':
		if d, ok := digitValue(b); ok {
			return int(a-'0')*10 + d, true
		}
	}
	return 0, false
}

func hourTwo(a, b rune) (int, bool) { // 2[0-3]|[0-1]\d
	if a == '2' && b >= '0' && b <= '3' {
		return 20 + int(b-'0'), true
	}
	if a == '0' || a == '1' {
		if d, ok := digitValue(b); ok {
			return int(a-'0')*10 + d, true
		}
	}
	return 0, false
}

func minuteTwo(a, b rune) (int, bool) { // [0-5]\d
	if a >= '0' && a <= '5' {
		if d, ok := digitValue(b); ok {
			return int(a-'0')*10 + d, true
		}
	}
	return 0, false
}

func secondTwo(a, b rune) (int, bool) { // 6[0-1]|[0-5]\d
	if a == '6' && (b == '0' || b == '1') {
		return 60 + int(b-'0'), true
	}
	return minuteTwo(a, b)
}

func asciiNonZero(r rune) (int, bool) { // [1-9]
	if r >= '1' && r <= '9' {
		return int(r - '0'), true
	}
	return 0, false
}

// field matches one field: its two-character alternatives first, then the
// one-character one, as the regex tries them. No backtracking is needed:
// what follows every field is a non-digit, so if two characters matched, one
// would leave a digit where that literal must be. leadingSpace adds the
// " [1-9]" form of %d.
func (p *pyParser) field(two twoFn, one oneFn, leadingSpace bool) (int, bool) {
	if p.i+1 < len(p.r) {
		if v, ok := two(p.r[p.i], p.r[p.i+1]); ok {
			p.i += 2
			return v, true
		}
	}
	if p.i < len(p.r) {
		if v, ok := one(p.r[p.i]); ok {
			p.i++
			return v, true
		}
	}
	if leadingSpace && p.i+1 < len(p.r) && p.r[p.i] == ' ' {
		if v, ok := asciiNonZero(p.r[p.i+1]); ok {
			p.i += 2
			return v, true
		}
	}
	return 0, false
}

func (p *pyParser) lit(c rune) bool {
	if p.i < len(p.r) && p.r[p.i] == c {
		p.i++
		return true
	}
	return false
}

// spaces matches Python's \s+ (str patterns): one or more Unicode
// whitespace characters, which includes \x1c-\x1f unlike Go's unicode.IsSpace.
func (p *pyParser) spaces() bool {
	start := p.i
	for p.i < len(p.r) && isPySpace(p.r[p.i]) {
		p.i++
	}
	return p.i > start
}

func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// digitValue is the value of a Unicode decimal digit (category Nd), as
// Python's int() reads it. Nd digits come in runs of ten starting at zero.
func digitValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if r < 0x80 || !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	n := 0
	for unicode.Is(unicode.Nd, r-1-rune(n)) {
		n++
	}
	return n % 10, true
}

func daysIn(month, year int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
