package gate

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/combin"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// Calibration is what bench gate --calibrate measured of one stable
// scenario on this machine, kept in the baseline beside its medians: the
// thresholds it chose for the memory metrics and the figures that justify
// them. A scenario with a calibration is judged by its thresholds; one
// without, by DefaultThresholds.
//
// How it is measured. The scenario runs Runs times unchanged. A trial
// draws GateRuns of them as "now" and takes the others as the baseline,
// and compares their medians by the gate's own rule (compare.Median):
// every such split is a trial (Resamples of them, all of them when there
// are at most maxResamples, else maxResamples spread evenly over them).
// The differences of these trials are the metric's null distribution:
// what unchanged code produces. A metric's threshold is the (1 - α)
// quantile of a normal distribution fitted to it (mean and standard
// deviation), where α is the gate's false-alarm target split evenly over
// every calibrated metric of every stable scenario gated together, and
// never below the largest difference any trial saw, nor below one page
// of memory (RSS's resolution). Then the scenario runs again with leaks
// injected (Scenario.InjectLeak) of increasing sizes, and a trial of each
// size compares the median of GateRuns injected runs with the median of
// each baseline split of the unchanged runs: the share of trials past the
// threshold is the power at that size.
type Calibration struct {
	// Runs is the number of unchanged runs; GateRuns the runs per
	// scenario of the gate calibrated for (a trial's "now").
	Runs     int `json:"runs"`
	GateRuns int `json:"gate_runs"`
	// Requests is the median number of requests per run: an injected
	// leak's total per run is PerRequest × Requests.
	Requests int `json:"requests"`
	// Target is the gate-wide false-alarm rate the thresholds were chosen
	// for; Tests is the number of calibrated metrics it was split over.
	Target float64 `json:"false_alarm_target"`
	Tests  int     `json:"tests"`
	// FalseAlarm is the scenario's false-alarm rate under the fitted
	// normal model at the chosen thresholds: the chance that at least
	// one of its calibrated metrics fails on unchanged code.
	FalseAlarm float64 `json:"false_alarm"`
	// Resamples is the number of trials on unchanged runs; Alarms how
	// many of them failed a calibrated metric at the chosen thresholds,
	// DefaultAlarms how many at DefaultThresholds.
	Resamples     int `json:"resamples"`
	Alarms        int `json:"alarms"`
	DefaultAlarms int `json:"default_alarms"`
	// Metrics holds each calibrated metric's threshold and figures.
	Metrics map[metric.Metric]MetricCalibration `json:"metrics"`
}

// MetricCalibration is one metric's calibrated threshold and the figures
// it was chosen from, in the metric's unit.
type MetricCalibration struct {
	// Threshold is how much worse than the baseline's median the median
	// of the gate's runs may be before the gate fails (absolute; the
	// calibrated threshold has no relative part).
	Threshold float64 `json:"threshold"`
	// Noise is the standard deviation of single unchanged runs; NullMean
	// and NullSD those of the trials' differences of medians.
	Noise    float64 `json:"noise"`
	NullMean float64 `json:"null_mean"`
	NullSD   float64 `json:"null_sd"`
	// MaxNull is the largest difference a trial on unchanged runs saw.
	MaxNull float64 `json:"max_null"`
	// FalseAlarm is the chance, under the fitted normal model, that the
	// metric alone fails on unchanged code.
	FalseAlarm float64 `json:"false_alarm"`
	// Power is the share of trials that caught each injected leak, from
	// the smallest; Catches is the smallest leak per request caught in at
	// least CatchShare of them (0: none of those tried).
	Power   []PowerPoint `json:"power,omitempty"`
	Catches uint64       `json:"catches,omitempty"`
}

// PowerPoint is the power of the gate at one injected leak size.
type PowerPoint struct {
	PerRequest uint64  `json:"per_request"` // bytes retained per request
	Runs       int     `json:"runs"`        // injected runs measured
	Shift      float64 `json:"shift"`       // median of the injected runs minus that of the unchanged ones
	Trials     int     `json:"trials"`
	Caught     int     `json:"caught"`
}

// Share is Caught / Trials, NaN without trials.
func (p PowerPoint) Share() float64 {
	if p.Trials == 0 {
		return math.NaN()
	}
	return float64(p.Caught) / float64(p.Trials)
}

// CatchShare is the share of trials a leak must be caught in for the
// calibration to say the gate catches it.
const CatchShare = 0.95

