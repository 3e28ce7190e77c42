package compare

import (
	"fmt"
	"slices"
)

// Key names one sample: the replicate values of one metric in one scenario.
type Key struct {
	Scenario string
	Metric   string
}

// Options tune Compare. The zero value uses the first scenario as the
// reference, DefaultAlpha and DefaultConfidence.
type Options struct {
	// Ref names the reference scenario; "" means the first.
	Ref string
	// Alpha is the significance level; 0 means DefaultAlpha.
	Alpha float64
	// Confidence is the level of every interval; 0 means DefaultConfidence.
	Confidence float64
}

// Table is the comparison of several scenarios over several metrics: one
// Row per metric, one Cell per scenario in each row.
type Table struct {
	// Ref is the reference scenario.
	Ref string
	// Scenarios are the columns: the reference first, the others in the
	// order given (benchstat's base column comes first too).
	Scenarios []string
	// Alpha and Confidence are the levels used.
	Alpha, Confidence float64
	// Rows hold one metric each, in the order given.
	Rows []Row
}

// Row is one metric across the scenarios.
type Row struct {
	Metric Metric
	// Cells has one entry per scenario, in Table.Scenarios order.
	Cells []Cell
}

// Cell is one scenario's sample of one metric.
type Cell struct {
	Scenario string
	// Summary is the median with its interval.
	Summary Summary
	// Vs compares the cell with the reference scenario's cell of the same
	// row; nil in the reference column.
	Vs *Difference
}

// Compare builds the table of metrics × scenarios from the replicate
// values. Every (scenario, metric) pair must have an entry in values (an
// empty or all-NaN one gives a cell with N == 0 and a warning).
func Compare(metrics []Metric, scenarios []string, values map[Key][]float64, opt Options) (*Table, error) {
	if len(scenarios) == 0 {
		return nil, fmt.Errorf("compare: no scenarios")
	}
	if len(metrics) == 0 {
		return nil, fmt.Errorf("compare: no metrics")
	}
	for i, s := range scenarios {
		if s == "" {
			return nil, fmt.Errorf("compare: scenario %d has an empty name", i+1)
		}
		if slices.Index(scenarios, s) != i {
			return nil, fmt.Errorf("compare: scenario %s given twice", s)
		}
	}
	for i, m := range metrics {
		if err := m.Validate(); err != nil {
			return nil, err
		}
		if slices.IndexFunc(metrics, func(o Metric) bool { return o.Name == m.Name }) != i {
			return nil, fmt.Errorf("compare: metric %s given twice", m.Name)
		}
	}
	ref := opt.Ref
	if ref == "" {
		ref = scenarios[0]
	}
	if !slices.Contains(scenarios, ref) {
		return nil, fmt.Errorf("compare: reference scenario %s is not among the scenarios (%v)", ref, scenarios)
	}
	alpha := orDefault(opt.Alpha, DefaultAlpha)
	conf := orDefault(opt.Confidence, DefaultConfidence)
	if !(alpha > 0 && alpha < 1) {
		return nil, fmt.Errorf("compare: alpha must be in (0, 1), is %g", alpha)
	}
	if !(conf > 0 && conf < 1) {
		return nil, fmt.Errorf("compare: confidence must be in (0, 1), is %g", conf)
	}
	for _, m := range metrics {
		for _, s := range scenarios {
			if _, ok := values[Key{s, m.Name}]; !ok {
				return nil, fmt.Errorf("compare: no values for metric %s in scenario %s", m.Name, s)
			}
		}
	}

	order := append([]string{ref}, slices.DeleteFunc(slices.Clone(scenarios), func(s string) bool { return s == ref })...)
	t := &Table{Ref: ref, Scenarios: order, Alpha: alpha, Confidence: conf}
	for _, m := range metrics {
		row := Row{Metric: m}
		refValues := values[Key{ref, m.Name}]
		for _, s := range order {
			c := Cell{Scenario: s, Summary: Summarize(values[Key{s, m.Name}], conf)}
			if s != ref {
				d := Diff(m, refValues, values[Key{s, m.Name}], alpha, conf)
				c.Vs = &d
			}
			row.Cells = append(row.Cells, c)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}
