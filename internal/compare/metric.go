package compare

import (
	"fmt"
	"math"
	"strings"
)

// Metric describes one measured quantity as the statistics need it. The
// caller fills it from the project's table of metrics; compare has none.
type Metric struct {
	// Name identifies the metric in tables and in the values map: "peak".
	Name string
	// Unit is the unit of the values, in benchunit's spelling, used to scale
	// them for display: "B" for bytes (shown with binary prefixes, MiB),
	// "req/s", "sec", "" for a plain count.
	Unit string
	// HigherIsBetter is true when a larger value is an improvement
	// (throughput); for memory, latency and counts it is false.
	HigherIsBetter bool
	// Floor is the absolute noise floor, in Unit: a difference of medians
	// no larger than this is shown as "~" whatever its p-value.
	Floor float64
}

// Validate reports what is wrong with the metric, naming it.
func (m Metric) Validate() error {
	if strings.TrimSpace(m.Name) == "" {
		return fmt.Errorf("compare: metric with empty name")
	}
	if math.IsNaN(m.Floor) || math.IsInf(m.Floor, 0) || m.Floor < 0 {
		return fmt.Errorf("compare: metric %s: floor must be finite and >= 0, is %g", m.Name, m.Floor)
	}
	return nil
}

// worse returns how much worse x is than ref for this metric: positive
// when worse, negative when better.
func (m Metric) worse(ref, x float64) float64 {
	if m.HigherIsBetter {
		return ref - x
	}
	return x - ref
}
