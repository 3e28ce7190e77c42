package report

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

// realRun is a fake run of the real optimizer: an exec target whose
// samples also carry the tree's PSS.
func realRun(name string, base, end, peak, idle, settle float64) Run {
	r := fakeRun(curve{scenario: name, base: base, end: end, peak: peak, idleEnd: idle, settle: settle, sawtooh: 20})
	r.Summary.Strategy = results.Strategy{Workers: 15}
	r.Summary.Exec = []string{"/usr/bin/node", "--expose-gc", "/repo/examples/nextjs/driver.js", "/home/u/.cache/leakbench/nextjs/10.1.0"}
	for i := range r.Samples {
		r.Samples[i].PSS = r.Samples[i].RSS - r.Samples[i].RSS/50
		r.Samples[i].Processes = 1
	}
	r.Summary = results.Summarize(r.Summary, r.Samples, r.Events)
	return r
}

func TestRealStage(t *testing.T) {
	for name, want := range map[string]int{
		"nextjs-before": 0, "nextjs-before-quick": 0, "nextjs-fixed": 1, "nextjs-fixed-tiny": 1,
		"nextjs-beforehand": -1, "before": -1, "nextjs": -1,
	} {
		if got := RealStage(Run{results.Run{Summary: results.Summary{Scenario: name}}}); got != want {
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

// TestPlotGridWithReal: the real optimizer's runs get a third row on the
// same scale, with their PSS; a missing one says so.
func TestPlotGridWithReal(t *testing.T) {
	dir := outDir(t)
	runs := append(fakeStages(), realRun("nextjs-before", 50, 1800, 1900, 1790, 1780), realRun("nextjs-fixed", 50, 300, 420, 250, 240))
	base := filepath.Join(dir, "grid-real")
	if err := PlotGrid(testStages(), runs, "ours and the real optimizer", base); err != nil {
		t.Fatal(err)
	}
	w, h := pixels(gridWidth, gridHeight*3/2)
	checkPNG(t, base+".png", w, h)
	wantTexts(t, base+".svg", svgText(t, base+".svg"), "real nextjs-before · growth +", "real nextjs-fixed · growth +", "(0.15×)",
		"before · growth +", SeriesPSS, SeriesLeaked)

	base = filepath.Join(dir, "grid-real-one")
	if err := PlotGrid(testStages(), append(fakeStages(), runs[4]), "one real run", base); err != nil {
		t.Fatal(err)
	}
	wantTexts(t, base+".svg", svgText(t, base+".svg"), "fixed (next@10.1.3): no run")

	if err := PlotGrid(testStages(), append(runs, runs[4]), "twice", base); err == nil || !strings.Contains(err.Error(), "two runs of the real optimizer's before (next@10.1.0)") {
		t.Errorf("two real befores: %v", err)
	}
}

func TestEngineText(t *testing.T) {
	r := realRun("nextjs-before", 50, 300, 400, 300, 300)
	if got := r.Title(); got != "nextjs-before · exec node --expose-gc driver.js 10.1.0" {
		t.Errorf("title %q", got)
	}
}