// maxResamples bounds the trials of one calibration: more splits than
// this are sampled evenly.
const maxResamples = 5000

// CalibratedMetrics are the metrics a calibration sets thresholds for:
// the memory figures the gate fails on. The others keep their default
// thresholds (counts have no noise to calibrate; the slope and the
// throughput are advisory).
func CalibratedMetrics() []metric.Metric {
	return []metric.Metric{metric.Peak, metric.EndOfLoad, metric.Retained, metric.Settled}
}

// PowerMetrics are the metrics whose smallest caught leak the gate's
// reports state.
func PowerMetrics() []metric.Metric {
	return []metric.Metric{metric.Settled, metric.Retained, metric.Peak}
}

// CalibrateConfig says what to calibrate for.
type CalibrateConfig struct {
	GateRuns   int     // runs per scenario of the gate (R)
	FalseAlarm float64 // gate-wide false-alarm target, in (0, 1)
	Defaults   Thresholds
}

// CalibrateNoise is the first step of a calibration: from the unchanged
// runs of every scenario gated together it chooses the thresholds of
// each stable scenario (see Calibration). Leaky controls get none: their
// comparisons are advisory. It refuses too few runs: a trial needs
// GateRuns of them as "now" and as many again as its baseline.
func CalibrateNoise(ms []Measurement, cfg CalibrateConfig) (map[string]*Calibration, error) {
	if cfg.GateRuns < 1 {
		return nil, fmt.Errorf("gate: calibrating for %d runs per scenario: want at least 1", cfg.GateRuns)
	}
	if !(cfg.FalseAlarm > 0 && cfg.FalseAlarm < 1) {
		return nil, fmt.Errorf("gate: false-alarm target %g: want a rate between 0 and 1", cfg.FalseAlarm)
	}
	var stable []Measurement
	for _, m := range ms {
		if m.Expect != metric.ExpectStable {
			continue
		}
		if n := len(m.Runs); n < 2*cfg.GateRuns {
			return nil, fmt.Errorf("gate: calibrating %s: %d unchanged run(s), want at least %d (twice the gate's %d runs)", m.Scenario, n, 2*cfg.GateRuns, cfg.GateRuns)
		}
		if err := completed(m); err != nil {
			return nil, err
		}
		stable = append(stable, m)
	}
	if len(stable) == 0 {
		return nil, errors.New("gate: nothing to calibrate: no stable scenario (a leaky control's comparisons are advisory)")
	}
	tests := len(stable) * len(CalibratedMetrics())
	alpha := cfg.FalseAlarm / float64(tests)
	z := distuv.UnitNormal.Quantile(1 - alpha)
	out := map[string]*Calibration{}
	for _, m := range stable {
		splits := nowSplits(len(m.Runs), cfg.GateRuns)
		c := &Calibration{
			Runs: len(m.Runs), GateRuns: cfg.GateRuns, Requests: m.baseline().Requests,
			Target: cfg.FalseAlarm, Tests: tests, Resamples: len(splits),
			Metrics: map[metric.Metric]MetricCalibration{},
		}
		quiet := 1.0
		for _, met := range CalibratedMetrics() {
			vals := values(m.Runs, met)
			null := make([]float64, len(splits))
			for i, now := range splits {
				null[i] = worseBy(met, compare.Median(pick(vals, complement(now, len(vals)))), compare.Median(pick(vals, now)))
			}
			mean, sd := stat.MeanStdDev(null, nil)
			mc := MetricCalibration{Noise: stat.StdDev(vals, nil), NullMean: mean, NullSD: sd, MaxNull: slices.Max(null)}
			mc.Threshold = max(mean+z*sd, mc.MaxNull, float64(os.Getpagesize()))
			mc.FalseAlarm = tail(mc.Threshold, mean, sd)
			quiet *= 1 - mc.FalseAlarm
			c.Metrics[met] = mc
		}
		c.FalseAlarm = 1 - quiet
		th := c.Thresholds(cfg.Defaults)
		for _, now := range splits {
			base, cur := pick(m.Runs, complement(now, len(m.Runs))), pick(m.Runs, now)
			if alarms(th, base, cur) {
				c.Alarms++
			}
			if alarms(cfg.Defaults, base, cur) {
				c.DefaultAlarms++
			}
		}
		out[m.Scenario] = c
	}
	return out, nil
}

