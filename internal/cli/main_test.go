package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/scenarios"
	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
)

// TestMain lets the test binary serve as bench's child process: runner
// starts os.Executable() with the child subcommand, which during tests is
// this binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == childCommand {
		os.Exit(testCLI.run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	// The parallel tests mostly wait for child processes (their idle and
	// settle phases, the gates' runs one after another), not for this
	// process's CPU: unless -test.parallel says otherwise, four run at
	// once, not GOMAXPROCS.
	flag.Parse()
	if !flagGiven("test.parallel") {
		flag.Set("test.parallel", "4")
	}
	code := m.Run()
	benchBuilds.Remove()
	os.Exit(code)
}

// flagGiven reports whether the command line set the flag.
func flagGiven(name string) (given bool) {
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// testProgram is bench's command line for these tests: the builtin
// target as the default one, the scenarios that ship with bench, its
// run's and gate's scenarios and the factorial of the four causes; not
// the case study's reproduce and reproduction (package casestudy, which
// imports this package, tests bench whole).
var testProgram = Program{
	Name:          "bench",
	Targets:       factory.Targets{builtin.Name: builtin.Factory()},
	DefaultTarget: builtin.Name,
	Scenarios:     scenarios.FS,
	ScenarioOrder: builtin.PresetNames(),
	Run:           []string{"quick-fixed"},
	Gate:          []string{"quick-fixed", "quick-leaky"},
	Factorial: &Factorial{Of: "the four causes", Switches: builtin.Causes(), Base: "quick-fixed", Workers: 15,
		WorkersKey: "topology", WorkersLevel: "per-worker"},
}

// testCLI is testProgram's command line.
var testCLI = newCLI(testProgram)

// withBuiltin returns sc with its builtin settings changed by set.
func withBuiltin(t *testing.T, sc scenario.Scenario, set func(*builtin.Options)) scenario.Scenario {
	t.Helper()
	o := sc.Settings.(builtin.Options)
	set(&o)
	sc, err := testCLI.catalog.With(sc, o)
	if err != nil {
		t.Error(err)
	}
	return sc
}

// bench runs the command line in process.
func bench(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = testCLI.run(t.Context(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// helps returns the help of every visible subcommand.
func helps() map[string]help {
	return map[string]help{
		"run":     runHelp.defaults("{run}", testProgram.Run).withScenarios(testProgram.Gate),
		"list":    listHelp,
		"report":  reportHelp.withScenarios(testProgram.Gate),
		"gate":    gateHelp().defaults("{gate}", testProgram.Gate).withScenarios(testProgram.Gate),
		"compare": compareHelp(testProgram.Factorial).withScenarios(testProgram.Gate),
		"version": versionHelp,
	}
}

func TestHelp_EveryCommand(t *testing.T) {
	hs := helps()
	for _, c := range testCLI.commands() {
		if c.hidden {
			continue
		}
		h, ok := hs[c.name]
		if !ok {
			t.Errorf("command %s has no help in this test", c.name)
			continue
		}
		for _, flag := range []string{"--help", "-h"} {
			code, out, errOut := bench(t, c.name, flag)
			if code != StatusOK || errOut != "" {
				t.Errorf("bench %s %s: exit %d, stderr %q; want 0 and nothing", c.name, flag, code, errOut)
			}
			if !strings.HasPrefix(out, "usage: bench "+c.name) {
				t.Errorf("bench %s %s: output does not start with its usage:\n%s", c.name, flag, out)
			}
			if len(h.examples) == 0 || !strings.Contains(out, "\nexamples:\n") {
				t.Errorf("bench %s %s: no examples", c.name, flag)
			}
			for _, e := range h.examples {
				if !strings.Contains(out, e) {
					t.Errorf("bench %s %s: example %q missing", c.name, flag, e)
				}
			}
		}
	}
}

// TestDoc_MentionsExamples keeps doc.go and the --help texts together:
// every example of every subcommand appears in the package documentation.
func TestDoc_MentionsExamples(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for name, h := range helps() {
		if !bytes.Contains(doc, []byte("\n// "+name+" ")) {
			t.Errorf("doc.go does not describe the %s command", name)
		}
		for _, e := range h.examples {
			if !bytes.Contains(doc, []byte("//\t"+e+"\n")) {
				t.Errorf("doc.go lacks the example of %s: %q", name, e)
			}
		}
	}
}

func TestUsage(t *testing.T) {
	code, out, _ := bench(t, "help")
	if code != StatusOK {
		t.Fatalf("bench help: exit %d", code)
	}
	for _, c := range testCLI.commands() {
		if got := strings.Contains(out, "\n  "+c.name+" "); got == c.hidden {
			t.Errorf("bench help lists %s: %v, want %v", c.name, got, !c.hidden)
		}
	}
	if code, out, _ := bench(t, "help", "list"); code != StatusOK || !strings.HasPrefix(out, "usage: bench list") {
		t.Errorf("bench help list: exit %d, %q", code, out)
	}
}

func TestUnknownCommand(t *testing.T) {
	code, out, errOut := bench(t, "frobnicate")
	if code != StatusError || out != "" {
		t.Errorf("exit %d, stdout %q; want %d and nothing", code, out, StatusError)
	}
	if !strings.Contains(errOut, `unknown command "frobnicate"`) || !strings.Contains(errOut, "usage: bench") {
		t.Errorf("stderr does not name the command and show usage:\n%s", errOut)
	}
}

func TestBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"run", "--rounds", "-1"}, "--rounds -1"},
		{[]string{"run", "--images", "/no/such/dir"}, "--images"},
		{[]string{"list", "extra"}, "unexpected arguments"},
		{[]string{"report"}, "no RESULTS_DIR"},
		{[]string{"report", "/no/such/dir"}, "/no/such/dir"},
	}
	for _, tc := range tests {
		code, _, errOut := bench(t, tc.args...)
		if code != StatusError || !strings.Contains(errOut, tc.want) {
			t.Errorf("bench %s: exit %d, stderr %q; want %d and %q", strings.Join(tc.args, " "), code, errOut, StatusError, tc.want)
		}
	}
}

