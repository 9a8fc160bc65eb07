package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// demoWorld is one world of the demo database, besides the default world
// the schema always seeds.
type demoWorld struct {
	ID, Name, Description string
}

// demoWorlds returns the demo's worlds. A function rather than a package
// variable, so nothing can change the list another caller sees.
func demoWorlds() []demoWorld {
	return []demoWorld{
		{"ashenmoor", "Ashen Moor", "Peat bogs, barrow-kings and a sky that never clears."},
		{"saltreach", "Salt Reach", "A trading coast of smugglers, tide-temples and pirate guilds."},
		{"glimmerdeep", "Glimmerdeep", "Crystal caverns beneath the mountains; the lamps must never go out."},
	}
}

// The syllables and words names are built from, as constants so that no
// package-level table can be changed under another caller. They are joined
// at random: a few dozen pieces give thousands of pronounceable names.
const (
	nameStartWords = "al bran cor dra el fen gar hal ith jor kael lor mor nim oth pyr quel rav syl thal ul vor " +
		"wyn yr zeph ash bel cael dun ear fal grim hroth is mae ryn sar tor ves aer"
	nameEndWords    = "wyn ric dor gar mir nor eth ion ara ius wen mar var ros tan lyn dal rek a iel orn is ek rin wald thas ine ulf"
	handleHeadWords = "mist storm ember frost shadow iron raven thorn moon ash stone wolf silver night dusk gale rune bone"
	handleTailWords = "weaver caller blade walker song heart fang born smith ward seer shield hand strider binder"
	surnameWords    = "Ashbrook Fenwhistle Stormvale Blackthorn Emberfall Greymantle Holloway Ironsides Longbarrow " +
		"Marrowind Oakheart Quickwater Ravenhold Saltmarsh Thistledown Underhill Whitlock Wrenfield"
)

// namer makes MUD-ish names from one seeded source, so a seed always gives
// the same cast.
type namer struct {
	r                                    *rand.Rand
	starts, ends, heads, tails, surnames []string
}

func newNamer(r *rand.Rand) *namer {
	return &namer{r: r, starts: strings.Fields(nameStartWords), ends: strings.Fields(nameEndWords),
		heads: strings.Fields(handleHeadWords), tails: strings.Fields(handleTailWords),
		surnames: strings.Fields(surnameWords)}
}

func (n *namer) pick(words []string) string { return words[n.r.IntN(len(words))] }

// first is a capitalised two-syllable name such as "Corwyn".
func (n *namer) first() string {
	s := n.pick(n.starts) + n.pick(n.ends)
	return strings.ToUpper(s[:1]) + s[1:]
}

// username makes a handle in the styles players pick: a bare name, a name
// with digits, a compound such as "mistweaver", or name_word. Every result
// is 2-20 characters, the original's login rule.
func (n *namer) username() string {
	var u string
	switch n.r.IntN(6) {
	case 0, 1:
		u = strings.ToLower(n.first())
	case 2:
		u = strings.ToLower(n.first()) + strconv.Itoa(n.r.IntN(99)+1)
	case 3, 4:
		u = n.pick(n.heads) + n.pick(n.tails)
	default:
		u = strings.ToLower(n.first()) + "_" + n.pick(n.heads)
	}
	if len(u) > 20 {
		u = u[:20]
	}
	return u
}

// character is an in-game name: a first name, sometimes with a surname.
func (n *namer) character() string {
	if n.r.IntN(3) == 0 {
		return n.first() + " " + n.pick(n.surnames)
	}
	return n.first()
}

// uniqueName draws from gen until it finds a name not yet in used, falling
// back to numbered variants so seeding always terminates.
func uniqueName(used map[string]bool, gen func() string, maxLen int) string {
	for range 20 {
		if n := gen(); !used[n] {
			used[n] = true
			return n
		}
	}
	base := gen()
	for i := 2; ; i++ {
		suffix := strconv.Itoa(i)
		n := base
		if len(n)+len(suffix) > maxLen {
			n = n[:maxLen-len(suffix)]
		}
		n += suffix
		if !used[n] {
			used[n] = true
			return n
		}
	}
}
