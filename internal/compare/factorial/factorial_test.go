package factorial

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/compare"
)

const mib = 1 << 20

// causes is leakbench's design: the leaky level is High, so an effect is
// what a cause costs.
var causes = []Switch{
	{Name: "topology", Low: "pipeline", High: "per-worker"},
	{Name: "lifetime", Low: "fresh", High: "reuse"},
	{Name: "views", Low: "cleared", High: "leaked"},
	{Name: "listeners", Low: "removed", High: "leaked"},
}

// truth is a fake runner's model of one metric: a grand mean, a known
// effect (High − Low) per switch, one interacting pair and its effect
// (in the package's convention), and the noise. Additive models y; log
// models ln y, so its effects are log ratios.
type truth struct {
	mu     float64
	main   map[string]float64
	pair   [2]string
	pairFx float64
	sigma  float64
	log    bool
}

// effect is the true value of an effect named as Effect.Name.
func (tr truth) effect(name string) float64 {
	if name == tr.pair[0]+"×"+tr.pair[1] {
		return tr.pairFx
	}
	return tr.main[name] // 0 for a pair that does not interact
}

// simulate is the fake runner: reps runs of every cell, each metric drawn
// from its truth with seeded Gaussian noise.
func simulate(d Design, metrics map[string]truth, reps int, seed uint64) []Run {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	idx := map[string]int{}
	for i, s := range d.Switches() {
		idx[s.Name] = i
	}
	names := make([]string, 0, len(metrics))
	for name := range metrics {
		names = append(names, name)
	}
	slices.Sort(names) // one order of draws per seed
	var runs []Run
	for _, c := range d.Cells() {
		for range reps {
			run := Run{Levels: map[string]string{}, Values: map[string]float64{}}
			for i, l := range d.Levels(c) {
				run.Levels[d.switches[i].Name] = l
			}
			for _, name := range names {
				tr := metrics[name]
				y := tr.mu
				if tr.log {
					y = math.Log(tr.mu)
				}
				for s, fx := range tr.main {
					y += fx / 2 * c.sign(idx[s])
				}
				if tr.pair[0] != "" {
					y += tr.pairFx / 2 * c.sign(idx[tr.pair[0]]) * c.sign(idx[tr.pair[1]])
				}
				y += tr.sigma * r.NormFloat64()
				if tr.log {
					y = math.Exp(y)
				}
				run.Values[name] = y
			}
			runs = append(runs, run)
		}
	}
	r.Shuffle(len(runs), func(i, j int) { runs[i], runs[j] = runs[j], runs[i] })
	return runs
}

var (
	peakTruth = truth{mu: 2000 * mib, sigma: 40 * mib,
		main: map[string]float64{"topology": 2000 * mib, "lifetime": 300 * mib, "views": 150 * mib, "listeners": 60 * mib},
		pair: [2]string{"lifetime", "listeners"}, pairFx: 100 * mib}
	// Reusing instances is faster: the fix of lifetime costs throughput.
	throughputTruth = truth{mu: 3, sigma: 0.1,
		main: map[string]float64{"topology": -0.2, "lifetime": 1.0, "views": 0, "listeners": -0.05}}
	// Retained memory multiplies: effects are log ratios, one pair interacts.
	retainedTruth = truth{mu: 300 * mib, sigma: 0.08, log: true,
		main: map[string]float64{"topology": math.Log(3), "lifetime": math.Log(1.5), "views": math.Log(1.2), "listeners": 0},
		pair: [2]string{"topology", "views"}, pairFx: math.Log(1.3)}

	fakeMetrics = []compare.Metric{
		{Name: "peak", Unit: "B"},
		{Name: "throughput", Unit: "req/s", HigherIsBetter: true},
		{Name: "retained", Unit: "B"},
	}
)

