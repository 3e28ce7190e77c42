package gate

import (
	"fmt"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// The A/B gate's decision (bench gate --base-bin): the base build and the
// head build ran the same scenarios, R times each, interleaved on one
// machine, and head fails only on a difference that is significant
// (Mann-Whitney, compare.Diff: p < 0.05 and past the metric's absolute
// floor) and past both of the metric's thresholds (Threshold.Exceeded).
// There is no baseline file, so no baseline from another machine to raise
// false alarms. EvaluateAB judges; ABPowers says what that judgement can
// catch; cmd/bench runs the builds and renders the report.

// MinABRuns is the least R per build with which a difference can be
// significant at α = 0.05: with three runs a side the smallest two-sided
// Mann-Whitney p-value is 2/20 = 0.10, with four 2/70 = 0.029.
const MinABRuns = 4

// ABMeasurement is what an A/B gate measured of one scenario: the
// summaries of the completed runs of each build, and how many runs of
// either did not complete.
type ABMeasurement struct {
	Scenario   string
	Base, Head []results.Summary // completed runs only, in run order
	Failed     int               // runs of either build that did not complete
}

// ABFinding is a gated metric on which head is significantly worse than
// base and past both thresholds.
type ABFinding struct {
	Metric    metric.Metric
	Diff      compare.Difference
	Threshold Threshold
	// Worse is how much head's median is worse than base's, in the
	// metric's unit.
	Worse float64
	// Profiles are the diffs of the two builds' profiles that explain it;
	// EvaluateAB leaves them to the caller, which has the runs' files.
	Profiles []results.ProfileDiff
}

// Regression reports whether the finding fails the gate: it is not
// advisory.
func (f ABFinding) Regression() bool { return !f.Threshold.Advisory }

// ABScenario is the A/B comparison of one scenario.
type ABScenario struct {
	Name string
	// Table compares head with base over the gated metrics; nil when a
	// build has no completed run.
	Table    *compare.Table
	Findings []ABFinding
	// Err says why there is no comparison.
	Err error
	// Power is the gate's power for a leak of PowerLeak bytes per request
	// (ABPowers); nil until the caller measures it.
	Power     []ABPower
	PowerLeak uint64
}

// Verdict is the scenario's: Error without a comparison, Regression with
// a finding that is not advisory, else Pass.
func (s ABScenario) Verdict() Verdict {
	if s.Err != nil {
		return Error
	}
	for _, f := range s.Findings {
		if f.Regression() {
			return Regression
		}
	}
	return Pass
}

// ABReport is what the A/B gate decided over every scenario.
type ABReport struct {
	Scenarios []ABScenario // in the order measured
	// Verdict is the worst of the scenarios', and Error when a run did
	// not complete.
	Verdict Verdict
}

// EvaluateAB judges head against base for every scenario and gated
// metric: a regression is a difference compare.Diff calls Worse
// (significant at α = 0.05 and past the metric's absolute floor) that also
// exceeds both of the metric's thresholds in th; on an advisory metric it
// is a warning. A scenario with no completed run of a build has no
// comparison (an Error). It runs nothing and writes nothing.
func EvaluateAB(ms []ABMeasurement, th Thresholds) ABReport {
	var rep ABReport
	for _, m := range ms {
		if m.Failed > 0 {
			rep.Verdict = Error
		}
		s := evaluateAB(m, th)
		rep.Verdict = worse(rep.Verdict, s.Verdict())
		rep.Scenarios = append(rep.Scenarios, s)
	}
	return rep
}

// The two builds as the comparison table names them.
const (
	abBase = "base"
	abHead = "head"
)

// evaluateAB judges one scenario (EvaluateAB).
func evaluateAB(m ABMeasurement, th Thresholds) ABScenario {
	s := ABScenario{Name: m.Scenario}
	if len(m.Base) == 0 || len(m.Head) == 0 {
		s.Err = fmt.Errorf("no comparison: %d completed run(s) of base, %d of head", len(m.Base), len(m.Head))
		return s
	}
	ms := metric.Gated()
	values := map[compare.Key][]float64{}
	for arm, runs := range map[string][]results.Summary{abBase: m.Base, abHead: m.Head} {
		for _, met := range ms {
			vals := make([]float64, len(runs))
			for i, r := range runs {
				vals[i] = met.Value(r)
			}
			values[compare.Key{Scenario: arm, Metric: met.String()}] = vals
		}
	}
	tab, err := compare.Compare(CompareMetrics(ms), []string{abBase, abHead}, values, compare.Options{Ref: abBase})
	if err != nil {
		s.Err = err
		return s
	}
	s.Table = tab
	for i, met := range ms {
		d := tab.Rows[i].Cells[1].Vs
		t := th.For(met)
		if fails, worse := abFails(met, *d, t); fails {
			s.Findings = append(s.Findings, ABFinding{Metric: met, Diff: *d, Threshold: t, Worse: worse})
		}
	}
	return s
}

// abFails is the A/B gate's rule on one metric, for EvaluateAB and the
// trials of ABPowers alike: the difference is Worse (significant and past
// the floor) and head's median exceeds both of t's thresholds over
// base's; worse is by how much, in the metric's unit.
func abFails(m metric.Metric, d compare.Difference, t Threshold) (fails bool, worse float64) {
	exceeded, worse := t.Exceeded(m, d.Ref.Median, d.New.Median)
	return d.Verdict == compare.Worse && exceeded, worse
}

// CompareMetrics describes the metrics as package compare takes them:
// name, unit, direction, and as the absolute floor under which no
// difference counts the gate's default floor (Thresholds.Floor of
// DefaultThresholds), so that bench compare and the A/B gate call the same
// differences significant.
func CompareMetrics(ms []metric.Metric) []compare.Metric {
	th := DefaultThresholds()
	out := make([]compare.Metric, 0, len(ms))
	for _, m := range ms {
		out = append(out, compare.Metric{Name: m.String(), Unit: m.Unit().Bench(), HigherIsBetter: m.HigherIsBetter(), Floor: th.Floor(m)})
	}
	return out
}
