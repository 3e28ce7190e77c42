package cli

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
)

// fakeFigures are the figures a fake run reports, in MiB and MiB/round.
type fakeFigures struct {
	peak, retained, settled, slope float64
	instances                      int
	outcome                        results.Outcome
}

// fakeGate is a gateCmd whose runs are fabricated from figures per
// scenario, so the command's logic is tested without child processes.
type fakeGate struct {
	figures map[string]fakeFigures
	runs    int
	plotted []string
	summary string // path of the fake $GITHUB_STEP_SUMMARY
}

func (f *fakeGate) cmd(stdout, stderr *bytes.Buffer) gateCmd {
	clock := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	return gateCmd{
		find:     testCLI.find,
		defaults: testCLI.gate,
		stdout:   stdout,
		stderr:   stderr,
		run: func(_ context.Context, sc scenario.Scenario, opts runner.Options) (results.Run, error) {
			f.runs++
			fig, ok := f.figures[sc.Name]
			if !ok {
				return results.Run{}, fmt.Errorf("fake: no figures for %s", sc.Name)
			}
			jitter := 1 + 0.01*float64(f.runs%3)
			leak := float64(sc.InjectLeak) * 48 / results.MiB // the injected leak, all of it retained
			out := fig.outcome
			if out == "" {
				out = results.OutcomeCompleted
			}
			return results.Run{Dir: opts.OutDir, Summary: results.Summary{
				Scenario:   sc.Name,
				Workload:   sc.Workload,
				Strategy:   sc.ResultsStrategy(),
				Rounds:     max(sc.Rounds, 1),
				Env:        results.Env{GoVersion: "go1.26.8", WazeroVersion: "v1.12.0", GOOS: "linux", GOARCH: "amd64", CPUs: 2},
				Outcome:    out,
				Peak:       uint64((fig.peak*jitter + leak) * results.MiB),
				EndOfLoad:  uint64(fig.peak * 0.9 * results.MiB),
				Retained:   int64((fig.retained*jitter + leak) * results.MiB),
				Settled:    int64((fig.settled*jitter + leak) * results.MiB),
				Slope:      results.Slope{MiBPerRound: fig.slope * jitter, Rounds: sc.Rounds},
				Instances:  results.Instances{PeakLive: fig.instances},
				Requests:   48,
				Throughput: 4,
			}}, nil
		},
		now:    func() time.Time { clock = clock.Add(time.Second); return clock },
		getenv: func(k string) string { return map[string]string{"GITHUB_STEP_SUMMARY": f.summary}[k] },
		plot: func(r report.Run, base string) error {
			f.plotted = append(f.plotted, r.Dir)
			return nil
		},
	}
}

var (
	fixedFigures = fakeFigures{peak: 300, retained: 20, settled: 8, slope: 0.2, instances: 6}
	leakyFigures = fakeFigures{peak: 700, retained: 400, settled: 380, slope: 90, instances: 6}
)

// quickGate returns a fake gate of the quick scenarios (quick-fixed, and
// quick-leaky the control), the baseline file it is to write in dir, and
// the arguments that name that baseline and an out folder in dir.
func quickGate(dir string) (f *fakeGate, baseline string, args []string) {
	baseline = filepath.Join(dir, "baseline.json")
	f = &fakeGate{figures: map[string]fakeFigures{"quick-fixed": fixedFigures, "quick-leaky": leakyFigures}}
	return f, baseline, []string{"--baseline", baseline, "--out", filepath.Join(dir, "out")}
}

