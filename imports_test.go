package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsRunOneWay keeps the house's arrows: main -> cli -> {tui, demo, serve}
// -> auth -> storage. A package may import only the mudtop packages listed
// for it, so an arrow back (demo reaching into cli, tui running SQL)
// fails here before review.
func TestImportsRunOneWay(t *testing.T) {
	allowed := map[string][]string{
		"mudtop":                     {"mudtop/cli", "mudtop/tui"},
		"mudtop/cli":                 {"mudtop/tui", "mudtop/demo", "mudtop/serve", "mudtop/auth", "mudtop/storage"},
		"mudtop/serve":               {"mudtop/tui", "mudtop/auth"},
		"mudtop/demo":                {"mudtop/auth", "mudtop/storage"},
		"mudtop/tui":                 {"mudtop/auth"},
		"mudtop/auth":                {"mudtop/storage"},
		"mudtop/storage":             {},
		"mudtop/storage/storagetest": {"mudtop/storage"},
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		ok, known := allowed[pkg]
		if !known {
			if strings.HasPrefix(pkg, "mudtop/scripts/") {
				continue // the scripts' helpers may use what they measure
			}
			t.Errorf("%s is not in the house plan: add it here with its arrows", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, "mudtop/") {
				continue
			}
			found := false
			for _, a := range ok {
				found = found || a == imp
			}
			if !found {
				t.Errorf("%s imports %s: the arrows point %s -> %v only", pkg, imp, pkg, ok)
			}
		}
	}
}
