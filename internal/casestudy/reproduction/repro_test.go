package reproduction

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
)

// stageRun is a run of a preset with the given figures in MiB.
func stageRun(preset string, base, end, peak, afterIdle float64) report.Run {
	return report.Run{Run: results.Run{Dir: "out/" + preset, Summary: results.Summary{
		Scenario: preset, Strategy: results.Strategy{Preset: preset},
		Outcome:  results.OutcomeCompleted,
		Baseline: uint64(base * mb), EndOfLoad: uint64(end * mb), Peak: uint64(peak * mb),
		AfterIdle: uint64(afterIdle * mb), AfterSettle: uint64(afterIdle * mb),
		Growth: int64((end - base) * mb),
	}}}
}

// goodStages match the published ratios: growth 1000, 410, 280, 60 MiB
// (1.00, 0.41, 0.28, 0.06) and peaks 2000, 1140, 920, 680 MiB (1.00,
// 0.57, 0.46, 0.34); fixed holds 10% of its baseline after settle.
func goodStages() []report.Run {
	return []report.Run{
		stageRun("fixed", 100, 160, 680, 110), // out of order on purpose
		stageRun("before", 100, 1100, 2000, 1100),
		stageRun("fix1", 100, 510, 1140, 500),
		stageRun("fix1+2", 100, 380, 920, 300),
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestReproduceRatios(t *testing.T) {
	rep := Reproduce(testStages(), goodStages())
	want := []struct{ growth, peak float64 }{{1, 1}, {0.41, 0.57}, {0.28, 0.46}, {0.06, 0.34}}
	for i, row := range rep.Rows {
		if !row.Found || !row.HasRatios {
			t.Fatalf("%s: found %v ratios %v", row.Stage.Preset, row.Found, row.HasRatios)
		}
		if !near(row.GrowthRatio, want[i].growth) || !near(row.PeakRatio, want[i].peak) {
			t.Errorf("%s: ratios %.4f %.4f, want %.2f %.2f", row.Stage.Preset, row.GrowthRatio, row.PeakRatio, want[i].growth, want[i].peak)
		}
		if !near(row.GrowthDelta, 0) || !near(row.PeakDelta, 0) {
			t.Errorf("%s: deltas %.4f %.4f, want 0", row.Stage.Preset, row.GrowthDelta, row.PeakDelta)
		}
	}
	if len(rep.Missing) != 0 {
		t.Errorf("missing %v", rep.Missing)
	}
	if !rep.Passed() {
		t.Errorf("checks fail on the published ratios: %+v", rep.Checks)
	}

	md := written(t, rep)
	wantAll(t, "reproduction", md,
		"| stage fix1 | fix1 | +410.0 | 0.41 | 0.41 | ±0.00 | 1140.0 | 0.57 | 0.57 | ±0.00 |",
		"| stage fixed | fixed | +60.0 | 0.06 | 0.06 | ±0.00 | 680.0 | 0.34 | 0.34 | ±0.00 |",
		"✓ growth falling: passes. before +1000.0 > fix1 +410.0 > fix1+2 +280.0 > fixed +60.0 MiB.",
		"✓ fixed returns within 20% of its baseline (at least 16 MiB) after idle and settle: passes.",
		"retained +10.0 MiB = 10% of baseline",
		"| stage fix1 | 100.0 / 510.0 / 1140.0 | 500.0 / 500.0 | ~100 / 510 / 1140 | — |",
		"**Verdict: reproduced. All 3 required checks pass; 3 of 3 growth ratios within 0.10 of the published ones.**",
	)
}

func TestReproduceFlagsWrongOrdering(t *testing.T) {
	runs := goodStages()
	runs[3] = stageRun("fix1+2", 100, 550, 1200, 500) // grows and peaks more than fix1
	runs[0] = stageRun("fixed", 100, 160, 680, 150)   // holds 50% after settle
	rep := Reproduce(testStages(), runs)
	got := map[string]Check{}
	for _, c := range rep.Checks {
		got[c.Name] = c
	}
	fails := []string{
		"growth falling",
		"peak falling",
		"fixed returns within 20% of its baseline (at least 16 MiB) after idle and settle",
		"fix1+2 growth ratio within 0.10 of published 0.28",
	}
	for _, name := range fails {
		c, ok := got[name]
		if !ok || !c.Checked || c.OK {
			t.Errorf("check %q: %+v, want a failure", name, c)
		}
	}
	for _, name := range []string{"fix1 growth ratio within 0.10 of published 0.41", "fixed growth ratio within 0.10 of published 0.06"} {
		if c := got[name]; !c.Checked || !c.OK {
			t.Errorf("check %q: %+v, want a pass", name, c)
		}
	}
	if rep.Passed() {
		t.Error("Passed with a wrong ordering")
	}
	wantAll(t, "reproduction", written(t, rep),
		"✗ growth falling: FAILS. before +1000.0 > fix1 +410.0 ≤ fix1+2 +450.0 > fixed +60.0 MiB.",
		"✗ fix1+2 growth ratio within 0.10 of published 0.28: missed (an aim, not required). ours 0.45, published 0.28, difference +0.17.",
		"**Verdict: not reproduced. 0 of 3 required checks pass, 3 fail, 0 not checked; 2 of 3 growth ratios within 0.10 of the published ones.**",
	)
}

func TestReproduceRatioBoundary(t *testing.T) {
	// fix1 at 0.51 is 0.10 off: passes; at 0.52 it fails.
	for _, c := range []struct {
		end float64
		ok  bool
	}{{610, true}, {620, false}} {
		runs := goodStages()
		runs[2] = stageRun("fix1", 100, c.end, 1140, 500)
		rep := Reproduce(testStages(), runs)
		if chk := rep.Checks[3]; chk.OK != c.ok || !strings.HasPrefix(chk.Name, "fix1 ") {
			t.Errorf("end %v: %+v, want ok=%v", c.end, chk, c.ok)
		}
	}
}

func TestReproduceMissingStages(t *testing.T) {
	runs := goodStages()
	runs = append(runs[:2], runs[3]) // no fix1
	rep := Reproduce(testStages(), runs)
	if len(rep.Missing) != 1 || rep.Missing[0] != "fix1" {
		t.Fatalf("missing %v", rep.Missing)
	}
	if rep.Rows[1].HasRatios {
		t.Error("ratios for a missing stage")
	}
	wantAll(t, "reproduction", written(t, rep),
		"**Missing stages: fix1.**",
		"| stage fix1 | missing | — | — | 0.41 | — | — | — | 0.57 | — |",
		"– fix1 growth ratio within 0.10 of published 0.41: not checked. no run of preset fix1.",
		"(only 3 of 4 stages: missing fix1)",
		"not reproduced",
	)

	// Without before there is nothing to divide by.
	rep = Reproduce(testStages(), goodStages()[2:])
	for _, row := range rep.Rows {
		if row.HasRatios {
			t.Errorf("%s has ratios without a before run", row.Stage.Preset)
		}
	}
	if md := written(t, rep); !strings.Contains(md, "no run of preset before") {
		t.Errorf("no note about the missing before run:\n%s", md)
	}

	// No runs of any preset at all.
	if md := written(t, Reproduce(testStages(), nil)); !strings.Contains(md, "Missing stages: before, fix1, fix1+2, fixed") {
		t.Errorf("no runs:\n%s", md)
	}
}

func TestReproduceKilledBefore(t *testing.T) {
	// The runner's summary of a run killed during the load: end of load is
	// the last load sample. Also a summary without it.
	for _, endOfLoad := range []float64{1000, 0} {
		runs := goodStages()
		killed := stageRun("before", 100, endOfLoad, 1500, 0)
		killed.Summary.Outcome = results.OutcomeRSSCap
		killed.Samples = []results.Sample{
			{T: 0, Phase: results.PhaseStartup, RSS: 100 * mb},
			{T: 5, Phase: results.PhaseLoad, RSS: 1000 * mb},
		}
		runs[1] = killed
		rep := Reproduce(testStages(), runs)
		if !rep.Rows[0].EndIsLowerBound || rep.Rows[0].Growth != 900*mb {
			t.Errorf("end of load %v: before row %+v: want growth 900 MiB as a lower bound", endOfLoad, rep.Rows[0])
		}
		if md := written(t, rep); !strings.Contains(md, "lower bounds") || !strings.Contains(md, "≥ +900.0") {
			t.Errorf("lower bound not stated:\n%s", md)
		}
	}
	// Killed after the load ended (during idle): its growth is exact.
	runs := goodStages()
	late := stageRun("before", 100, 1100, 2000, 0)
	late.Summary.Outcome = results.OutcomeCrashed
	late.Samples = []results.Sample{{T: 0, Phase: results.PhaseStartup}, {T: 5, Phase: results.PhaseLoad}, {T: 6, Phase: results.PhaseIdle}}
	runs[1] = late
	if row := Reproduce(testStages(), runs).Rows[0]; row.EndIsLowerBound || row.Growth != 1000*mb {
		t.Errorf("crashed in idle: %+v", row)
	}
}

// TestReproduceMediansOfRepeatedStages: several runs of a stage are judged
// by their medians, figure by figure, and the stage is shown by the run of
// its median peak; an ordering that one unlucky run breaks still holds.
func TestReproduceMediansOfRepeatedStages(t *testing.T) {
	runs := append(goodStages(),
		stageRun("fixed", 100, 1000, 1500, 110), // an outlier above fix1+2 and fix1
		stageRun("fixed", 100, 140, 700, 110),
	)
	single := Reproduce(testStages(), append(goodStages()[1:], runs[4]))
	if single.Passed() {
		t.Fatal("the outlier alone should fail the ordering checks")
	}
	rep := Reproduce(testStages(), runs)
	if !rep.Passed() {
		t.Errorf("medians of three fixed runs should pass: %+v", rep.Checks)
	}
	fixed := rep.Rows[3]
	if fixed.Runs != 3 || fixed.Peak != 700*mb || fixed.End != 160*mb || fixed.Growth != 60*mb {
		t.Errorf("fixed row: runs %d, peak %d, end %d, growth %d; want 3, 700, 160, 60 MiB", fixed.Runs, fixed.Peak/mb, fixed.End/mb, fixed.Growth/mb)
	}
	if fixed.Run.Summary.Peak != 700*mb || fixed.Run.Summary.EndOfLoad != 140*mb {
		t.Errorf("the fixed stage is shown by the run with peak %d MiB, want the median-peak one (700)", fixed.Run.Summary.Peak/mb)
	}
	if len(rep.Notes) != 0 {
		t.Errorf("notes %q", rep.Notes)
	}
	reps := rep.Representatives()
	if len(reps) != 4 || reps[3].Summary.Peak != 700*mb {
		t.Errorf("representatives %d, last peak %d MiB", len(reps), reps[len(reps)-1].Summary.Peak/mb)
	}
	wantAll(t, "markdown", written(t, rep), "fixed (median of 3)", "700.0 (680.0–1500.0)", "+60.0 (+40.0–+900.0)", "medians of up to 3 runs per stage")
	// Two runs: the mean of the two (compare.Median), shown by the run of
	// the lower peak.
	two := Reproduce(testStages(), append(goodStages(), stageRun("fix1", 100, 900, 1900, 800)))
	if f := two.Rows[1]; f.Runs != 2 || f.End != 705*mb || f.Peak != 1520*mb || f.Run.Summary.Peak != 1140*mb {
		t.Errorf("fix1 of two runs: end %d, peak %d MiB, shown by the run of peak %d; want the means 705, 1520, shown by 1140",
			f.End/mb, f.Peak/mb, f.Run.Summary.Peak/mb)
	}
}

func TestReproduceSkipsOverriddenPreset(t *testing.T) {
	// quick-leaky names preset fixed but leaks listeners: not the fixed stage.
	leaky := stageRun("fixed", 100, 400, 700, 390)
	leaky.Summary.Scenario = "quick-leaky"
	leaky.Summary.Strategy = results.Strategy{Preset: "fixed", Switches: []results.Switch{{Name: "topology", Value: "pipeline", Text: "pipeline"}, {Name: "lifetime", Value: "fresh", Text: "fresh"}, {Name: "views", Value: "cleared"}, {Name: "listeners", Value: "leaked"}}}
	runs := append([]report.Run{leaky}, goodStages()...)
	rep := Reproduce(testStages(), runs)
	if rep.Rows[3].Run.Name() != "fixed" {
		t.Errorf("fixed stage taken from %s", rep.Rows[3].Run.Name())
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "quick-leaky names preset fixed but runs listeners leaked instead of removed") {
		t.Errorf("notes %q", rep.Notes)
	}
	if !rep.Passed() {
		t.Errorf("checks: %+v", rep.Checks)
	}
}

// TestReproduceRetainedJudgesSettle: an idle Go process keeps its freed
// memory until its next GC, so the check judges the figure after settle,
// and a high after-idle figure alone does not fail it.
func TestReproduceRetainedJudgesSettle(t *testing.T) {
	runs := goodStages()
	runs[0].Summary.AfterIdle = uint64(600 * mb) // fixed: 500% of baseline after idle
	runs[0].Summary.AfterSettle = uint64(105 * mb)
	c := fixedCheck(t, Reproduce(testStages(), runs))
	if !c.Checked || !c.OK {
		t.Fatalf("retained check = %+v, want checked and passing on the settled figure", c)
	}
	runs[0].Summary.AfterSettle = uint64(150 * mb) // 50% of baseline after settle
	if c := fixedCheck(t, Reproduce(testStages(), runs)); !c.Checked || c.OK {
		t.Fatalf("retained check = %+v, want a failure at 50%% after settle", c)
	}
	// A small baseline: +5 MiB is 29% of 17 MiB, but within the floor.
	runs[0].Summary.Baseline, runs[0].Summary.AfterSettle = uint64(17*mb), uint64(22*mb)
	if c := fixedCheck(t, Reproduce(testStages(), runs)); !c.Checked || !c.OK {
		t.Fatalf("retained check = %+v, want a pass within the %d MiB floor", c, metric.NoiseFloor>>20)
	}
	runs[0].Summary.AfterSettle = uint64(60 * mb) // +43 MiB: past 20% and past the floor
	if c := fixedCheck(t, Reproduce(testStages(), runs)); !c.Checked || c.OK {
		t.Fatalf("retained check = %+v, want a failure past the floor", c)
	}
}

// fixedCheck returns the reproduction's check on the fixed run's retained
// memory.
func fixedCheck(t *testing.T, rep Reproduction) Check {
	t.Helper()
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.Name, "fixed returns within") {
			return c
		}
	}
	t.Fatalf("no retained check among %+v", rep.Checks)
	return Check{}
}

