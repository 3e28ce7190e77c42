package gate

import (
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/metric"
)

// A baseline of an even number of runs holds, and is judged by, the one
// median rule (compare.Median): a file written with another median (the
// lower middle value an older gate wrote) reads back with compare.Median's
// of its values, so the baseline column and the verdict are those of the
// values.
func TestBaseline_EvenRunsUseTheOneMedianRule(t *testing.T) {
	m := Measurement{Scenario: "quick-fixed", Expect: metric.ExpectStable}
	for _, settled := range []float64{8, 30, 10, 20} { // the lower middle is 10, the median 15
		r := fixedRun
		r.settled = settled
		m.Runs = append(m.Runs, r.summary(m.Scenario))
	}
	b := baselineFor(t, m)
	st := b.Scenarios["quick-fixed"].Metrics[metric.Settled]
	if want := compare.Median(st.Values); st.Median != want || want != 15*mib {
		t.Fatalf("baseline settled median %g MiB, want compare.Median's 15", st.Median/mib)
	}
	data, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(data), `"median": 15728640`, `"median": 10485760`, 1)
	if old == string(data) {
		t.Fatalf("no settled median of 15 MiB in the file:\n%s", data)
	}
	read, err := Decode([]byte(old), "old.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := read.Scenarios["quick-fixed"].Metrics[metric.Settled].Median; got != 15*mib {
		t.Fatalf("a file holding the lower middle 10 MiB reads as %g MiB, want 15", got/mib)
	}

	// The gate's baseline column is that median too.
	now := measure("quick-fixed", metric.ExpectStable, fixedRun)
	rep := Evaluate(read, []Measurement{now}, defaultConfig())
	var row *Row
	for i := range rep.Scenarios[0].Rows {
		if rep.Scenarios[0].Rows[i].Metric == metric.Settled {
			row = &rep.Scenarios[0].Rows[i]
		}
	}
	if row == nil || row.Baseline.Median != 15*mib {
		t.Fatalf("settled row %+v, want a baseline median of 15 MiB", row)
	}
}
