package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/factory"
)

// TestProgram_OwnTool: a program built on harness is its own tool. Its
// help and errors carry its name, it has no reproduce (and no default
// command: without one it prints its usage and exits 2), and its help
// examples name it (bench keeps reproduce as its default: package
// casestudy's TestReproduce_Help).
func TestProgram_OwnTool(t *testing.T) {
	mine := newCLI(Program{Name: "mine", Targets: factory.Targets{}})
	var out, errb bytes.Buffer
	if code := mine.run(t.Context(), nil, &out, &errb); code != StatusError || !strings.HasPrefix(errb.String(), "usage: mine <command>") {
		t.Errorf("no command: exit %d, stderr %q; want 2 and the usage", code, errb.String())
	}
	for _, absent := range []string{"reproduce", "builtin scenarios", "four causes", "Next.js"} {
		if strings.Contains(errb.String(), absent) {
			t.Errorf("the usage of a harness program mentions %q:\n%s", absent, errb.String())
		}
	}
	errb.Reset()
	if code := mine.run(t.Context(), []string{"reproduce"}, &out, &errb); code != StatusError || !strings.Contains(errb.String(), `mine: unknown command "reproduce"`) {
		t.Errorf("reproduce: exit %d, stderr %q; want unknown command", code, errb.String())
	}
	errb.Reset()
	if code := mine.run(t.Context(), []string{"run", "--bogus"}, &out, &errb); code != StatusError || !strings.HasPrefix(errb.String(), "mine run: flag provided but not defined: -bogus") ||
		!strings.Contains(errb.String(), "usage: mine run [flags]") || strings.Contains(errb.String(), "bench run") {
		t.Errorf("a bad flag: exit %d, stderr %q; want the error and the help under the name mine", code, errb.String())
	}
	errb.Reset()
	if code := mine.run(t.Context(), []string{"run"}, &out, &errb); code != StatusError || !strings.Contains(errb.String(), "mine run: name the scenarios to run") {
		t.Errorf("run without names nor shipped scenarios: exit %d, stderr %q", code, errb.String())
	}

}

// TestHelp_ExamplesNameTheProgramsScenarios: examples name the program's
// gate scenarios; an example naming one the program lacks goes, with its
// comment, and no token is ever shown.
func TestHelp_ExamplesNameTheProgramsScenarios(t *testing.T) {
	h := help{examples: []string{
		"# both", "bench compare {stable} {leaky}",
		"# one", "bench gate {stable} --runs 1",
		"# none", "bench gate",
		"bench compare --merge a b",
	}}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"quick-fixed", "quick-leaky"}, "# both|bench compare quick-fixed quick-leaky|# one|bench gate quick-fixed --runs 1|# none|bench gate|bench compare --merge a b"},
		{[]string{"filler"}, "# one|bench gate filler --runs 1|# none|bench gate|bench compare --merge a b"},
		{nil, "# none|bench gate|bench compare --merge a b"},
	} {
		if got := strings.Join(h.withScenarios(tc.names).examples, "|"); got != tc.want {
			t.Errorf("%v: examples %q, want %q", tc.names, got, tc.want)
		}
	}
	for _, hh := range []help{runHelp, reportHelp, gateHelp(), compareHelp(nil), compareHelp(testProgram.Factorial)} {
		for _, e := range hh.withScenarios([]string{"only"}).examples {
			if strings.Contains(e, "{") {
				t.Errorf("example %q shows a token", e)
			}
		}
	}
}