// TestReproduceFallingWithinSpread: with several runs a stage, medians
// inverted within the runs' spread are "≈" and fail nothing; inverted
// beyond it (every run of the later stage above every run of the earlier)
// they fail; with one run a stage any inversion fails.
func TestReproduceFallingWithinSpread(t *testing.T) {
	peakCheck := func(runs []report.Run) Check {
		for _, c := range Reproduce(testStages(), runs).Checks {
			if c.Name == "peak falling" {
				return c
			}
		}
		t.Fatal("no peak check")
		return Check{}
	}
	three := func(preset string, peaks ...float64) []report.Run {
		var out []report.Run
		for _, p := range peaks {
			out = append(out, stageRun(preset, 100, 200, p, 110))
		}
		return out
	}
	base := append(three("before", 2000, 2100, 2050), three("fixed", 600, 650, 700)...)

	overlap := append(append(slices.Clone(base), three("fix1", 1100, 1150, 1200)...), three("fix1+2", 1120, 1180, 1210)...)
	c := peakCheck(overlap)
	if !c.Checked || !c.OK || !strings.Contains(c.Detail, "fix1 1150.0 ≈ fix1+2 1180.0") || !strings.Contains(c.Detail, "1 pair(s) inverted within their runs' spread") {
		t.Errorf("overlapping inversion: %+v", c)
	}

	apart := append(append(slices.Clone(base), three("fix1", 1100, 1150, 1200)...), three("fix1+2", 1250, 1300, 1350)...)
	if c := peakCheck(apart); !c.Checked || c.OK || !strings.Contains(c.Detail, "fix1 1150.0 ≤ fix1+2 1300.0") {
		t.Errorf("inversion beyond the spread: %+v", c)
	}

	single := append(append(three("before", 2000), three("fixed", 600)...), append(three("fix1", 1150), three("fix1+2", 1180)...)...)
	if c := peakCheck(single); !c.Checked || c.OK || !strings.Contains(c.Detail, "≤") {
		t.Errorf("one run a stage is strict: %+v", c)
	}
}