// Injected is the runs of a scenario with one injected leak.
type Injected struct {
	PerRequest uint64
	Runs       []results.Summary
}

// MeasurePower is the second step of a calibration: the power of the
// thresholds at each injected size, against the scenario's unchanged
// runs (the same that CalibrateNoise had), and the smallest size caught.
func (c *Calibration) MeasurePower(unchanged []results.Summary, injected []Injected) error {
	if len(unchanged) != c.Runs {
		return fmt.Errorf("gate: measuring power: %d unchanged runs, the calibration had %d", len(unchanged), c.Runs)
	}
	sorted := slices.Clone(injected)
	slices.SortFunc(sorted, func(a, b Injected) int { return cmp.Compare(a.PerRequest, b.PerRequest) })
	bases := nowSplits(len(unchanged), c.GateRuns)
	for _, met := range CalibratedMetrics() {
		mc := c.Metrics[met]
		mc.Power, mc.Catches = nil, 0
		vals := values(unchanged, met)
		for _, inj := range sorted {
			if err := completed(Measurement{Scenario: fmt.Sprintf("injected %s", metric.FormatSize(inj.PerRequest)), Runs: inj.Runs}); err != nil {
				return err
			}
			if len(inj.Runs) < c.GateRuns {
				return fmt.Errorf("gate: measuring power at %s per request: %d run(s), want at least the gate's %d", metric.FormatSize(inj.PerRequest), len(inj.Runs), c.GateRuns)
			}
			iv := values(inj.Runs, met)
			p := PowerPoint{PerRequest: inj.PerRequest, Runs: len(inj.Runs), Shift: worseBy(met, compare.Median(vals), compare.Median(iv))}
			for _, now := range nowSplits(len(iv), c.GateRuns) {
				cur := compare.Median(pick(iv, now))
				for _, b := range bases {
					p.Trials++
					if worseBy(met, compare.Median(pick(vals, complement(b, len(vals)))), cur) > mc.Threshold {
						p.Caught++
					}
				}
			}
			if mc.Catches == 0 && p.Share() >= CatchShare {
				mc.Catches = p.PerRequest
			}
			mc.Power = append(mc.Power, p)
		}
		c.Metrics[met] = mc
	}
	return nil
}

// Thresholds returns the thresholds the calibration sets: defaults, with
// each calibrated metric's threshold absolute only and non-advisory
// as in defaults.
func (c *Calibration) Thresholds(defaults Thresholds) Thresholds {
	th := defaults
	if c == nil {
		return th
	}
	for met, mc := range c.Metrics {
		if slices.Contains(CalibratedMetrics(), met) {
			*th.field(met) = Threshold{Absolute: mc.Threshold, Advisory: defaults.For(met).Advisory}
		}
	}
	return th
}

// Ladder proposes the injected leak sizes per request to measure power
// at: from half the smallest per-request threshold of the PowerMetrics
// to twice the largest, doubling, at most n sizes (the step grows to fit),
// each rounded up to a whole KiB.
func (c *Calibration) Ladder(n int) []uint64 {
	if n < 1 || c.Requests < 1 {
		return nil
	}
	lo, hi := math.Inf(1), 0.0
	for _, met := range PowerMetrics() {
		per := c.Metrics[met].Threshold / float64(c.Requests)
		lo, hi = min(lo, per/2), max(hi, 2*per)
	}
	step := 2.0
	if n > 1 {
		step = max(step, math.Pow(hi/lo, 1/float64(n-1)))
	}
	var out []uint64
	for s := lo; len(out) < n; s *= step {
		kib := uint64(math.Ceil(s / 1024))
		out = append(out, max(kib, 1)*1024)
		if s >= hi {
			break
		}
	}
	return slices.Compact(out)
}

// Validate reports the inconsistencies of a calibration read from a file.
func (c *Calibration) Validate() []error {
	var errs []error
	if c.Runs < 2*c.GateRuns || c.GateRuns < 1 {
		errs = append(errs, fmt.Errorf("calibration of %d runs for a gate of %d: want gate runs >= 1 and twice as many runs", c.Runs, c.GateRuns))
	}
	for met, mc := range c.Metrics {
		if !slices.Contains(CalibratedMetrics(), met) {
			errs = append(errs, fmt.Errorf("calibration: metric %s is not calibrated (only %v are)", met, CalibratedMetrics()))
		}
		if !finite(mc.Threshold) || mc.Threshold <= 0 {
			errs = append(errs, fmt.Errorf("calibration: metric %s: threshold %g: want a positive figure", met, mc.Threshold))
		}
	}
	return errs
}

