package casestudy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/cli"
	"github.com/leakbench/leakbench/internal/runner"
)

// TestMain lets the test binary serve as bench's child process: runner
// starts os.Executable() with the child subcommand, which during tests is
// this binary, running bench.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == runner.ChildCommand {
		os.Exit(cli.RunProgram(context.Background(), Program(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// bench runs bench's command line in process.
func bench(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.RunProgram(t.Context(), Program(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestReproduce_Help: reproduce is bench's default command, in its usage
// and with its own help and examples; its bad usage is an error naming it.
func TestReproduce_Help(t *testing.T) {
	code, out, _ := bench(t, "help")
	if code != cli.StatusOK || !strings.Contains(out, "reproduce  run the four published stages") || !strings.Contains(out, "With no command it runs reproduce.") {
		t.Errorf("bench help: exit %d, no reproduce in %q", code, out)
	}
	code, out, errOut := bench(t, "reproduce", "--help")
	if code != cli.StatusOK || errOut != "" || !strings.HasPrefix(out, "usage: bench reproduce") {
		t.Errorf("bench reproduce --help: exit %d, stderr %q, stdout %q", code, errOut, out)
	}
	for _, e := range reproduceHelp.Examples {
		if !strings.Contains(out, e) {
			t.Errorf("bench reproduce --help: example %q missing", e)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"reproduce", "extra"}, "bench reproduce: unexpected arguments"},
		{[]string{"reproduce", "--runs", "0"}, "--runs 0: want at least 1"},
		{[]string{"--runs", "0"}, "bench reproduce: --runs 0: want at least 1"}, // flags alone: the default command's
		{[]string{"reproduce", "--rounds", "-1"}, "--rounds -1"},
	} {
		code, _, errOut := bench(t, tc.args...)
		if code != cli.StatusError || !strings.Contains(errOut, tc.want) {
			t.Errorf("bench %s: exit %d, stderr %q; want %d and %q", strings.Join(tc.args, " "), code, errOut, cli.StatusError, tc.want)
		}
	}
}

// TestDoc_MentionsReproduce keeps the package documentation and
// reproduce's --help together: every example appears in both.
func TestDoc_MentionsReproduce(t *testing.T) {
	doc, err := os.ReadFile("casestudy.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range reproduceHelp.Examples {
		if !bytes.Contains(doc, []byte("//\t"+e+"\n")) {
			t.Errorf("casestudy.go lacks the example of reproduce: %q", e)
		}
	}
}

// TestList: bench list shows the builtin scenarios, the published stages
// first, with the builtin engine's switches as columns of their own.
func TestList(t *testing.T) {
	code, out, errOut := bench(t, "list")
	if code != cli.StatusOK || errOut != "" {
		t.Fatalf("bench list: exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if got := strings.Fields(lines[0]); strings.Join(got, " ") != "NAME WORKLOAD TARGET TOPOLOGY LIFETIME VIEWS LISTENERS FIELD IDLE_GC WORKERS ROUNDS IDLE EXPECT DESCRIPTION" {
		t.Errorf("header = %q", lines[0])
	}
	all, err := Program().Catalog().All()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(all)+1 {
		t.Fatalf("%d lines for %d builtin scenarios:\n%s", len(lines), len(all), out)
	}
	for i, name := range []string{"before", "fix1", "fix1+2", "fixed"} {
		if all[i].Name != name {
			t.Errorf("scenario %d is %s, want %s: the published stages first", i, all[i].Name, name)
		}
	}
	for i, sc := range all {
		f := strings.Fields(lines[i+1])
		var want []string
		if len(sc.Exec) > 0 {
			want = []string{sc.Name, sc.Workload, "exec", filepath.Base(sc.Exec[0]), "-", "-", "-", "-", "-", "-"}
		} else {
			_, cols := opts(sc).ListColumns()
			want = append([]string{sc.Name, sc.Workload, sc.Target}, strings.Fields(strings.Join(cols, " "))...)
		}
		if len(f) < len(want) || strings.Join(f[:len(want)], " ") != strings.Join(want, " ") {
			t.Errorf("line %d = %q, want it to start with %q", i+1, lines[i+1], want)
		}
	}
}

// TestReport_RepeatedStages: a folder holding each published stage twice
// (bench reproduce --runs 2) is a reproduction: its grid shows one run per
// stage and its table medians of two.
func TestReport_RepeatedStages(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes")
	dir := t.TempDir()
	var files []string
	for _, preset := range []string{"before", "fix1", "fix1+2", "fixed"} {
		p := filepath.Join(dir, strings.ReplaceAll(preset, "+", "-")+".yaml")
		y := "name: " + preset + "\nworkload: tiny\npreset: " + preset + "\nworkers: 1\nrounds: 1\nin_flight: 2\nidle: 100ms\ninterval: 20ms\n"
		if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	out := filepath.Join(dir, "out")
	if code, stdout, stderr := bench(t, append([]string{"run", "--quiet", "--out", out}, append(files, files...)...)...); code != cli.StatusOK {
		t.Fatalf("bench run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr := bench(t, "report", out)
	if code != cli.StatusOK {
		t.Fatalf("bench report: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "grid.png")); err != nil {
		t.Errorf("no grid of the repeated stages: %v", err)
	}
	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Reproduction of the published memory graphs", "fixed (median of 2)", "before (median of 2)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
}
