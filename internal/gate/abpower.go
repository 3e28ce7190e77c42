package gate

import (
	"math/rand/v2"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/metric"
)

// The A/B gate's power: how likely it is to fail a head build that leaks
// a given number of bytes per request more than base, at R runs per
// build, and the R at which it would catch that leak in CatchShare of
// gates.
//
// It is measured by resampling the gate's own runs: each metric's noise
// is the runs' deviations from their own build's median, pooled over the
// two builds; a trial draws R deviations for base and R for head (with
// replacement), adds base's median to both and the leak's total
// (bytes per request × requests per run, assumed to show in full in the
// metric) to head's, and judges them by the A/B gate's own rule (abFails:
// compare.Diff at α = 0.05, then Threshold.Exceeded).

// Bounds of the A/B gate's power.
const (
	abPowerTrials = 200 // trials per metric and R
	// MaxABPowerRuns is the largest R per build searched for CatchShare.
	MaxABPowerRuns = 20
)

// ABPower is the power of the A/B gate on one metric of one scenario.
type ABPower struct {
	Metric metric.Metric
	Shift  float64 // the leak's total per run, in the metric's unit
	Runs   int     // R per build of this gate
	Power  float64 // share of trials caught at Runs
	// Needed is the least R per build caught in CatchShare of trials, 0
	// when none up to MaxABPowerRuns is.
	Needed int
}

// ABPowers measures the power of every metric of PowerMetrics for a leak
// of perRequest bytes per request, over requests requests a run, at runs
// runs per build, from the values of both builds' runs; seed seeds the
// resampling, so the same runs give the same figures.
func ABPowers(base, head map[metric.Metric][]float64, requests int, perRequest uint64, runs int, th Thresholds, seed uint64) []ABPower {
	rng := rand.New(rand.NewPCG(seed, 25))
	var out []ABPower
	for _, m := range PowerMetrics() {
		b, h := base[m], head[m]
		if len(b) == 0 || len(h) == 0 {
			continue
		}
		p := ABPower{Metric: m, Shift: float64(perRequest) * float64(requests), Runs: runs}
		center := compare.Median(b)
		var dev []float64
		for _, v := range b {
			dev = append(dev, v-center)
		}
		hm := compare.Median(h)
		for _, v := range h {
			dev = append(dev, v-hm)
		}
		cm := CompareMetrics([]metric.Metric{m})[0]
		t := th.For(m)
		power := func(r int) float64 {
			caught := 0
			x, y := make([]float64, r), make([]float64, r)
			for range abPowerTrials {
				for i := range r {
					x[i] = center + dev[rng.IntN(len(dev))]
					y[i] = center + p.Shift + dev[rng.IntN(len(dev))]
				}
				if fails, _ := abFails(m, compare.Diff(cm, x, y, compare.DefaultAlpha, 0), t); fails {
					caught++
				}
			}
			return float64(caught) / abPowerTrials
		}
		p.Power = power(runs)
		p.Needed = neededABRuns(runs, p.Power, power)
		out = append(out, p)
	}
	return out
}

// neededABRuns is the least R per build from MinABRuns to MaxABPowerRuns
// whose power reaches CatchShare, 0 when none does: a binary search, the
// power growing with R (known at runs already).
func neededABRuns(runs int, atRuns float64, power func(int) float64) int {
	at := func(r int) float64 {
		if r == runs {
			return atRuns
		}
		return power(r)
	}
	lo, hi := MinABRuns, MaxABPowerRuns
	if at(hi) < CatchShare {
		return 0
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if at(mid) >= CatchShare {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
