package cli

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// helpEnv pins what a help page depends on: its width, no colour, and the
// paths the defaults are read from.
var helpEnvVars = []string{"__FANG_TEST_WIDTH=100", "NO_COLOR=1", "XDG_CONFIG_HOME=/home/admin/.config"}

// trailing is the padding lipgloss adds to every line of a block.
var trailing = regexp.MustCompile(`(?m)[ \t]+$`)

// TestHelpGolden keeps every help page as the real binary prints it, plain
// (stdout is not a terminal): refresh with `go test ./cli -update`.
func TestHelpGolden(t *testing.T) {
	pages := [][]string{{"--help"}}
	for _, c := range commands() {
		if c.name != "demo" { // the demo prints its own flag help
			pages = append(pages, []string{c.name, "--help"})
		}
	}
	for _, args := range pages {
		name := strings.TrimPrefix(strings.Join(args, "_"), "--")
		t.Run(name, func(t *testing.T) {
			r := runBinary(t, helpEnvVars, "", args...)
			r.want(t, exitOK, "")
			if strings.Contains(r.stdout, "\x1b") {
				t.Fatalf("help to a pipe is styled: %q", r.stdout)
			}
			golden.RequireEqual(t, trailing.ReplaceAllString(r.stdout, ""))
		})
	}
}

// The bash completion script loads in a real bash and registers mudtop,
// and the completions offer the values that parse.
func TestCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	out, err := exec.Command(bash, "-c", `source <("$0" completion bash) && complete -p mudtop`, binPath).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "mudtop") {
		t.Fatalf("bash completion: %v\n%s", err, out)
	}
	for _, shell := range []string{"zsh", "fish", "powershell"} {
		r := runBinary(t, nil, "", "completion", shell)
		r.want(t, exitOK, "")
		if !strings.Contains(r.stdout, "mudtop") {
			t.Errorf("%s completion does not name mudtop", shell)
		}
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"sessions", "--sort", ""}, []string{"idle", "-user", "expires"}},
		{[]string{"validate", "--permission", ""}, []string{"kick_users", "manage_users", "view_logs"}},
		{[]string{"kick", "--"}, []string{"--user", "--character", "--reason", "--session"}},
		{[]string{"ses"}, []string{"sessions"}},
	} {
		r := runBinary(t, nil, "", append([]string{"__complete"}, tc.args...)...)
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w+"\n") && !strings.Contains(r.stdout, w+"\t") {
				t.Errorf("complete %v: no %q in\n%s", tc.args, w, r.stdout)
			}
		}
	}
}

// --version names the build: the module version, and the commit when the
// binary was built from a checkout with VCS stamping on.
func TestVersion(t *testing.T) {
	for _, flag := range []string{"--version", "-v"} {
		r := runBinary(t, nil, "", flag)
		r.want(t, exitOK, "")
		if !strings.HasPrefix(r.stdout, "mudtop version ") {
			t.Errorf("%s printed %q", flag, r.stdout)
		}
	}
}

// The man page is roff for section 1 and names every command.
func TestManPage(t *testing.T) {
	r := runBinary(t, nil, "", "man")
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, ".TH MUDTOP 1") {
		t.Fatalf("not a man page: %.200q", r.stdout)
	}
	for _, c := range commands() {
		if !strings.Contains(r.stdout, c.name) {
			t.Errorf("man page lacks %s", c.name)
		}
	}
}
