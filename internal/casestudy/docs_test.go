package casestudy

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/cli"
)

// updateCLIDoc regenerates docs/cli.md's help section from the commands'
// --help: go test ./internal/casestudy -run TestCLIDoc_MatchesHelp -update.
var updateCLIDoc = flag.Bool("update", false, "rewrite the generated help section of docs/cli.md")

// cliDocPath is the command reference; its help section is generated.
const cliDocPath = "../../docs/cli.md"

// The markers around the generated section of docs/cli.md.
const (
	cliDocBegin = "<!-- generated from --help by: go test ./internal/casestudy -run TestCLIDoc_MatchesHelp -update -->\n"
	cliDocEnd   = "<!-- end of the generated help -->\n"
)

// helpSection renders "bench help" and every visible command's --help,
// as the reference shows them.
func helpSection(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	section := func(title string, args ...string) {
		code, out, errOut := bench(t, args...)
		if code != cli.StatusOK || errOut != "" {
			t.Fatalf("bench %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
		}
		b.WriteString("\n### " + title + "\n\n```\n" + strings.TrimRight(out, "\n") + "\n```\n")
	}
	section("bench help", "help")
	for _, name := range commands(t) {
		section("bench "+name, name, "--help")
	}
	return b.String() + "\n"
}

// commands returns the commands "bench help" lists, in its order: the
// lines under "commands:" up to the blank line.
func commands(t *testing.T) []string {
	t.Helper()
	_, out, _ := bench(t, "help")
	_, list, ok := strings.Cut(out, "\ncommands:\n")
	if !ok {
		t.Fatalf("bench help lists no commands:\n%s", out)
	}
	list, _, _ = strings.Cut(list, "\n\n")
	var names []string
	for line := range strings.Lines(list) {
		names = append(names, strings.Fields(line)[0])
	}
	return names
}

// TestCLIDoc_MatchesHelp keeps the command reference, docs/cli.md, equal to
// what the commands print for --help: the section between its markers is
// generated, and a help text changed without regenerating fails here.
func TestCLIDoc_MatchesHelp(t *testing.T) {
	doc, err := os.ReadFile(cliDocPath)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := bytes.Cut(doc, []byte(cliDocBegin))
	generated, after, ok2 := bytes.Cut(rest, []byte(cliDocEnd))
	if !ok || !ok2 {
		t.Fatalf("%s lacks the markers %q and %q around its generated help", cliDocPath, cliDocBegin, cliDocEnd)
	}
	want := helpSection(t)
	if string(generated) == want {
		return
	}
	if *updateCLIDoc {
		out := append(append(append(append(before, cliDocBegin...), want...), cliDocEnd...), after...)
		if err := os.WriteFile(cliDocPath, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's help section differs from the commands' --help, first at %s; regenerate it: go test ./internal/casestudy -run TestCLIDoc_MatchesHelp -update", cliDocPath, firstDifference(string(generated), want))
}

// firstDifference names the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d of the section: %q, --help says %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("the section has %d lines, --help %d", len(g), len(w))
}
