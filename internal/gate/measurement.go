package gate

import (
	"fmt"

	"github.com/leakbench/leakbench/internal/results"
)

// Expect is what a scenario is expected to show.
type Expect uint8

// The expectations a scenario can carry.
const (
	ExpectStable Expect = iota // the normal case: no leak, compared with its baseline
	ExpectLeak                 // the leaky control: must visibly leak
)

// String returns "stable" or "leak".
func (e Expect) String() string {
	if e == ExpectLeak {
		return "leak"
	}
	return "stable"
}

// ParseExpect parses "stable" (or "") and "leak".
func ParseExpect(s string) (Expect, error) {
	switch s {
	case "", "stable":
		return ExpectStable, nil
	case "leak":
		return ExpectLeak, nil
	}
	return 0, fmt.Errorf("gate: unknown expectation %q (want stable or leak)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (e Expect) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (e *Expect) UnmarshalText(b []byte) error {
	v, err := ParseExpect(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// Measurement is what one gate run measured for one scenario: the
// summaries of its R runs, and the runs that produced no summary at all.
type Measurement struct {
	Scenario string
	Expect   Expect
	Limits   []Limit           // the scenario's absolute limits, checked on the medians
	Runs     []results.Summary // every run that produced a summary, whatever its outcome
	Failures []error           // runs that produced no summary (the runner failed)
	Dirs     []string          // optional: the run directories, in the order of Runs
}

// stat summarises metric m over the measurement's runs.
func (m Measurement) stat(met Metric) Stat {
	vals := make([]float64, len(m.Runs))
	for i, s := range m.Runs {
		vals[i] = met.Value(s)
	}
	return NewStat(vals)
}
