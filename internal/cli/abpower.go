package cli

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
)

// The A/B gate's power: how likely it is to fail a head build that leaks
// a given number of bytes per request more than base, at R runs per
// build, and the R at which it would catch that leak in 95% of gates.
//
// It is measured by resampling the gate's own runs: each metric's noise
// is the runs' deviations from their own build's median, pooled over the
// two builds; a trial draws R deviations for base and R for head (with
// replacement), adds base's median to both and the leak's total
// (bytes per request × requests per run, assumed to show in full in the
// metric) to head's, and judges them by the A/B gate's own rule
// (compare.Diff at α = 0.05, then gate.Threshold.Exceeded).

// Defaults of the A/B gate's power.
const (
	defaultPowerLeak = 256 << 10 // bytes per request, the leak of issue 25's small engine
	powerTrials      = 200       // trials per metric and R
	maxPowerRuns     = 20        // the largest R searched for 95% power
)

// abPower is the power of the A/B gate on one metric of one scenario.
type abPower struct {
	Metric metric.Metric
	Shift  float64 // the leak's total per run, in the metric's unit
	Runs   int     // R per build of this gate
	Power  float64 // share of trials caught at Runs
	// Needed is the least R per build caught in gate.CatchShare of
	// trials, 0 when none up to maxPowerRuns is.
	Needed int
}

// abPowers measures the power of every metric of gate.PowerMetrics for a
// leak of perRequest bytes, from the runs of both builds.
func abPowers(base, head map[metric.Metric][]float64, requests int, perRequest uint64, runs int, th gate.Thresholds, seed uint64) []abPower {
	rng := rand.New(rand.NewPCG(seed, 25))
	var out []abPower
	for _, m := range gate.PowerMetrics() {
		b, h := base[m], head[m]
		if len(b) == 0 || len(h) == 0 {
			continue
		}
		p := abPower{Metric: m, Shift: float64(perRequest) * float64(requests), Runs: runs}
		center := compare.Median(b)
		var dev []float64
		for _, v := range b {
			dev = append(dev, v-center)
		}
		hm := compare.Median(h)
		for _, v := range h {
			dev = append(dev, v-hm)
		}
		cm := compareMetrics([]metric.Metric{m})[0]
		t := th.For(m)
		power := func(r int) float64 {
			caught := 0
			x, y := make([]float64, r), make([]float64, r)
			for range powerTrials {
				for i := range r {
					x[i] = center + dev[rng.IntN(len(dev))]
					y[i] = center + p.Shift + dev[rng.IntN(len(dev))]
				}
				d := compare.Diff(cm, x, y, compare.DefaultAlpha, 0)
				if ex, _ := t.Exceeded(m, d.Ref.Median, d.New.Median); d.Verdict == compare.Worse && ex {
					caught++
				}
			}
			return float64(caught) / powerTrials
		}
		p.Power = power(runs)
		p.Needed = neededRuns(runs, p.Power, power)
		out = append(out, p)
	}
	return out
}

// neededRuns is the least R per build from minABRuns to maxPowerRuns
// whose power reaches gate.CatchShare, 0 when none does: a binary search,
// the power growing with R (known at runs already).
func neededRuns(runs int, atRuns float64, power func(int) float64) int {
	at := func(r int) float64 {
		if r == runs {
			return atRuns
		}
		return power(r)
	}
	lo, hi := minABRuns, maxPowerRuns
	if at(hi) < gate.CatchShare {
		return 0
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if at(mid) >= gate.CatchShare {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// powerText renders a scenario's A/B power on one line.
func powerText(ps []abPower, perRequest uint64) string {
	if len(ps) == 0 {
		return ""
	}
	var parts []string
	for _, p := range ps {
		need := fmt.Sprintf("95%% needs more than %d runs", maxPowerRuns)
		if p.Needed > 0 {
			need = fmt.Sprintf("95%% at %d runs per build", p.Needed)
		}
		parts = append(parts, fmt.Sprintf("%s %.0f%% (%s)", p.Metric, 100*p.Power, need))
	}
	return fmt.Sprintf("power for a leak of %s per request (%s per run, assumed in full in each metric) at %d runs per build: %s",
		metric.FormatSize(perRequest), metric.FormatSize(uint64(ps[0].Shift)), ps[0].Runs, strings.Join(parts, "; "))
}