func TestGate_UpdateThenPassThenRegression(t *testing.T) {
	dir := t.TempDir()
	f, baseline, args := quickGate(dir)
	f.summary = filepath.Join(dir, "step-summary.md")
	var stdout, stderr bytes.Buffer

	if code := f.cmd(&stdout, &stderr).main(t.Context(), append(args, "--update-baseline")); code != 0 {
		t.Fatalf("update: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if f.runs != 6 {
		t.Fatalf("update ran %d runs, want 2 scenarios × 3", f.runs)
	}
	b, err := gate.Load(baseline)
	if err != nil {
		t.Fatalf("the written baseline does not load: %v", err)
	}
	if got := b.Names(); len(got) != 2 || got[0] != "quick-fixed" || got[1] != "quick-leaky" {
		t.Fatalf("baseline scenarios %v", got)
	}
	if !strings.Contains(stdout.String(), "baseline updated: wrote "+baseline) {
		t.Fatalf("stdout lacks the update note:\n%s", stdout.String())
	}

	// Unchanged code passes, with a JUnit file and a job summary.
	stdout.Reset()
	junit := filepath.Join(dir, "junit", "gate.xml")
	if code := f.cmd(&stdout, &stderr).main(t.Context(), append(args, "--junit", junit)); code != 0 {
		t.Fatalf("unchanged: exit %d\n%s", code, stdout.String())
	}
	if !strings.Contains(stdout.String(), "memory gate: PASS") {
		t.Fatalf("stdout:\n%s", stdout.String())
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, new(struct{})); err != nil {
		t.Fatalf("JUnit XML malformed: %v", err)
	}
	md, err := os.ReadFile(f.summary)
	if err != nil || !strings.Contains(string(md), "Memory gate: PASS") {
		t.Fatalf("job summary: %v\n%s", err, md)
	}

	// Listeners flipped to leaked in the fixed scenario: exit 1, plots.
	flipped := fixedFigures
	flipped.retained, flipped.settled, flipped.slope = 380, 360, 85
	f.figures["quick-fixed"] = flipped
	stdout.Reset()
	if code := f.cmd(&stdout, &stderr).main(t.Context(), append(args, "quick-fixed", "quick-leaky")); code != 1 {
		t.Fatalf("flipped: exit %d, want 1\n%s", code, stdout.String())
	}
	for _, want := range []string{"memory gate: REGRESSION (exit 1)", "quick-fixed: retained: 20.", "exceeds both thresholds", "settled < 64MiB"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if len(f.plotted) != 3 || !strings.Contains(f.plotted[0], "quick-fixed-1") {
		t.Fatalf("plotted %v, want the 3 runs of quick-fixed", f.plotted)
	}

	// The control that stopped leaking fails too, with exit 1.
	f.figures["quick-fixed"] = fixedFigures
	f.figures["quick-leaky"] = fixedFigures
	stdout.Reset()
	if code := f.cmd(&stdout, &stderr).main(t.Context(), args); code != 1 {
		t.Fatalf("blind control: exit %d, want 1\n%s", code, stdout.String())
	}
	if !strings.Contains(stdout.String(), "the leaky control quick-leaky no longer leaks") {
		t.Fatalf("stdout:\n%s", stdout.String())
	}
	// And --update-baseline refuses to record it.
	before, _ := os.ReadFile(baseline)
	if code := f.cmd(&stdout, &stderr).main(t.Context(), append(args, "--update-baseline")); code != 1 {
		t.Fatalf("update with a blind control: exit %d, want 1", code)
	}
	if after, _ := os.ReadFile(baseline); !bytes.Equal(before, after) {
		t.Fatal("the baseline was overwritten although the control did not leak")
	}
}

func TestGate_Errors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	if err := os.WriteFile(corrupt, []byte(`{"schema": 1, "scenarios": {`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"corrupt baseline", []string{"--baseline", corrupt}, "corrupt JSON"},
		{"missing baseline", []string{"--baseline", filepath.Join(dir, "none.json")}, "--update-baseline"},
		{"runs 0", []string{"--runs", "0"}, "--runs must be at least 1"},
		{"bad flag", []string{"--rnus", "3"}, "flag provided but not defined"},
		{"unknown scenario", []string{"no-such-scenario"}, "unknown scenario"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"--out", filepath.Join(dir, "out")}, tc.args...)
			if code := testCLI.doGate(t.Context(), args, &stdout, &stderr); code != 2 {
				t.Fatalf("exit %d, want 2\nstderr:\n%s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("stderr lacks %q:\n%s", tc.want, stderr.String())
			}
		})
	}
}