func mustDesign(t *testing.T, s ...Switch) Design {
	t.Helper()
	d, err := NewDesign(s...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAnalyze_RecoversKnownEffects is the must-show test: over 200 seeds
// of the fake runner, the factorial recovers every effect within its
// (simultaneous) interval and flags the one interacting pair and no
// other, each in at least 180 of 200 seeds. A correct method does so in
// about 95% (measured over 3000 other seeds: 95.1%, 95.3% and 95.9% for
// the three metrics), so 180 lies three standard deviations below. It
// also checks that the individual 95% intervals are neither too narrow
// nor too wide: they cover the truth in 92-98% of the 6000 (effect,
// seed) pairs, so a method with intervals twice too wide fails as well.
func TestAnalyze_RecoversKnownEffects(t *testing.T) {
	d := mustDesign(t, causes...)
	truths := map[string]truth{"peak": peakTruth, "throughput": throughputTruth, "retained": retainedTruth}
	const seeds = 200
	allCovered := map[string]int{}
	exactFlags := map[string]int{}
	individual, individualTotal := 0, 0
	memoryAnswer, throughputAnswer := 0, 0
	for seed := range uint64(seeds) {
		a, err := Analyze(d, fakeMetrics, simulate(d, truths, 5, seed), Options{})
		if err != nil {
			t.Fatal(err)
		}
		ans, err := a.Answer("peak", "throughput")
		if err != nil {
			t.Fatal(err)
		}
		if ans.Memory.Switch.Name == "topology" && ans.Memory.Worse == "per-worker" && ans.Memory.Change > 0 {
			memoryAnswer++
		}
		if ans.Throughput.Switch.Name == "lifetime" && ans.Throughput.Worse == "fresh" && ans.Throughput.Change < 0 {
			throughputAnswer++
		}
		for _, me := range a.Metrics {
			tr := truths[me.Metric.Name]
			if me.DF != 80-16 || len(me.Effects) != 10 {
				t.Fatalf("%s: DF %d, %d effects", me.Metric.Name, me.DF, len(me.Effects))
			}
			all := true
			for _, e := range me.Effects {
				want := tr.effect(e.Name())
				lo, hi, simLo, simHi := e.Lo, e.Hi, e.SimLo, e.SimHi
				if tr.log {
					want = math.Exp(want)
					lo, hi, simLo, simHi = e.RatioLo, e.RatioHi, e.RatioSimLo, e.RatioSimHi
				}
				if !(simLo <= want && want <= simHi) {
					all = false
				}
				individualTotal++
				if lo <= want && want <= hi {
					individual++
				}
			}
			if all {
				allCovered[me.Metric.Name]++
			}
			// Interactions are judged on the scale the truth adds on.
			scale := Difference
			if tr.log {
				scale = Ratio
			}
			var flagged []string
			for _, in := range ans.Interactions {
				if in.Metric.Name == me.Metric.Name && in.Scale == scale {
					flagged = append(flagged, in.Effect.Name())
				}
			}
			var want []string
			if tr.pair[0] != "" {
				want = []string{tr.pair[0] + "×" + tr.pair[1]}
			}
			if slices.Equal(flagged, want) {
				exactFlags[me.Metric.Name]++
			}
		}
	}
	for _, m := range fakeMetrics {
		if allCovered[m.Name] < seeds*9/10 {
			t.Errorf("%s: every effect within its simultaneous interval in %d of %d seeds, want >= 90%%", m.Name, allCovered[m.Name], seeds)
		}
		if exactFlags[m.Name] < seeds*9/10 {
			t.Errorf("%s: exactly the true interactions flagged in %d of %d seeds, want >= 90%%", m.Name, exactFlags[m.Name], seeds)
		}
	}
	if lo, hi := 0.92*float64(individualTotal), 0.98*float64(individualTotal); float64(individual) < lo || float64(individual) > hi {
		t.Errorf("individual 95%% intervals covered the truth %d of %d times, want %.0f..%.0f", individual, individualTotal, lo, hi)
	}
	if memoryAnswer < seeds || throughputAnswer < seeds {
		t.Errorf("costliest switch right in %d (memory) and %d (throughput) of %d seeds", memoryAnswer, throughputAnswer, seeds)
	}
	t.Logf("all effects covered (of %d): %v; exact interaction flags: %v; individual coverage %d/%d",
		seeds, allCovered, exactFlags, individual, individualTotal)
}

func TestAnalyze_ExactOnNoiseFreeUnbalancedData(t *testing.T) {
	// Without noise the contrasts recover the effects exactly, whatever the
	// replicate counts per cell.
	d := mustDesign(t, causes[:3]...)
	tr := truth{mu: 100, main: map[string]float64{"topology": 40, "lifetime": -10, "views": 3},
		pair: [2]string{"topology", "views"}, pairFx: 6}
	var runs []Run
	for i, c := range d.Cells() {
		for _, r := range simulate(mustDesign(t, causes[:3]...), map[string]truth{"m": tr}, 1+i%3, uint64(i)) {
			if cc, _ := d.CellOf(r.Levels); cc == c {
				runs = append(runs, r)
			}
		}
	}
	a, err := Analyze(d, []compare.Metric{{Name: "m"}}, runs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	me := a.Metrics[0]
	for _, e := range me.Effects {
		if want := tr.effect(e.Name()); math.Abs(e.Diff-want) > 1e-9 {
			t.Errorf("%s: %v, want %v", e.Name(), e.Diff, want)
		}
	}
	if me.Effects[0].Name() != "topology" || me.Effects[1].Name() != "lifetime" || me.Effects[2].Name() != "topology×views" {
		t.Errorf("not sorted by size: %s, %s, %s", me.Effects[0].Name(), me.Effects[1].Name(), me.Effects[2].Name())
	}
}

func TestAnalyze_OneRunPerCellHasNoInterval(t *testing.T) {
	d := mustDesign(t, causes...)
	a, err := Analyze(d, fakeMetrics, simulate(d, map[string]truth{"peak": peakTruth, "throughput": throughputTruth, "retained": retainedTruth}, 1, 7), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, me := range a.Metrics {
		if me.DF != 0 || !strings.Contains(strings.Join(me.Warnings, ";"), "R = 1") {
			t.Errorf("%s: DF %d, warnings %q", me.Metric.Name, me.DF, me.Warnings)
		}
		for _, e := range me.Effects {
			if e.HasInterval() || e.Excludes0() {
				t.Errorf("%s %s has an interval with R = 1", me.Metric.Name, e.Name())
			}
		}
	}
	ans, err := a.Answer("peak", "throughput")
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Interactions) != 0 || len(ans.NoInterval) != 3 {
		t.Errorf("R = 1: interactions %v, no interval %v", ans.Interactions, ans.NoInterval)
	}
	if ans.Memory.Switch.Name != "topology" {
		t.Errorf("the point estimate still answers: got %q", ans.Memory.Switch.Name)
	}
	var b bytes.Buffer
	if err := a.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "(no interval)") || !strings.Contains(ans.String(), "No interval, so no claim") {
		t.Errorf("R = 1 output does not say there is no interval:\n%s\n%s", b.String(), ans.String())
	}
}

func TestAnalyze_Errors(t *testing.T) {
	d := mustDesign(t, causes[:2]...)
	for _, tc := range []struct {
		name string
		runs []Run
		want string
	}{
		{"unknown level", []Run{{Levels: map[string]string{"topology": "pipeline", "lifetime": "forever"}}},
			`run 1: factorial: switch lifetime: level "forever" is neither "fresh" nor "reuse"`},
		{"missing switch", []Run{{Levels: map[string]string{"topology": "pipeline"}}}, "run 1: factorial: run has no level for switch lifetime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Analyze(d, fakeMetrics, tc.runs, Options{})
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	// An empty cell: the metric gets a warning, not a panic.
	a, err := Analyze(d, fakeMetrics[:1], []Run{{Levels: map[string]string{"topology": "pipeline", "lifetime": "fresh"}, Values: map[string]float64{"peak": 1}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(a.Metrics[0].Warnings, ";"); len(a.Metrics[0].Effects) != 0 || !strings.Contains(w, "3 of 4 cells have no run") {
		t.Errorf("empty cells: effects %v, warnings %q", a.Metrics[0].Effects, w)
	}
	for _, bad := range [][]Switch{nil, {{Name: "a", Low: "x", High: "x"}}, {{Name: "a", Low: "x", High: "y"}, {Name: "a", Low: "p", High: "q"}}} {
		if _, err := NewDesign(bad...); err == nil {
			t.Errorf("NewDesign(%v) accepted", bad)
		}
	}
}

func TestAnswers_Text(t *testing.T) {
	d := mustDesign(t, causes...)
	a, err := Analyze(d, fakeMetrics, simulate(d, map[string]truth{"peak": peakTruth, "throughput": throughputTruth, "retained": retainedTruth}, 5, 1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := a.Answer("peak", "throughput")
	if err != nil {
		t.Fatal(err)
	}
	s := ans.String()
	for _, want := range []string{"Costs most memory (peak): topology: per-worker +", "against pipeline, ×",
		"Costs most throughput (throughput): lifetime: fresh -", "lifetime×listeners in peak +", "(difference)", "topology×views in retained ×", "(ratio)"} {
		if !strings.Contains(s, want) {
			t.Errorf("answers lack %q:\n%s", want, s)
		}
	}
	if _, err := a.Answer("nope", "throughput"); err == nil || !strings.Contains(err.Error(), "no metric nope") {
		t.Errorf("unknown metric: %v", err)
	}
	var txt, md bytes.Buffer
	if err := a.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	if err := a.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s\n%s", txt.String(), s)
	if !strings.Contains(txt.String(), "peak: 80 runs in 16 cells, 64 degrees of freedom") || !strings.Contains(md.String(), "|---|---:|---:|:-:|") {
		t.Errorf("layout:\n%s\n%s", txt.String(), md.String())
	}
}