func TestRun_BadScenario(t *testing.T) {
	dir := t.TempDir()
	bad := writeScenario(t, dir, "bad.yaml", "name: bad\nworkload: tiny\npreset: fixed\nrounds: lots\n")
	code, _, errOut := bench(t, "run", "--out", filepath.Join(dir, "out"), bad)
	if code != StatusError || !strings.Contains(errOut, "bad.yaml:4") || !strings.Contains(errOut, "rounds") {
		t.Errorf("exit %d, stderr %q; want %d and the parse error at bad.yaml:4 naming rounds", code, errOut, StatusError)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Errorf("an invalid scenario still created the output folder")
	}
	code, _, errOut = bench(t, "run", "no-such-scenario")
	if code != StatusError || !strings.Contains(errOut, "no-such-scenario") {
		t.Errorf("unknown scenario: exit %d, stderr %q", code, errOut)
	}
}

// TestRun_EndToEnd runs two tiny scenarios through real child processes
// (this test binary, see TestMain): one whose limits hold and one whose
// limit can't hold, and checks the verdicts, the exit status and the files.
func TestRun_EndToEnd(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes")
	dir := t.TempDir()
	write := func(name, limit string) string {
		return writeScenario(t, dir, name+".yaml", "name: "+name+"\nworkload: tiny\npreset: fixed\nworkers: 1\nrounds: 2\nin_flight: 2\nidle: 100ms\ninterval: 20ms\nlimits:\n  - "+limit+"\n")
	}
	ok := write("tiny-ok", "instances_peak <= 6")
	fail := write("tiny-fail", "peak < 1MB") // decimal: the verdict shows the peak in MB too
	out := filepath.Join(dir, "out")
	code, stdout, stderr := bench(t, "run", "--out", out, ok, fail)
	t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	if code != StatusFailed {
		t.Errorf("exit %d, want %d (one limit violated)", code, StatusFailed)
	}
	for _, want := range []string{
		"tiny-ok · fixed (pipeline, fresh, views cleared, listeners removed): completed",
		"ok tiny-ok: expect stable, 1 limit(s) hold",
		`FAIL tiny-fail: limit "peak < 1MB" violated: peak = `,
		"results in " + out,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if !regexp.MustCompile(`limit "peak < 1MB" violated: peak = \d+\.\dMB\n`).MatchString(stdout) {
		t.Errorf("the violated limit's value is not in MB, the unit the limit was written in")
	}
	// Not a terminal: plain key=value progress lines on stderr.
	if !strings.Contains(stderr, "scenario=tiny-ok phase=load requests=0/") || !strings.Contains(stderr, "scenario=tiny-fail outcome=completed") {
		t.Errorf("stderr lacks the plain progress lines")
	}
	for _, f := range []string{
		"summary.md", "index.md", "overlay.png",
		"tiny-ok/" + results.SummaryFile, "tiny-ok/" + results.SamplesCSV, "tiny-ok/" + results.SamplesJSON,
		"tiny-ok/" + results.EventsJSON, "tiny-ok/" + runner.ChildLog, "tiny-ok/rss.png", "tiny-fail/rss.svg",
	} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}

	// The same --out again never overwrites: it goes to out-2.
	code, stdout, _ = bench(t, "run", "--quiet", "--out", out, ok)
	if code != StatusOK || !strings.Contains(stdout, "results in "+out+"-2") {
		t.Errorf("second run into the same --out: exit %d, stdout:\n%s", code, stdout)
	}

	// report redraws from the saved runs.
	code, stdout, stderr = bench(t, "report", out)
	if code != StatusOK || !strings.Contains(stdout, "2 run(s); reports in "+out) {
		t.Errorf("bench report: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestInvocationDir(t *testing.T) {
	root := t.TempDir()
	now := time.Date(2026, 11, 25, 8, 2, 3, 0, time.UTC)
	t.Chdir(root)
	first, err := invocationDir("", "run", now)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("reports", "20261125T080203Z-run"); first != want {
		t.Errorf("first = %q, want %q", first, want)
	}
	second, err := invocationDir("", "run", now)
	if err != nil || second != first+"-2" {
		t.Errorf("second = %q, %v; want %q", second, err, first+"-2")
	}
	third, err := invocationDir(first, "ignored", now)
	if err != nil || third != first+"-3" {
		t.Errorf("third = %q, %v; want %q", third, err, first+"-3")
	}
}

func TestProgressPrinter_Plain(t *testing.T) {
	var b bytes.Buffer
	p := newProgressPrinter(&b)
	steps := []runner.Progress{
		{Scenario: "s", Phase: results.PhaseStartup, RSS: 10 << 20},
		{Scenario: "s", Phase: results.PhaseLoad, Total: 8, RSS: 20 << 20, Elapsed: time.Second},
		{Scenario: "s", Phase: results.PhaseLoad, Total: 8, RSS: 25 << 20, Elapsed: 1500 * time.Millisecond},      // same phase, no request done: no line
		{Scenario: "s", Phase: results.PhaseLoad, Requests: 4, Total: 8, RSS: 30 << 20, Elapsed: 2 * time.Second}, // requests completed: a line
		{Scenario: "s", Phase: results.PhaseIdle, Requests: 8, Total: 8, RSS: 30 << 20, Elapsed: 2500 * time.Millisecond},
		{Scenario: "s", Phase: results.PhaseIdle, Requests: 8, Total: 8, RSS: 20 << 20, Elapsed: 2700 * time.Millisecond}, // idle, nothing new: no line
		{Scenario: "s", Phase: results.PhaseDone, Requests: 8, Total: 8, RSS: 5 << 20, Elapsed: 3 * time.Second, Done: true, Outcome: results.OutcomeCompleted},
	}
	for _, s := range steps {
		p.update(s)
	}
	want := "scenario=s phase=startup requests=0 rss_mib=10.0 elapsed_s=0.0\n" +
		"scenario=s phase=load requests=0/8 rss_mib=20.0 elapsed_s=1.0\n" +
		"scenario=s phase=load requests=4/8 rss_mib=30.0 elapsed_s=2.0\n" +
		"scenario=s phase=idle requests=8/8 rss_mib=30.0 elapsed_s=2.5\n" +
		"scenario=s outcome=completed requests=8/8 rss_mib=5.0 elapsed_s=3.0\n"
	if b.String() != want {
		t.Errorf("progress:\n%s\nwant:\n%s", b.String(), want)
	}
}