func TestGate_CrashedRunAndMissingScenario(t *testing.T) {
	dir := t.TempDir()
	f, baseline, args := quickGate(dir)
	args = slices.Clip(append(args, "--runs", "1"))
	var stdout, stderr bytes.Buffer
	if code := f.cmd(&stdout, &stderr).main(t.Context(), append(args, "--update-baseline", "quick-fixed")); code != 0 {
		t.Fatalf("update: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	// quick-leaky is not in the baseline: exit 2 before the first run,
	// with a hint that repeats the command as typed.
	stdout.Reset()
	ran := f.runs
	if code := f.cmd(&stdout, &stderr).main(t.Context(), args); code != 2 || f.runs != ran {
		t.Fatalf("missing scenario: exit %d after %d run(s), want 2 before any\n%s", code, f.runs-ran, stdout.String())
	}
	hint := "add it with `bench gate --baseline " + baseline + " --out " + filepath.Join(dir, "out") + " --runs 1 --update-baseline`"
	if !strings.Contains(stderr.String(), "scenario quick-leaky is missing from "+baseline) || !strings.Contains(stderr.String(), hint) {
		t.Fatalf("stderr lacks the refusal and the hint %q:\n%s", hint, stderr.String())
	}
	// A crashed run: exit 2.
	crashed := fixedFigures
	crashed.outcome = results.OutcomeCrashed
	f.figures["quick-fixed"] = crashed
	stdout.Reset()
	if code := f.cmd(&stdout, &stderr).main(t.Context(), append(args, "quick-fixed")); code != 2 {
		t.Fatalf("crashed run: exit %d, want 2\n%s", code, stdout.String())
	}
}

func TestGate_Help(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := testCLI.doGate(t.Context(), []string{"--help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	for _, want := range []string{"usage: bench gate", "Exit status:", "--update-baseline", "bench gate --runs 5 --junit reports/gate.xml"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestGate_EndToEnd runs the real gate on the tiny workload: a stable and a
// leaky scenario, one run each, through real child processes of a freshly
// built bench binary (built once for all the tests, builtBench).
func TestGate_EndToEnd(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes; skipped with -short")
	dir := t.TempDir()
	bin := builtBench(t, "")
	paths := writeScenarios(t, dir,
		"tiny-fixed.yaml", "name: tiny-fixed\nworkload: tiny\npreset: fixed\nrounds: 3\nidle: 300ms\ninterval: 20ms\nexpect: stable\n",
		"tiny-leaky.yaml", "name: tiny-leaky\nworkload: tiny\npreset: fixed\nlisteners: leaked\nrounds: 3\nidle: 300ms\ninterval: 20ms\nexpect: leak\n")
	var stdout, stderr bytes.Buffer
	g := gateCmd{
		find:     testCLI.find,
		defaults: testCLI.gate,
		stdout:   &stdout,
		stderr:   &stderr,
		run: func(ctx context.Context, sc scenario.Scenario, opts runner.Options) (results.Run, error) {
			opts.Command = []string{bin, runner.ChildCommand}
			return runner.Run(ctx, sc, opts)
		},
		now:    time.Now,
		getenv: func(string) string { return "" },
	}
	baseline := filepath.Join(dir, "baseline.json")
	args := append([]string{"--baseline", baseline, "--out", filepath.Join(dir, "out"), "--runs", "1"}, paths...)
	code := g.main(t.Context(), append(args, "--update-baseline"))
	t.Logf("update-baseline: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	if code == 2 {
		t.Fatalf("the real gate could not measure")
	}
	// The tiny control's leak (about 9 MiB settled) is below the margins
	// tuned for the quick scenarios, so update may refuse with exit 1; what
	// must hold is that the gate ran real children end to end and judged
	// real numbers.
	if !strings.Contains(stdout.String(), "tiny-fixed: PASS") || strings.Contains(stdout.String(), "peak                  —          0.0MiB") {
		t.Fatalf("no real judgement of tiny-fixed:\n%s", stdout.String())
	}
	b, err := gate.Load(baseline)
	if code == 0 && err != nil {
		t.Fatalf("exit 0 but no loadable baseline: %v", err)
	}
	if code == 0 {
		stdout.Reset()
		stderr.Reset()
		code = g.main(t.Context(), args)
		t.Logf("gate: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
		if code == 2 {
			t.Fatalf("gate on unchanged code: exit 2")
		}
		if len(b.Scenarios) != 2 {
			t.Fatalf("baseline has %d scenarios", len(b.Scenarios))
		}
	}
}

// fakeMeasurement is three completed runs of a scenario with figures (MiB,
// MiB/round), built without the command.
func fakeMeasurement(name string, expect metric.Expect, fig fakeFigures) gate.Measurement {
	m := gate.Measurement{Scenario: name, Expect: expect}
	for i := range 3 {
		j := 1 + 0.01*float64(i)
		out := fig.outcome
		if out == "" {
			out = results.OutcomeCompleted
		}
		m.Runs = append(m.Runs, results.Summary{
			Scenario: name, Workload: "quick", Rounds: 4, Outcome: out, Requests: 48, Throughput: 4,
			Env:       results.Env{GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", CPUs: 2},
			Peak:      uint64(fig.peak * j * results.MiB),
			EndOfLoad: uint64(fig.peak * 0.9 * results.MiB),
			Retained:  int64(fig.retained * j * results.MiB),
			Settled:   int64(fig.settled * j * results.MiB),
			Slope:     results.Slope{MiBPerRound: fig.slope * j, Rounds: 4},
			Instances: results.Instances{PeakLive: fig.instances},
		})
	}
	return m
}

func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	fixed := fakeMeasurement("quick-fixed", metric.ExpectStable, fixedFigures)
	leaky := fakeMeasurement("quick-leaky", metric.ExpectLeak, leakyFigures)
	old, err := gate.NewBaseline(now, results.Env{}, []gate.Measurement{fixed, leaky, fakeMeasurement("gone", metric.ExpectStable, fixedFigures)})
	if err != nil {
		t.Fatal(err)
	}
	warnings := func(d gateDecision) string { return strings.Join(d.report.Warnings, "\n") }

	// Unchanged figures pass; the measured baseline is offered, not written.
	d := decide(old, []gate.Measurement{fixed, leaky}, gateFlags{Baseline: "b.json"}, now)
	if d.status != StatusOK || d.update || d.measured == nil || !d.measured.Created.Equal(now) {
		t.Fatalf("pass: status %d update %v measured %v", d.status, d.update, d.measured)
	}

	// Updating a passing gate writes the baseline and names what it drops.
	d = decide(old, []gate.Measurement{fixed, leaky}, gateFlags{Baseline: "b.json", Update: true}, now)
	if d.status != StatusOK || !d.update || len(d.dropped) != 1 || d.dropped[0] != "gone" {
		t.Fatalf("update: status %d update %v dropped %v", d.status, d.update, d.dropped)
	}

	// A blind control is a regression, and no update.
	blind := fakeMeasurement("quick-leaky", metric.ExpectLeak, fixedFigures)
	d = decide(old, []gate.Measurement{fixed, blind}, gateFlags{Baseline: "b.json", Update: true}, now)
	if d.status != StatusFailed || d.update || !strings.Contains(warnings(d), "baseline NOT updated: fix the failures first") {
		t.Fatalf("blind control: status %d update %v\n%s", d.status, d.update, warnings(d))
	}

	// A control killed at its RSS cap passes the gate but cannot be a
	// baseline: an error, and no update.
	capped := leakyFigures
	capped.outcome = results.OutcomeRSSCap
	d = decide(nil, []gate.Measurement{fixed, fakeMeasurement("quick-leaky", metric.ExpectLeak, capped)}, gateFlags{Baseline: "b.json", Update: true}, now)
	if d.status != StatusError || d.update || d.measured != nil || !strings.Contains(warnings(d), "baseline NOT updated: gate: scenario quick-leaky: run 1 ended") {
		t.Fatalf("capped control: status %d update %v\n%s", d.status, d.update, warnings(d))
	}

	// A regression of the stable scenario fails without touching anything.
	flipped := fixedFigures
	flipped.retained, flipped.settled = 380, 360
	d = decide(old, []gate.Measurement{fakeMeasurement("quick-fixed", metric.ExpectStable, flipped), leaky}, gateFlags{Baseline: "b.json"}, now)
	if d.status != StatusFailed || d.update {
		t.Fatalf("regression: status %d update %v", d.status, d.update)
	}

	// No baseline at all is an error unless updating.
	if d := decide(nil, []gate.Measurement{fixed, leaky}, gateFlags{Baseline: "b.json"}, now); d.status != StatusError {
		t.Fatalf("no baseline: status %d", d.status)
	}
}

func TestVerdictStatus(t *testing.T) {
	for v, want := range map[gate.Verdict]int{gate.Pass: StatusOK, gate.Regression: StatusFailed, gate.Error: StatusError} {
		if got := verdictStatus(v); got != want {
			t.Errorf("verdictStatus(%v) = %d, want %d", v, got, want)
		}
	}
}

// TestVerdict_LeakRule checks bench run's verdict on a scenario that
// expects a leak: the gate's rule, with no stable scenario beside it.
func TestVerdict_LeakRule(t *testing.T) {
	sc := scenario.Scenario{Name: "leaky", Expect: metric.ExpectLeak}
	for _, tt := range []struct {
		name string
		s    results.Summary
		want int
	}{
		{"settled", results.Summary{Settled: 61 << 20}, StatusOK},
		{"retained and slope", results.Summary{Retained: 200 << 20, Slope: results.Slope{MiBPerRound: 20, Rounds: 4}}, StatusOK},
		{"a few MiB", results.Summary{Settled: 9 << 20, Retained: 9 << 20, Slope: results.Slope{MiBPerRound: 2, CILow: 1, Rounds: 4}}, StatusFailed},
	} {
		tt.s.Outcome = results.OutcomeCompleted
		var b bytes.Buffer
		if got := verdict(&b, sc, tt.s); got != tt.want {
			t.Errorf("%s: status %d, want %d\n%s", tt.name, got, tt.want, b.String())
		}
		if tt.want == StatusFailed && !strings.Contains(b.String(), "FAIL leaky: expected to leak, but the leak is not seen") {
			t.Errorf("%s: %s", tt.name, b.String())
		}
	}
}
