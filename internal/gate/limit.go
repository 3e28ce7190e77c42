package gate

import (
	"github.com/leakbench/leakbench/internal/results"
)

// Limit is an absolute limit a scenario sets, such as "retained < 50MiB"
// or "slope < 1MiB/round", already parsed (internal/scenario parses them;
// cmd/bench adapts them). The gate extracts the metric from every run,
// takes the median and asks Holds; whatever the baseline says, a limit
// that does not hold is a regression.
//
// A Limit may bound any figure of a summary, not only the gate's Metrics;
// when Metric names one of them the limit is also shown in that metric's
// row of the table.
type Limit struct {
	Text   string                        // as written, for messages: "retained < 50MiB"
	Metric string                        // the bounded metric's name: "retained"
	Value  func(results.Summary) float64 // the metric of one run, in the limit's unit
	Holds  func(median float64) bool     // whether the limit holds for the median
	Format func(float64) string          // optional: renders a value in the limit's unit
}

// MetricLimit builds a Limit on one of the gate's metrics, in that metric's
// unit (bytes, MiB/round, count, req/s): MetricLimit(Retained, "<", 50<<20).
// op is one of <, <=, >, >=; any other op yields a limit that never holds.
func MetricLimit(m Metric, op string, value float64) Limit {
	var holds func(v float64) bool
	switch op {
	case "<":
		holds = func(v float64) bool { return v < value }
	case "<=":
		holds = func(v float64) bool { return v <= value }
	case ">":
		holds = func(v float64) bool { return v > value }
	case ">=":
		holds = func(v float64) bool { return v >= value }
	default:
		holds = func(float64) bool { return false }
	}
	return Limit{
		Text:   m.String() + " " + op + " " + m.Format(value),
		Metric: m.String(),
		Value:  m.Value,
		Holds:  holds,
		Format: m.Format,
	}
}

// median is the limit's metric over the runs, as a Stat.
func (l Limit) median(runs []results.Summary) Stat {
	vals := make([]float64, len(runs))
	for i, s := range runs {
		vals[i] = l.Value(s)
	}
	return NewStat(vals)
}

// format renders a value in the limit's unit.
func (l Limit) format(v float64) string {
	if l.Format != nil {
		return l.Format(v)
	}
	return Peak.Format(v) // unreachable for adapted limits; bytes is the common case
}
