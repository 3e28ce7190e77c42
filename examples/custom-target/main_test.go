package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/results"
)

// scenarioFile is the committed scenario the test runs.
const scenarioFile = "filler.yaml"

// TestMain removes the program the tests built (build) after them.
func TestMain(m *testing.M) {
	code := m.Run()
	programs.Remove()
	os.Exit(code)
}

// programs is this program as go build made it, once for all the tests.
var programs = childtest.NewPrograms("custom-target-test-")

// build builds this program into a temporary directory, once per test
// binary: the tests run it as a user would, its own child processes
// included. They share the binary and must not modify it.
func build(t *testing.T) string {
	t.Helper()
	return programs.Built(t, "custom-target", ".")
}

// runsChildren skips t under -short and runs it in parallel with the
// other tests that run the program's child processes; it returns the
// program (build).
func runsChildren(t *testing.T) string {
	t.Helper()
	childtest.RunsChildren(t, "builds the program and runs child processes")
	return build(t)
}

// schedule is what the scenario file says the filler does.
type schedule struct {
	Options  options `yaml:"options"`
	Rounds   int     `yaml:"rounds"`
	InFlight int     `yaml:"in_flight"`
}

func readSchedule(t *testing.T) schedule {
	t.Helper()
	data, err := os.ReadFile(scenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	var s schedule
	if err := yaml.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if s.Options.MiB == 0 || s.Options.Keep == 0 || s.Rounds == 0 || s.InFlight == 0 {
		t.Fatalf("%s: want mib, keep, rounds and in_flight set, got %+v", scenarioFile, s)
	}
	return s
}

// within reports whether got is within frac of want.
func within(got, want, frac float64) bool { return math.Abs(got-want) <= frac*want }

// TestRun_MatchesTheTargetsOwnFigures runs the example program on the
// committed scenario and checks that the summary's figures come from the
// filler's own snapshots and that the RSS the parent measured from
// outside follows them: growth and retained memory within 10% of the
// linear memory the filler reports.
func TestRun_MatchesTheTargetsOwnFigures(t *testing.T) {
	bin := runsChildren(t)
	sch := readSchedule(t)
	out := filepath.Join(t.TempDir(), "out")
	code, text := childtest.Run(t, nil, bin, "run", "--quiet", "--out", out, scenarioFile)
	t.Logf("run:\n%s", text)
	if code != 0 {
		t.Fatalf("run: exit %d, want 0", code)
	}
	run, err := results.Read(filepath.Join(out, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary
	if s.Target != "filler" || s.Outcome != results.OutcomeCompleted || len(s.Strategy.Switches) != 0 {
		t.Fatalf("summary: target %q, outcome %s, strategy %+v; want filler, completed, no builtin strategy", s.Target, s.Outcome, s.Strategy)
	}

	// The filler's own figures: one instance per request, the newest Keep
	// alive at the end, Keep × MiB of linear memory after the load.
	requests := s.Requests
	const perRound = 6 // the tiny workload: three images, two visits
	if requests != sch.Rounds*perRound || s.Errors != 0 {
		t.Errorf("requests %d, errors %d; want %d, 0", requests, s.Errors, sch.Rounds*perRound)
	}
	if s.Instances.Created != requests || s.Instances.EndLive != sch.Options.Keep ||
		s.Instances.PeakLive < sch.Options.Keep || s.Instances.PeakLive > sch.Options.Keep+sch.InFlight {
		t.Errorf("instances %+v; want %d created, %d live at the end, a peak of %d to %d",
			s.Instances, requests, sch.Options.Keep, sch.Options.Keep, sch.Options.Keep+sch.InFlight)
	}
	if l, ok := s.Latency["fill"]; !ok || l.Count != requests {
		t.Errorf("latency of fill %+v; want one per request (%d) from the filler's op events", l, requests)
	}
	held := uint64(sch.Options.Keep*sch.Options.MiB) << 20
	last := map[results.Phase]results.Sample{}
	for _, smp := range run.Samples {
		last[smp.Phase] = smp
	}
	for _, p := range []results.Phase{results.PhaseStartup, results.PhaseLoad, results.PhaseIdle, results.PhaseSettle} {
		if _, ok := last[p]; !ok {
			t.Fatalf("no sample of phase %s", p)
		}
	}
	if got := last[results.PhaseStartup].LinearMemory; got != 0 {
		t.Errorf("linear memory at the baseline %d, want 0", got)
	}
	for _, p := range []results.Phase{results.PhaseLoad, results.PhaseIdle, results.PhaseSettle} {
		if got := last[p].LinearMemory; got != held {
			t.Errorf("linear memory at the end of %s: %d, want %d (keep %d × %d MiB)", p, got, held, sch.Options.Keep, sch.Options.MiB)
		}
	}

	// The RSS measured from outside follows the filler's figures.
	base := float64(last[results.PhaseStartup].LinearMemory)
	reportedGrowth := float64(last[results.PhaseLoad].LinearMemory) - base
	reportedRetained := float64(last[results.PhaseIdle].LinearMemory) - base
	if !within(float64(s.Growth), reportedGrowth, 0.10) {
		t.Errorf("growth %.1f MiB, the filler reports %.1f MiB: more than 10%% apart", mib(s.Growth), reportedGrowth/results.MiB)
	}
	if !within(float64(s.Retained), reportedRetained, 0.10) {
		t.Errorf("retained %.1f MiB, the filler reports %.1f MiB: more than 10%% apart", mib(s.Retained), reportedRetained/results.MiB)
	}
	t.Logf("growth %.1f MiB, retained %.1f MiB; the filler reports %.1f and %.1f MiB",
		mib(s.Growth), mib(s.Retained), reportedGrowth/results.MiB, reportedRetained/results.MiB)
	// At most Keep + InFlight instances are ever alive at once.
	if limit := float64((sch.Options.Keep+sch.InFlight)*sch.Options.MiB) * 1.10 * results.MiB; float64(s.PeakHWM)-float64(s.Baseline) > limit {
		t.Errorf("peak (VmHWM) %.1f MiB above the baseline, more than (keep + in_flight) × mib + 10%%", mib(int64(s.PeakHWM-s.Baseline)))
	}
}

// TestGate_BaselineThenPassThenRegression writes a baseline of the
// example scenario into a temporary file, gates against it (pass), then
// gates a filler that keeps more instances under the same name against it
// (regression, exit 1).
func TestGate_BaselineThenPassThenRegression(t *testing.T) {
	bin := runsChildren(t)
	dir := t.TempDir()
	baseline := filepath.Join(dir, "baseline.json")
	gate := func(scenario string, extra ...string) (int, string) {
		args := append([]string{"gate", "--runs", "2", "--baseline", baseline, "--out", filepath.Join(dir, "gate")}, extra...)
		return childtest.Run(t, nil, bin, append(args, scenario)...)
	}
	if code, text := gate(scenarioFile, "--update-baseline"); code != 0 {
		t.Fatalf("gate --update-baseline: exit %d, want 0\n%s", code, text)
	}
	if _, err := os.Stat(baseline); err != nil {
		t.Fatalf("no baseline written: %v", err)
	}
	if code, text := gate(scenarioFile); code != 0 {
		t.Fatalf("gate against its own baseline: exit %d, want 0\n%s", code, text)
	}

	data, err := os.ReadFile(scenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	sch := readSchedule(t)
	worse := strings.Replace(string(data), "keep: 4", "keep: 8", 1)
	if worse == string(data) || sch.Options.Keep != 4 {
		t.Fatalf("%s no longer says keep: 4", scenarioFile)
	}
	worseFile := filepath.Join(dir, "filler.yaml")
	if err := os.WriteFile(worseFile, []byte(worse), 0o644); err != nil {
		t.Fatal(err)
	}
	code, text := gate(worseFile)
	if code != 1 || !strings.Contains(text, "REGRESSION") {
		t.Fatalf("gate of a filler keeping twice as much: exit %d, want 1 and a regression\n%s", code, text)
	}
	t.Logf("regression:\n%s", text)
}

func mib(b int64) float64 { return float64(b) / results.MiB }
