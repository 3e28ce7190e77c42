package gate

import (
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// Measurement is what one gate run measured for one scenario: the
// summaries of its R runs, and the runs that produced no summary at all.
type Measurement struct {
	Scenario string
	Expect   metric.Expect
	Limits   []metric.Limit    // the scenario's absolute limits, checked on the medians
	Runs     []results.Summary // every run that produced a summary, whatever its outcome
	Failures []error           // runs that produced no summary (the runner failed)
	Dirs     []string          // optional: the run directories, in the order of Runs
	Injected uint64            // the leak injected per request (Scenario.InjectLeak), bytes; 0 = none
}

// stat summarises metric m over the measurement's runs.
func (m Measurement) stat(met metric.Metric) Stat {
	vals := make([]float64, len(m.Runs))
	for i, s := range m.Runs {
		vals[i] = met.Value(s)
	}
	return NewStat(vals)
}
