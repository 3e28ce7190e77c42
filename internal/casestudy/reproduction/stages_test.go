package reproduction

import (
	"math"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

// testStages are four stages shaped as the case study's published ones
// (the presets and the four causes' switches of engine.Presets), with as
// "published" figures those of goodStages in MiB and their ratios to
// before to two decimals, so that goodStages reproduces them exactly.
func testStages() Stages {
	good := map[string]results.Summary{}
	for _, r := range goodStages() {
		good[r.Summary.Strategy.Preset] = r.Summary
	}
	causes := func(topology, lifetime, views, listeners string) []results.Switch {
		return []results.Switch{{Name: "topology", Value: topology}, {Name: "lifetime", Value: lifetime},
			{Name: "views", Value: views}, {Name: "listeners", Value: listeners}}
	}
	var out Stages
	for _, st := range []Stage{
		{Preset: "before", Switches: causes("per-worker", "reuse", "leaked", "leaked")},
		{Preset: "fix1", Switches: causes("pipeline", "reuse", "leaked", "leaked")},
		{Preset: "fix1+2", Switches: causes("pipeline", "fresh", "leaked", "leaked")},
		{Preset: "fixed", Switches: causes("pipeline", "fresh", "cleared", "removed")},
	} {
		g := good[st.Preset]
		st.Label = "stage " + st.Preset
		st.RSSStartMB, st.RSSEndMB, st.PeakMB = mib(g.Baseline), mib(g.EndOfLoad), mib(g.Peak)
		st.GrowthMB = st.RSSEndMB - st.RSSStartMB
		if len(out) > 0 {
			st.GrowthRatio = math.Round(100*st.GrowthMB/out[0].GrowthMB) / 100
			st.PeakRatio = math.Round(100*st.PeakMB/out[0].PeakMB) / 100
		} else {
			st.GrowthRatio, st.PeakRatio = 1, 1
		}
		out = append(out, st)
	}
	return out
}

// A reproduction knows only the stages it is given: other presets are other
// runs, no stages make no reproduction, and a grid wants four.
func TestStages_AreTheCaller(t *testing.T) {
	two := Stages{{Preset: "fix1", GrowthRatio: 1, PeakRatio: 1}, {Preset: "fixed", GrowthRatio: 0.5, PeakRatio: 0.5}}
	rep := Reproduce(two, goodStages())
	if len(rep.Rows) != 2 || rep.Rows[0].Stage.Preset != "fix1" || rep.Rows[1].Stage.Preset != "fixed" || len(rep.Missing) != 0 {
		t.Fatalf("rows %+v, missing %v: want fix1 and fixed, none missing", rep.Rows, rep.Missing)
	}
	if r := rep.Rows[1]; !r.HasRatios || !near(r.GrowthRatio, 60.0/410) {
		t.Errorf("fixed's growth ratio %v, want to the first stage given (fix1): %v", r.GrowthRatio, 60.0/410)
	}
	none := Reproduce(nil, goodStages())
	if len(none.Rows) != 0 || none.Passed() || len(none.Notes) != 1 || !strings.Contains(none.Notes[0], "no published stages") {
		t.Errorf("no stages: rows %d, passed %v, notes %q", len(none.Rows), none.Passed(), none.Notes)
	}
	if got := testStages().Presets(); strings.Join(got, " ") != "before fix1 fix1+2 fixed" {
		t.Errorf("Presets() = %v", got)
	}
	_, err := gridRows(two, goodStages())
	if err == nil || !strings.Contains(err.Error(), "2 published stages, a 2×2 grid shows 4") {
		t.Errorf("a grid of two stages: %v", err)
	}
}

// TestGridRows: each run in its stage's panel whatever the order given,
// ratios to the before run; a missing stage's panel says so; a run of
// another preset fills a free panel; five runs, or two of one stage, are
// an error.
func TestGridRows(t *testing.T) {
	rows, err := gridRows(testStages(), goodStages()) // fixed first
	if err != nil {
		t.Fatal(err)
	}
	before := rows[0][0].Run
	for i, preset := range []string{"before", "fix1", "fix1+2", "fixed"} {
		p := rows[i/2][i%2]
		if p.Run == nil || p.Run.Summary.Strategy.Preset != preset || p.Ref != before {
			t.Errorf("panel %d: %+v, want the %s run with ratios to before", i, p, preset)
		}
	}
	runs := goodStages()[1:] // no fixed
	rows, err = gridRows(testStages(), runs)
	if p := rows[1][1]; err != nil || p.Run != nil || p.Title != "fixed: no run" || p.Note != "no run of preset fixed" {
		t.Errorf("no fixed run: %+v, %v", p, err)
	}
	rows, err = gridRows(testStages(), append(runs, stageRun("mine", 100, 200, 300, 150)))
	if p := rows[1][1]; err != nil || p.Run == nil || p.Run.Summary.Scenario != "mine" {
		t.Errorf("another preset's run: %+v, %v; want it in the free panel", p, err)
	}
	if _, err := gridRows(testStages(), append(goodStages(), stageRun("mine", 100, 200, 300, 150))); err == nil {
		t.Error("five runs: no error")
	}
	if _, err := gridRows(testStages(), append(goodStages()[:3], goodStages()[1])); err == nil || !strings.Contains(err.Error(), `two runs of preset "before"`) {
		t.Errorf("two before runs: %v", err)
	}
}
