package reproduction

import (
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
)

// TestReproduceWithModules: runs of the stages on a codec set of their own
// (the squoosh modules) get a row per stage between ours and the real
// optimizer's, with ratios to their own before run, wrongly ordered ones
// included, and change none of our rows, checks or notes.
func TestReproduceWithModules(t *testing.T) {
	modules := []report.Run{
		stageRun("before", 30, 4030, 4100, 4000), // growth 4000, peak 4100
		stageRun("fix1", 30, 5030, 5200, 5000),   // above before: no check may see it
		stageRun("fix1+2", 30, 1030, 1300, 900),
		stageRun("fixed", 30, 430, 900, 40),
	}
	for i := range modules {
		st := &modules[i].Summary.Strategy
		st.Switches = append(st.Switches, results.Switch{Name: modulesSwitch, Value: "squoosh"})
		modules[i].Dir = "out/squoosh-" + modules[i].Summary.Scenario
	}
	rep := Reproduce(testStages(), append(goodStages(), modules...))
	alone := Reproduce(testStages(), goodStages())
	if !rep.Passed() || len(rep.Checks) != len(alone.Checks) || len(rep.Notes) != len(alone.Notes) {
		t.Errorf("the module runs changed our checks or notes: passed %v, notes %v", rep.Passed(), rep.Notes)
	}
	for i := range rep.Rows {
		if rep.Rows[i].Growth != alone.Rows[i].Growth || rep.Rows[i].Peak != alone.Rows[i].Peak {
			t.Errorf("our %s row changed: %+v", rep.Rows[i].Stage.Preset, rep.Rows[i])
		}
	}
	if len(rep.Modules) != 4 {
		t.Fatalf("%d module rows, want 4", len(rep.Modules))
	}
	for i, want := range []struct {
		preset       string
		growth, peak float64
	}{{"before", 1, 1}, {"fix1", 5000.0 / 4000, 5200.0 / 4100}, {"fix1+2", 1000.0 / 4000, 1300.0 / 4100}, {"fixed", 400.0 / 4000, 900.0 / 4100}} {
		r := rep.Modules[i]
		if r.Stage.Preset != want.preset || !r.HasRatios || !near(r.GrowthRatio, want.growth) || !near(r.PeakRatio, want.peak) {
			t.Errorf("module row %d: %s ratios %.4f, %.4f; want %s %.4f, %.4f", i, r.Stage.Preset, r.GrowthRatio, r.PeakRatio, want.preset, want.growth, want.peak)
		}
	}
	text := written(t, rep)
	ours, mods := strings.Index(text, "| stage fixed | fixed |"), strings.Index(text, "| squoosh modules, stage before |")
	if ours < 0 || mods < ours || !strings.Contains(text, "| squoosh modules, stage fix1 | fix1 | +5000.0 | 1.25 |") {
		t.Errorf("the module rows are missing or not after ours:\n%s", text)
	}
}

// TestReproduceOnOneCodecSet: when every stage ran on the one codec set
// (bench reproduce --codecs squoosh), those runs are the stages: checked
// as ours, with no module rows and nothing missing.
func TestReproduceOnOneCodecSet(t *testing.T) {
	runs := goodStages()
	for i := range runs {
		st := &runs[i].Summary.Strategy
		st.Switches = append(st.Switches, results.Switch{Name: modulesSwitch, Value: "squoosh"})
	}
	rep := Reproduce(testStages(), runs)
	alone := Reproduce(testStages(), goodStages())
	if !rep.Passed() || len(rep.Missing) != 0 || len(rep.Modules) != 0 || len(rep.Checks) != len(alone.Checks) {
		t.Fatalf("passed %v, missing %v, %d module rows, %d checks (want %d)", rep.Passed(), rep.Missing, len(rep.Modules), len(rep.Checks), len(alone.Checks))
	}
	for i := range rep.Rows {
		if rep.Rows[i].Growth != alone.Rows[i].Growth || rep.Rows[i].Peak != alone.Rows[i].Peak {
			t.Errorf("%s row %+v, want the figures of the same runs on the default set", rep.Rows[i].Stage.Preset, rep.Rows[i])
		}
	}
}
