package gate

import (
	"fmt"
	"math"
	"strings"

	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// Threshold says how much worse a metric may get before the gate fails.
// A change is a regression only when it exceeds BOTH the relative and the
// absolute figure, so that neither a large baseline (where 16 MiB is
// nothing) nor a tiny one (where +15% is nothing) fails on noise.
type Threshold struct {
	// Relative is the allowed worsening as a fraction of |baseline|:
	// 0.15 allows +15% (for throughput, a drop of 15%).
	Relative float64
	// Absolute is the noise floor in the metric's unit (bytes, bytes per
	// round, count, req/s): a worsening up to this much always passes.
	Absolute float64
	// Advisory makes a breach a warning instead of a regression.
	Advisory bool
}

// Exceeded reports whether going from base to now breaches the threshold
// for metric m, and by how much now is worse than base (positive = worse).
func (t Threshold) Exceeded(m metric.Metric, base, now float64) (bool, float64) {
	worse := now - base
	if m.HigherIsBetter() {
		worse = base - now
	}
	return worse > t.Absolute && worse > t.Relative*math.Abs(base), worse
}

// Describe renders the threshold as the gate's tables show it:
// "+15% & +16.0MiB", "any increase", "-30% (advisory)".
func (t Threshold) Describe(m metric.Metric) string { return t.describe(m) }

// describe renders the threshold for the table's limit column:
// "+15% & +16.0MiB", "any increase", "-30% (advisory)".
func (t Threshold) describe(m metric.Metric) string {
	sign := "+"
	if m.HigherIsBetter() {
		sign = "-"
	}
	var s string
	switch {
	case t.Relative == 0 && t.Absolute == 0:
		s = "any increase"
		if m.HigherIsBetter() {
			s = "any drop"
		}
	case t.Relative == 0:
		s = "more than " + sign + m.Format(t.Absolute)
	case t.Absolute == 0:
		s = fmt.Sprintf("%s%.0f%%", sign, t.Relative*100)
	default:
		s = fmt.Sprintf("%s%.0f%% & %s%s", sign, t.Relative*100, sign, m.Format(t.Absolute))
	}
	if t.Advisory {
		s += " (advisory)"
	}
	return s
}

// Thresholds are the gate's tunables: one Threshold per compared metric
// (metric.Gated), the margins the leaky control must keep above the
// stable scenarios, and when a spread between runs becomes a warning. DefaultThresholds documents the
// measurements the defaults come from.
type Thresholds struct {
	Peak         Threshold
	EndOfLoad    Threshold
	Retained     Threshold
	Settled      Threshold
	Slope        Threshold
	Instances    Threshold
	EndInstances Threshold
	Errors       Threshold
	Throughput   Threshold

	// Control is the rule the leaky control's medians must meet, against
	// the stable scenarios', to count as leaking (metric.LeakRule).
	Control metric.LeakRule

	// MaxSpread is the relative spread (max-min)/|median| of the R runs of
	// one metric above which the gate warns that the metric is noisy
	// (only when the range also exceeds the metric's absolute floor).
	MaxSpread float64
}

// DefaultThresholds returns the gate's defaults (the thresholds of every
// scenario never calibrated, see Calibration), set against the noise
// measured on the 2-core machine that made reports/baseline.json: one
// --update-baseline and five gates on unchanged code, R = 3, the quick
// scenarios (24 requests, 4 rounds), 60-67 s per gate, on a machine shared
// with other jobs (load average 2-3). All five passed. Medians of the six
// gate runs (MiB unless stated), the worst change of a gate against the
// baseline, and the range of the 18 single runs of each scenario:
//
//	quick-fixed         gate medians      worst change    single runs
//	  peak              193.8 .. 216.9    +12.9 (+6%)     173 .. 238
//	  end_of_load       121.2 .. 141.9    +15.6 (+12%)     98 .. 189
//	  retained           82.8 .. 101.7    +13.6 (+15%)     49 .. 128
//	  settled             1.0 .. 3.6      +1.7            0.95 .. 6.9
//	  slope (MiB/round)  -8.2 .. +1.9     -10.1          -44.7 .. +14.6
//	  instances 2-3, instances_end 0, errors 0 in every run
//	  throughput (req/s) 3.15 .. 3.47     -6%             2.8 .. 3.7
//	quick-leaky: settled medians 61.4 .. 64.6 (single runs 61.3 .. 67.8),
//	  retained 199.8 .. 249.0, slope 18.1 .. 47.5 MiB/round
//
// An earlier series on older code at load average 3-23 agreed: the slope
// median moved by +23 MiB/round between two gates, single runs of peak
// live instances were 4 or 5, throughput swung ±50%, settled stayed
// within 4 MiB.
//
// Hence, each as relative AND absolute, with 2-3× headroom over the worst
// change seen between gate runs:
//
//	peak                +15% and 32 MiB
//	end_of_load         +25% and 48 MiB (before any GC: its timing decides)
//	retained            +25% and 48 MiB (after idle, still before the settle GC)
//	settled             +15% and 16 MiB (after GC + FreeOSMemory: the steadiest)
//	slope               +15% and 16 MiB/round, ADVISORY: over four rounds the
//	                    round-end RSS follows the GC. Set Slope.Advisory =
//	                    false for scenarios with many rounds.
//	instances           more than +1 (peak live jitters by one with timing)
//	instances_end       any increase (an instance left open is a bug)
//	errors              any increase
//	throughput          -30%, ADVISORY: a memory gate must not fail on CPU noise
//
// The settled floor is metric.NoiseFloor. The leaky control must meet
// metric.DefaultLeakRule: settled 32 MiB above zero and above the stable
// scenarios (measured: about +60 MiB, steady to ±3 MiB), or retained
// 32 MiB and slope 16 MiB/round above them together. A spread of the R runs
// of a binding metric wider than its median (and than its absolute floor)
// is a warning; retained and end_of_load reach 50-80% within one gate.
func DefaultThresholds() Thresholds {
	return Thresholds{
		Peak:         Threshold{Relative: 0.15, Absolute: 32 * results.MiB},
		EndOfLoad:    Threshold{Relative: 0.25, Absolute: 48 * results.MiB},
		Retained:     Threshold{Relative: 0.25, Absolute: 48 * results.MiB},
		Settled:      Threshold{Relative: 0.15, Absolute: metric.NoiseFloor},
		Slope:        Threshold{Relative: 0.15, Absolute: metric.NoiseFloor, Advisory: true},
		Instances:    Threshold{Absolute: 1},
		EndInstances: Threshold{},
		Errors:       Threshold{},
		Throughput:   Threshold{Relative: 0.30, Advisory: true},
		Control:      metric.DefaultLeakRule(),
		MaxSpread:    1.0,
	}
}

// For returns the threshold of metric m; the zero Threshold for a metric
// the gate does not compare.
func (t Thresholds) For(m metric.Metric) Threshold {
	if f := t.field(m); f != nil {
		return *f
	}
	return Threshold{}
}

// field is where t holds the threshold of metric m; nil for a metric the
// gate does not compare.
func (t *Thresholds) field(m metric.Metric) *Threshold {
	switch m {
	case metric.Peak:
		return &t.Peak
	case metric.EndOfLoad:
		return &t.EndOfLoad
	case metric.Retained:
		return &t.Retained
	case metric.Settled:
		return &t.Settled
	case metric.Slope:
		return &t.Slope
	case metric.Instances:
		return &t.Instances
	case metric.EndInstances:
		return &t.EndInstances
	case metric.Errors:
		return &t.Errors
	case metric.Throughput:
		return &t.Throughput
	}
	return nil
}

// Validate reports every negative or non-finite figure, naming it.
func (t Thresholds) Validate() []error {
	var errs []error
	for _, m := range metric.Gated() {
		th := t.For(m)
		if !finite(th.Relative) || th.Relative < 0 {
			errs = append(errs, fmt.Errorf("gate: threshold %s: relative must be >= 0, is %g", m, th.Relative))
		}
		if !finite(th.Absolute) || th.Absolute < 0 {
			errs = append(errs, fmt.Errorf("gate: threshold %s: absolute must be >= 0, is %g", m, th.Absolute))
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"control memory", t.Control.Memory}, {"control slope", t.Control.Slope}, {"max spread", t.MaxSpread}} {
		if !finite(f.v) || f.v < 0 {
			errs = append(errs, fmt.Errorf("gate: %s must be >= 0, is %g", f.name, f.v))
		}
	}
	return errs
}

// String renders the thresholds on one line, for reports.
func (t Thresholds) String() string {
	parts := make([]string, 0, 10)
	for _, m := range metric.Gated() {
		parts = append(parts, m.String()+" "+t.For(m).describe(m))
	}
	parts = append(parts, fmt.Sprintf("leak control: %s or %s above the stable scenarios",
		metric.Retained.Format(t.Control.Memory), metric.Slope.Format(t.Control.Slope)))
	return strings.Join(parts, "; ")
}

// Floor returns the absolute noise floor of metric m, in its unit: the
// absolute figure of m's threshold for the metrics the gate compares; for
// the others, that of the gated metric measured alongside it (peak_hwm
// has peak's, growth and after_idle end_of_load's and retained's,
// after_settle settled's), and otherwise metric.NoiseFloor for memory (and
// per round for a slope) and 0 for counts, rates and durations, which
// have no measured floor. bench compare shows a difference within it as
// "~", and the A/B gate fails only past it.
func (t Thresholds) Floor(m metric.Metric) float64 {
	if m.Gated() {
		return t.For(m).Absolute
	}
	switch m {
	case metric.PeakHWM:
		return t.Peak.Absolute
	case metric.Growth:
		return t.EndOfLoad.Absolute
	case metric.AfterIdle:
		return t.Retained.Absolute
	case metric.AfterSettle:
		return t.Settled.Absolute
	case metric.SlopeCIHigh:
		return t.Slope.Absolute
	}
	switch m.Unit() {
	case metric.Bytes, metric.BytesPerRound:
		return metric.NoiseFloor
	}
	return 0
}