// alarms reports whether a gate comparing cur's medians with base's would
// fail a calibrated metric under th.
func alarms(th Thresholds, base, cur []results.Summary) bool {
	for _, met := range CalibratedMetrics() {
		t := th.For(met)
		if t.Advisory {
			continue
		}
		if ex, _ := t.Exceeded(met, compare.Median(values(base, met)), compare.Median(values(cur, met))); ex {
			return true
		}
	}
	return false
}

// completed reports the first run of m that did not complete: a
// calibration, like a baseline, comes from clean runs only.
func completed(m Measurement) error {
	if len(m.Failures) > 0 {
		return fmt.Errorf("gate: calibrating %s: %d run(s) failed, first: %v", m.Scenario, len(m.Failures), m.Failures[0])
	}
	for i, s := range m.Runs {
		if s.Outcome != results.OutcomeCompleted {
			return fmt.Errorf("gate: calibrating %s: run %d ended %q, not completed", m.Scenario, i+1, s.Outcome)
		}
	}
	return nil
}

// nowSplits returns the trials' "now" runs: every choice of k of n run
// indices, or maxResamples of them spread evenly over all choices.
func nowSplits(n, k int) [][]int {
	total := combin.Binomial(n, k)
	if total <= maxResamples {
		return combin.Combinations(n, k)
	}
	out := make([][]int, maxResamples)
	for i := range out {
		out[i] = combin.IndexToCombination(nil, i*total/maxResamples, n, k)
	}
	return out
}

// complement returns the indices below n that are not in idx (sorted).
func complement(idx []int, n int) []int {
	out := make([]int, 0, n-len(idx))
	for i := range n {
		if !slices.Contains(idx, i) {
			out = append(out, i)
		}
	}
	return out
}

// values returns metric met of each run.
func values(runs []results.Summary, met metric.Metric) []float64 {
	out := make([]float64, len(runs))
	for i := range runs {
		out[i] = met.Value(runs[i])
	}
	return out
}

// pick returns vals at idx.
func pick[T any](vals []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = vals[j]
	}
	return out
}

// worseBy is how much worse now is than base for metric m (positive =
// worse), as Threshold.Exceeded measures it.
func worseBy(m metric.Metric, base, now float64) float64 {
	_, w := Threshold{}.Exceeded(m, base, now)
	return w
}

// tail is P(X > x) for X normal with the given mean and standard
// deviation; 0 or 1 for a deviation of zero.
func tail(x, mean, sd float64) float64 {
	if sd == 0 {
		if x < mean {
			return 1
		}
		return 0
	}
	return distuv.Normal{Mu: mean, Sigma: sd}.Survival(x)
}

// TrialResult is what Trials found.
type TrialResult struct {
	K, N   int // gates of K runs drawn from N
	Trials int
	Failed int            // trials whose verdict was not Pass
	Why    map[string]int // each failure line (Report.Failures) and how many trials had it
}

// Trials judges every choice of k of the measurements' runs (the same
// run indices in every scenario, of the fewest runs any scenario has;
// maxResamples of them spread evenly when there are more) as a gate of
// k runs against base, by Evaluate, and counts the trials that did not
// pass: the gate's false-alarm rate on unchanged code, or its power on
// code with a leak, measured on one set of runs.
func Trials(base *Baseline, ms []Measurement, cfg Config, k int) (TrialResult, error) {
	n := math.MaxInt
	for _, m := range ms {
		n = min(n, len(m.Runs))
	}
	if len(ms) == 0 || k < 1 || n < k {
		return TrialResult{}, fmt.Errorf("gate: trials of %d runs: the scenarios have %d", k, n)
	}
	res := TrialResult{K: k, N: n, Why: map[string]int{}}
	for _, idx := range nowSplits(n, k) {
		sub := make([]Measurement, len(ms))
		for i, m := range ms {
			sub[i] = m
			sub[i].Runs = pick(m.Runs, idx)
			sub[i].Dirs = nil
		}
		rep := Evaluate(base, sub, cfg)
		res.Trials++
		if rep.Verdict != Pass {
			res.Failed++
			for _, why := range rep.Failures() {
				res.Why[why]++
			}
		}
	}
	return res, nil
}
