package gate

import (
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// abSide is n completed runs of fixedRun with settled and slope (MiB and
// MiB/round) set, each a little higher than the one before.
func abSide(n int, settled, slope float64) []results.Summary {
	var out []results.Summary
	for i := range n {
		r := fixedRun
		r.settled, r.slope = settled, slope
		out = append(out, r.summary("quick-fixed"))
		jitter := 1 + 0.01*float64(i)
		s := &out[i]
		s.Peak, s.EndOfLoad = uint64(float64(s.Peak)*jitter), uint64(float64(s.EndOfLoad)*jitter)
		s.Retained, s.Settled = int64(float64(s.Retained)*jitter), int64(float64(s.Settled)*jitter)
		s.Slope.MiBPerRound *= jitter
		s.Throughput *= jitter
	}
	return out
}

// EvaluateAB fails head only on a difference that is significant, past
// the floor and past both thresholds; an advisory metric warns.
func TestEvaluateAB(t *testing.T) {
	for _, tc := range []struct {
		name       string
		base, head []results.Summary
		verdict    Verdict
		finding    metric.Metric // of the one finding; 0 for none
		regression bool
	}{
		{"head leaks", abSide(6, 2, 1), abSide(6, 60, 1), Regression, metric.Settled, true},
		{"base leaked, head fixed", abSide(6, 60, 1), abSide(6, 2, 1), Pass, 0, false},
		// Significant (every head run above every base run) but within the
		// 16 MiB floor: no finding.
		{"within the floor", abSide(6, 2, 1), abSide(6, 12, 1), Pass, 0, false},
		{"advisory slope", abSide(6, 2, 1), abSide(6, 2, 40), Pass, metric.Slope, false},
		// Four runs a side can be significant (p = 0.029); three cannot.
		{"four runs", abSide(4, 2, 1), abSide(4, 60, 1), Regression, metric.Settled, true},
		{"three runs", abSide(3, 2, 1), abSide(3, 60, 1), Pass, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := EvaluateAB([]ABMeasurement{{Scenario: "quick-fixed", Base: tc.base, Head: tc.head}}, DefaultThresholds())
			s := rep.Scenarios[0]
			if rep.Verdict != tc.verdict || s.Verdict() != tc.verdict || s.Err != nil || s.Table == nil {
				t.Fatalf("verdict %s (scenario %s, err %v), want %s", rep.Verdict, s.Verdict(), s.Err, tc.verdict)
			}
			switch {
			case tc.finding == 0 && len(s.Findings) > 0:
				t.Errorf("findings %+v, want none", s.Findings)
			case tc.finding != 0 && (len(s.Findings) != 1 || s.Findings[0].Metric != tc.finding || s.Findings[0].Regression() != tc.regression):
				t.Errorf("findings %+v, want one on %s, regression %v", s.Findings, tc.finding, tc.regression)
			}
			if len(s.Table.Rows) != len(metric.Gated()) {
				t.Errorf("table of %d rows, want one per gated metric (%d)", len(s.Table.Rows), len(metric.Gated()))
			}
		})
	}

	// The finding says by how much head is worse, past which thresholds.
	rep := EvaluateAB([]ABMeasurement{{Scenario: "quick-fixed", Base: abSide(6, 2, 1), Head: abSide(6, 60, 1)}}, DefaultThresholds())
	f := rep.Scenarios[0].Findings[0]
	if want := f.Diff.New.Median - f.Diff.Ref.Median; f.Worse != want || f.Worse < 50*mib || f.Diff.P >= 0.05 || f.Threshold != DefaultThresholds().Settled {
		t.Errorf("finding %+v: want worse by the difference of medians (%g), p < 0.05, the settled threshold", f, want)
	}
}

// A scenario with no completed run of a build has no comparison, and a
// run that failed makes the verdict an error whatever the comparisons say.
func TestEvaluateAB_Errors(t *testing.T) {
	rep := EvaluateAB([]ABMeasurement{
		{Scenario: "quick-fixed", Base: abSide(4, 2, 1), Head: abSide(4, 2, 1)},
		{Scenario: "quick-leaky", Base: abSide(4, 60, 1)},
	}, DefaultThresholds())
	if rep.Verdict != Error || rep.Scenarios[0].Verdict() != Pass || rep.Scenarios[1].Verdict() != Error ||
		!strings.Contains(rep.Scenarios[1].Err.Error(), "no comparison: 4 completed run(s) of base, 0 of head") {
		t.Errorf("verdict %s; scenarios %+v", rep.Verdict, rep.Scenarios)
	}
	failed := EvaluateAB([]ABMeasurement{{Scenario: "quick-fixed", Base: abSide(4, 2, 1), Head: abSide(4, 60, 1), Failed: 1}}, DefaultThresholds())
	if failed.Verdict != Error || failed.Scenarios[0].Verdict() != Regression {
		t.Errorf("a failed run: verdict %s, scenario %s; want error, regression", failed.Verdict, failed.Scenarios[0].Verdict())
	}
	if none := EvaluateAB(nil, DefaultThresholds()); none.Verdict != Pass || len(none.Scenarios) != 0 {
		t.Errorf("no scenarios: %+v", none)
	}
}

// The A/B gate and bench compare describe a metric to package compare
// alike: its name, unit, direction and the gate's absolute floor.
func TestCompareMetrics(t *testing.T) {
	ms := []metric.Metric{metric.Settled, metric.Throughput, metric.PeakHWM}
	cms := CompareMetrics(ms)
	th := DefaultThresholds()
	for i, m := range ms {
		if c := cms[i]; c.Name != m.String() || c.Unit != m.Unit().Bench() || c.HigherIsBetter != m.HigherIsBetter() || c.Floor != th.Floor(m) {
			t.Errorf("%s: %+v", m, c)
		}
	}
}
