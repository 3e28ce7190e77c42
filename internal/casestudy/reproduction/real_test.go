package reproduction

import (
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
)

// realRun is a run of the real optimizer with the given figures in MiB:
// an exec target's, as its scenario names it.
func realRun(name string, base, end, peak, afterIdle float64) report.Run {
	r := stageRun(name, base, end, peak, afterIdle)
	r.Summary.Strategy = results.Strategy{Workers: 15}
	r.Summary.Exec = []string{"/usr/bin/node", "--expose-gc", "/repo/examples/nextjs/driver.js", "/home/u/.cache/leakbench/nextjs/10.1.0"}
	return r
}

func TestRealStage(t *testing.T) {
	for name, want := range map[string]int{
		"nextjs-before": 0, "nextjs-before-quick": 0, "nextjs-fixed": 1, "nextjs-fixed-tiny": 1,
		"nextjs-beforehand": -1, "before": -1, "nextjs": -1,
	} {
		if got := RealStage(report.Run{Run: results.Run{Summary: results.Summary{Scenario: name}}}); got != want {
			t.Errorf("RealStage(%s) = %d, want %d", name, got, want)
		}
	}
}

// TestReproduceWithReal: the real optimizer's runs get rows of their own,
// with ratios to the real before, and change none of ours.
func TestReproduceWithReal(t *testing.T) {
	runs := append(goodStages(),
		stageRun("nextjs-fixed", 50, 1250, 1850, 1000),  // growth 1200, peak 1850
		stageRun("nextjs-before", 50, 9050, 9800, 9000), // growth 9000, peak 9800
	)
	for i := range runs[4:] {
		runs[4+i].Summary.Strategy = results.Strategy{}
	}
	rep := Reproduce(testStages(), runs)
	alone := Reproduce(testStages(), goodStages())
	if len(rep.Checks) != len(alone.Checks) || !rep.Passed() || len(rep.Notes) != len(alone.Notes) {
		t.Errorf("the real runs changed our checks or notes: %+v", rep.Notes)
	}
	if len(rep.Real) != 2 || !rep.Real[0].HasRatios || !rep.Real[1].HasRatios {
		t.Fatalf("real rows %+v", rep.Real)
	}
	if g, p := rep.Real[1].GrowthRatio, rep.Real[1].PeakRatio; !near(g, 1200.0/9000) || !near(p, 1850.0/9800) {
		t.Errorf("real fixed ratios %.4f, %.4f; want %.4f, %.4f", g, p, 1200.0/9000, 1850.0/9800)
	}
	if rep.Real[1].Stage.Preset != "fixed" || rep.Real[0].Stage.Preset != "before" {
		t.Errorf("real rows against %s and %s, want before and fixed", rep.Real[0].Stage.Preset, rep.Real[1].Stage.Preset)
	}
	wantAll(t, "reproduction", written(t, rep),
		"| real optimizer, before (next@10.1.0) | nextjs-before | +9000.0 | 1.00 | 1.00 | ±0.00 | 9800.0 | 1.00 |",
		"| real optimizer, fixed (next@10.1.3) | nextjs-fixed | +1200.0 | 0.13 | 0.06 | +0.07 | 1850.0 | 0.19 | 0.34 | -0.15 |",
		"The real optimizer's rows are Next.js itself",
	)
}

// TestGridRows_WithReal: the real optimizer's runs get a third row of
// the grid, their ratios to the real before; a missing one says so; two
// of one release are an error.
func TestGridRows_WithReal(t *testing.T) {
	runs := append(goodStages(), realRun("nextjs-before", 50, 1800, 1900, 1790), realRun("nextjs-fixed", 50, 300, 420, 250))
	rows, err := gridRows(testStages(), runs)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want the stages' two and the real optimizer's", len(rows))
	}
	real := rows[2]
	if real[0].Run == nil || real[0].Run.Summary.Scenario != "nextjs-before" || real[1].Run == nil || real[1].Run.Summary.Scenario != "nextjs-fixed" ||
		real[0].Prefix != "real " || real[1].Ref != real[0].Run {
		t.Errorf("real row %+v", real)
	}

	rows, err = gridRows(testStages(), append(goodStages(), runs[4]))
	if err != nil || len(rows) != 3 || rows[2][1].Run != nil || rows[2][1].Title != "fixed (next@10.1.3): no run" {
		t.Errorf("one real run: %+v, %v", rows, err)
	}
	if _, err := gridRows(testStages(), append(runs, runs[4])); err == nil || !strings.Contains(err.Error(), "two runs of the real optimizer's before (next@10.1.0)") {
		t.Errorf("two real befores: %v", err)
	}
	if rows, err := gridRows(testStages(), goodStages()); err != nil || len(rows) != 2 {
		t.Errorf("no real run: %d rows, %v; want the stages' two", len(rows), err)
	}
}
