package report

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/compare/factorial"
	"github.com/leakbench/leakbench/internal/results"
)

// factorialFixture is a 2^4 analysis of made-up runs: peak and settled
// memory that the causes multiply, throughput that the fresh lifetime
// halves, reps runs per cell.
func factorialFixture(t *testing.T, reps int) *factorial.Analysis {
	t.Helper()
	d, err := factorial.NewDesign(
		factorial.Switch{Name: "topology", Low: "pipeline", High: "per-worker"},
		factorial.Switch{Name: "lifetime", Low: "fresh", High: "reuse"},
		factorial.Switch{Name: "views", Low: "cleared", High: "leaked"},
		factorial.Switch{Name: "listeners", Low: "removed", High: "leaked"},
	)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	var runs []factorial.Run
	for _, c := range d.Cells() {
		lv := d.Levels(c)
		on := func(i int) float64 {
			if c.High(i) {
				return 1
			}
			return 0
		}
		for range reps {
			peak := 600 * results.MiB * math.Pow(5, on(0)) * math.Pow(1.2, on(1)) * math.Pow(1.4, on(2)*on(1)) * (1 + 0.04*r.NormFloat64())
			settled := 20*results.MiB + 3000*results.MiB*on(0)*on(1) + 200*results.MiB*on(2) + 80*results.MiB*on(3) + 6*results.MiB*r.NormFloat64()
			tput := 3.0 + 0.9*on(1) - 0.2*on(0) + 0.08*r.NormFloat64()
			runs = append(runs, factorial.Run{
				Levels: map[string]string{"topology": lv[0], "lifetime": lv[1], "views": lv[2], "listeners": lv[3]},
				Values: map[string]float64{"peak": peak, "settled": settled, "throughput": tput},
			})
		}
	}
	a, err := factorial.Analyze(d, []compare.Metric{
		{Name: "peak", Unit: "B"}, {Name: "settled", Unit: "B"}, {Name: "throughput", Unit: "req/s", HigherIsBetter: true},
	}, runs, factorial.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPlotFactorialEffects(t *testing.T) {
	dir := outDir(t)
	for _, tc := range []struct {
		name string
		reps int
		want []string
	}{
		{"factorial-effects", 5, []string{"topology×lifetime", "lifetime×views", "listeners", "effect, High − Low (MiB)", "throughput (higher is better)", "whisker: 95% interval"}},
		{"factorial-effects-r1", 1, []string{"R = 1: no intervals", "topology×lifetime"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := filepath.Join(dir, tc.name)
			if err := PlotFactorialEffects(factorialFixture(t, tc.reps), "Effects of the four causes (made-up runs)", base); err != nil {
				t.Fatal(err)
			}
			w, h := pixels(factorialWidth, 2*effectPanelH+factorialChrome)
			checkPNG(t, base+".png", w, h)
			txt := svgText(t, base+".svg")
			for _, want := range tc.want {
				if !strings.Contains(txt, want) {
					t.Errorf("%s.svg lacks %q", tc.name, want)
				}
			}
		})
	}
	if err := PlotFactorialEffects(nil, "", filepath.Join(dir, "none")); err == nil {
		t.Error("no analysis accepted")
	}
}

func TestPlotFactorialCells(t *testing.T) {
	dir := outDir(t)
	base := filepath.Join(dir, "factorial-cells")
	a := factorialFixture(t, 5)
	if err := PlotFactorialCells(a, "Cell means (made-up runs)", base); err != nil {
		t.Fatal(err)
	}
	w, h := pixels(factorialWidth, 2*cellPanelH+factorialChrome-30)
	checkPNG(t, base+".png", w, h)
	txt := svgText(t, base+".svg")
	for _, want := range []string{"peak: mean per cell (MiB)", "throughput: mean per cell (req/s)", "topology per-worker", "listeners removed", "n=5"} {
		if !strings.Contains(txt, want) {
			t.Errorf("factorial-cells.svg lacks %q", want)
		}
	}
	// The all-leaky cell's mean is printed in its tile.
	var allHigh factorial.CellStat
	for _, cs := range a.Metrics[0].Cells {
		if bits.OnesCount32(uint32(cs.Cell)) == 4 { // every switch High
			allHigh = cs
		}
	}
	if label := strings.TrimSpace(formatTile(allHigh.Mean / results.MiB)); !strings.Contains(txt, label) {
		t.Errorf("factorial-cells.svg lacks the all-leaky peak %s", label)
	}
}

// formatTile is the label cellTiles writes for a mean.
func formatTile(v float64) string { return strconv.FormatFloat(v, 'f', decimals(v), 64) }
