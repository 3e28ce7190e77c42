package report

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

// testStages are four stages shaped as a case study's published ones
// (this package must not import the real table, package published): the
// presets and switches of stageCurves, and as "published" figures those
// of goodStages in MiB, with their ratios to before to two decimals, so
// that goodStages reproduces them exactly.
func testStages() Stages {
	good := map[string]results.Summary{}
	for _, r := range goodStages() {
		good[r.Summary.Strategy.Preset] = r.Summary
	}
	var out Stages
	for _, c := range stageCurves() {
		g := good[c.preset]
		st := Stage{Preset: c.preset, Label: "stage " + c.preset,
			Switches:   []results.Switch{{Name: "topology", Value: c.topology, Text: c.topology}, {Name: "lifetime", Value: c.lifetime, Text: c.lifetime}, {Name: "views", Value: c.views}, {Name: "listeners", Value: c.listeners}},
			RSSStartMB: mib(g.Baseline), RSSEndMB: mib(g.EndOfLoad), PeakMB: mib(g.Peak)}
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

// The report knows only the stages it is given: other presets are other
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
	err := PlotGrid(two, fakeStages(), "x", filepath.Join(t.TempDir(), "two"))
	if err == nil || !strings.Contains(err.Error(), "2 published stages, a 2×2 grid shows 4") {
		t.Errorf("a grid of two stages: %v", err)
	}
}
