package metric

import "github.com/leakbench/leakbench/internal/results"

// NoiseFloor is how much an RSS-derived memory figure of one scenario
// moves between runs of unchanged code, at the least: 16 MiB. Below it a
// difference is noise. The gate's absolute threshold for settled memory,
// the leak rule's margins and the reproduction's return-to-baseline check
// are all set from it; the measurements behind it are in
// gate.DefaultThresholds.
const NoiseFloor = 16 * results.MiB

// LeakRule is what "the leaky control still leaks" means, for bench run,
// bench gate and bench reproduce alike: the leak is seen in settled
// memory alone (after GC and FreeOSMemory: what is truly retained, the
// steadiest figure), or in retained memory and the slope together (each
// of those alone moves by tens of MiB on unchanged code, so alone it
// could make a blind control pass); each at least its margin above zero
// and above the stable scenarios measured beside it.
//
// The engine's own leak accounting (LeakedAfterSettle) is deliberately not
// a signal: it would keep reporting the leak even if the RSS sampling the
// other scenarios are judged by had gone blind.
type LeakRule struct {
	// Memory is the margin of settled and retained, bytes.
	Memory float64
	// Slope is the margin of the slope, bytes per round.
	Slope float64
}

// DefaultLeakRule returns the margins: twice the noise floor (32 MiB) for
// memory, the noise floor per round (16 MiB/round) for the slope. The
// quick-leaky control shows settled about 60 MiB, steady to ±3 MiB.
func DefaultLeakRule() LeakRule {
	return LeakRule{Memory: 2 * NoiseFloor, Slope: NoiseFloor}
}

// LeakSignals returns the metrics the rule reads: retained, settled and
// slope.
func LeakSignals() []Metric { return []Metric{Retained, Settled, Slope} }

// Margin returns the margin of one of LeakSignals.
func (r LeakRule) Margin(m Metric) float64 {
	if m == Slope {
		return r.Slope
	}
	return r.Memory
}

// Seen reports whether the control's figures (its value of each of
// LeakSignals, missing when unknown) show its leak against the highest
// figures of the stable scenarios (nil or missing: none, taken as 0).
func (r LeakRule) Seen(control, stable map[Metric]float64) bool {
	seen := func(m Metric) bool {
		v, ok := control[m]
		ref := max(stable[m], 0)
		return ok && v >= r.Margin(m) && v-ref >= r.Margin(m)
	}
	return seen(Settled) || seen(Retained) && seen(Slope)
}

// Leaks reports whether one run shows its leak on its own, with no stable
// scenario beside it: bench run's check of a scenario that expects a leak.
func (r LeakRule) Leaks(s results.Summary) bool {
	control := make(map[Metric]float64, 3)
	for _, m := range LeakSignals() {
		control[m] = m.Value(s)
	}
	return r.Seen(control, nil)
}
