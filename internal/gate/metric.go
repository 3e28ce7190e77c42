package gate

import (
	"fmt"
	"math"
	"strings"

	"github.com/leakbench/leakbench/internal/results"
)

// Metric is one figure of a run that the gate compares.
type Metric uint8

// The metrics the gate compares, in the order they are shown.
const (
	Peak         Metric = iota + 1 // highest sampled RSS, bytes
	EndOfLoad                      // RSS when the last request finished, bytes
	Retained                       // RSS after the idle phase minus the start-up baseline, bytes
	Settled                        // RSS after GC + FreeOSMemory minus the baseline, bytes
	Slope                          // leak slope of RSS per round, MiB/round
	Instances                      // peak live codec instances, count
	EndInstances                   // codec instances still alive at the end, count (any increase fails)
	Errors                         // failed requests, count (any increase fails)
	Throughput                     // requests per second during load; higher is better
)

// Metrics returns every metric in display order.
func Metrics() []Metric {
	return []Metric{Peak, EndOfLoad, Retained, Settled, Slope, Instances, EndInstances, Errors, Throughput}
}

// Unit is the unit a metric's values are stored in.
type Unit uint8

// The units of the metrics.
const (
	Bytes       Unit = iota + 1 // shown in MiB
	MiBPerRound                 // the slope
	Count                       // instances, errors
	PerSecond                   // throughput, requests per second
)

// String returns the metric's name as used in baselines, limits and tables:
// "peak", "end_of_load", "retained", "settled", "slope", "instances",
// "instances_end", "errors", "throughput".
func (m Metric) String() string {
	switch m {
	case Peak:
		return "peak"
	case EndOfLoad:
		return "end_of_load"
	case Retained:
		return "retained"
	case Settled:
		return "settled"
	case Slope:
		return "slope"
	case Instances:
		return "instances"
	case EndInstances:
		return "instances_end"
	case Errors:
		return "errors"
	case Throughput:
		return "throughput"
	}
	return fmt.Sprintf("metric(%d)", uint8(m))
}

// ParseMetric parses a metric name. Dashes and underscores are
// interchangeable; "instances_peak" (the scenario limits' name),
// "instances_peak_live" and "peak_live" name Instances.
func ParseMetric(s string) (Metric, error) {
	n := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	switch n {
	case "instances_peak", "instances_peak_live", "peak_live", "live_instances":
		return Instances, nil
	case "end", "endofload":
		return EndOfLoad, nil
	}
	for _, m := range Metrics() {
		if m.String() == n {
			return m, nil
		}
	}
	names := make([]string, 0, 8)
	for _, m := range Metrics() {
		names = append(names, m.String())
	}
	return 0, fmt.Errorf("gate: unknown metric %q (known: %s)", s, strings.Join(names, ", "))
}

// MarshalText implements encoding.TextMarshaler (map keys in baselines).
func (m Metric) MarshalText() ([]byte, error) {
	if m < Peak || m > Throughput {
		return nil, fmt.Errorf("gate: invalid metric %d", uint8(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Metric) UnmarshalText(b []byte) error {
	v, err := ParseMetric(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Unit returns the unit the metric's values are in.
func (m Metric) Unit() Unit {
	switch m {
	case Slope:
		return MiBPerRound
	case Instances, EndInstances, Errors:
		return Count
	case Throughput:
		return PerSecond
	}
	return Bytes
}

// HigherIsBetter reports whether a larger value is an improvement
// (throughput); for every other metric a larger value is worse.
func (m Metric) HigherIsBetter() bool { return m == Throughput }

// Value extracts the metric from one run's summary.
func (m Metric) Value(s results.Summary) float64 {
	switch m {
	case Peak:
		return float64(s.Peak)
	case EndOfLoad:
		return float64(s.EndOfLoad)
	case Retained:
		return float64(s.Retained)
	case Settled:
		return float64(s.Settled)
	case Slope:
		return s.Slope.MiBPerRound
	case Instances:
		return float64(s.Instances.PeakLive)
	case EndInstances:
		return float64(s.Instances.EndLive)
	case Errors:
		return float64(s.Errors)
	case Throughput:
		return s.Throughput
	}
	return math.NaN()
}

// Format renders a value of the metric with its unit: "123.4MiB",
// "0.52MiB/round", "6", "3.1req/s".
func (m Metric) Format(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	switch m.Unit() {
	case Bytes:
		return fmt.Sprintf("%.1fMiB", v/results.MiB)
	case MiBPerRound:
		return fmt.Sprintf("%.2fMiB/round", v)
	case Count:
		return fmt.Sprintf("%.0f", v)
	case PerSecond:
		return fmt.Sprintf("%.2freq/s", v)
	}
	return fmt.Sprintf("%g", v)
}

// FormatDelta renders a signed difference of the metric with its unit.
func (m Metric) FormatDelta(d float64) string {
	s := m.Format(d)
	if d >= 0 && !math.IsNaN(d) {
		s = "+" + s
	}
	return s
}
