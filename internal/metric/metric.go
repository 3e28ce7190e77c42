package metric

import (
	"math"
	"strings"

	"github.com/leakbench/leakbench/internal/enum"
	"github.com/leakbench/leakbench/internal/results"
)

// Metric is one named figure of a run's results.Summary. The zero Metric
// is invalid; All lists the others.
type Metric uint8

// The metrics, in the order tables show them.
const (
	Baseline            Metric = iota + 1 // RSS before the first request, bytes
	Peak                                  // highest sampled RSS, bytes
	PeakHWM                               // kernel RSS high-water mark (VmHWM), bytes
	EndOfLoad                             // RSS when the last request finished, bytes
	AfterIdle                             // RSS at the end of the idle phase, bytes
	AfterSettle                           // RSS after GC twice and FreeOSMemory, bytes
	Growth                                // EndOfLoad - Baseline, bytes
	Retained                              // AfterIdle - Baseline, bytes
	Settled                               // AfterSettle - Baseline, bytes
	HeapLiveAfterSettle                   // Go live heap after settle, bytes
	LeakedAfterSettle                     // memory held by leaked views and listeners after settle, bytes
	Slope                                 // leak slope of RSS at each round's end, bytes per round
	SlopeCIHigh                           // upper end of the slope's 95% confidence interval, bytes per round
	InstancesCreated                      // codec instances ever created
	Instances                             // most codec instances alive at once ("instances_peak" in limits)
	EndInstances                          // codec instances alive at the end
	Requests                              // requests completed
	Errors                                // requests failed
	Throughput                            // requests per second during the load phase
	LatencyP50                            // median request latency, seconds
	LatencyP95                            // 95th percentile of request latency, seconds
)

// info is one row of the table of metrics.
type info struct {
	unit     Unit
	doc      string
	better   bool // a higher value is better
	gated    bool // bench gate compares it with the baseline by default
	compared bool // bench compare shows it by default
	value    func(*results.Summary) float64
}

// table holds every metric's unit, doc, direction and extractor, indexed
// by Metric. Its names are in names.
var table = [...]info{
	Baseline:            {Bytes, "RSS before the first request", false, false, false, func(s *results.Summary) float64 { return float64(s.Baseline) }},
	Peak:                {Bytes, "highest sampled RSS", false, true, true, func(s *results.Summary) float64 { return float64(s.Peak) }},
	PeakHWM:             {Bytes, "kernel RSS high-water mark (VmHWM)", false, false, true, func(s *results.Summary) float64 { return float64(s.PeakHWM) }},
	EndOfLoad:           {Bytes, "RSS when the last request finished", false, true, false, func(s *results.Summary) float64 { return float64(s.EndOfLoad) }},
	AfterIdle:           {Bytes, "RSS at the end of the idle phase", false, false, false, func(s *results.Summary) float64 { return float64(s.AfterIdle) }},
	AfterSettle:         {Bytes, "RSS after GC twice and FreeOSMemory", false, false, false, func(s *results.Summary) float64 { return float64(s.AfterSettle) }},
	Growth:              {Bytes, "end_of_load - baseline", false, false, true, func(s *results.Summary) float64 { return float64(s.Growth) }},
	Retained:            {Bytes, "after_idle - baseline", false, true, true, func(s *results.Summary) float64 { return float64(s.Retained) }},
	Settled:             {Bytes, "after_settle - baseline", false, true, true, func(s *results.Summary) float64 { return float64(s.Settled) }},
	HeapLiveAfterSettle: {Bytes, "Go live heap after settle", false, false, false, func(s *results.Summary) float64 { return float64(s.HeapLiveAfterSettle) }},
	LeakedAfterSettle:   {Bytes, "memory held by leaked views and listeners after settle", false, false, false, func(s *results.Summary) float64 { return float64(s.LeakedAfterSettle) }},
	Slope:               {BytesPerRound, "leak slope: RSS at each round's end, linear fit", false, true, true, func(s *results.Summary) float64 { return s.Slope.MiBPerRound * results.MiB }},
	SlopeCIHigh:         {BytesPerRound, "upper end of the slope's 95% confidence interval", false, false, false, func(s *results.Summary) float64 { return s.Slope.CIHigh * results.MiB }},
	InstancesCreated:    {Count, "codec instances ever created", false, false, false, func(s *results.Summary) float64 { return float64(s.Instances.Created) }},
	Instances:           {Count, "most codec instances alive at once", false, true, true, func(s *results.Summary) float64 { return float64(s.Instances.PeakLive) }},
	EndInstances:        {Count, "codec instances alive at the end", false, true, false, func(s *results.Summary) float64 { return float64(s.Instances.EndLive) }},
	Requests:            {Count, "requests completed", false, false, false, func(s *results.Summary) float64 { return float64(s.Requests) }},
	Errors:              {Count, "requests failed", false, true, false, func(s *results.Summary) float64 { return float64(s.Errors) }},
	Throughput:          {PerSecond, "requests per second during the load phase", true, true, true, func(s *results.Summary) float64 { return s.Throughput }},
	LatencyP50:          {Seconds, "median request latency (completed requests)", false, false, true, func(s *results.Summary) float64 { return latency(s.RequestLatency.Count, s.RequestLatency.P50) }},
	LatencyP95:          {Seconds, "95th percentile of request latency (completed requests)", false, false, true, func(s *results.Summary) float64 { return latency(s.RequestLatency.Count, s.RequestLatency.P95) }},
}

// names are the metrics' names as files and tables spell them, with the
// other spellings older files use: scenario limits say "instances_peak",
// baselines "instances".
var names = enum.New[Metric]("metric", "",
	"baseline", "peak", "peak_hwm", "end_of_load", "after_idle", "after_settle",
	"growth", "retained", "settled", "heap_live_after_settle", "leaked_after_settle",
	"slope", "slope_ci_high", "instances_created", "instances", "instances_end",
	"requests", "errors", "throughput", "latency_p50", "latency_p95").
	WithAlias("instances_peak", Instances).
	WithAlias("instances_peak_live", Instances).
	WithAlias("peak_live", Instances).
	WithAlias("live_instances", Instances).
	WithAlias("end", EndOfLoad).
	WithAlias("endofload", EndOfLoad)

// All returns every metric, in table order.
func All() []Metric { return names.Values() }

// Gated returns the metrics bench gate compares with its baseline by
// default, in table order: peak, end_of_load, retained, settled, slope,
// instances, instances_end, errors, throughput.
func Gated() []Metric {
	var out []Metric
	for _, m := range All() {
		if m.Gated() {
			out = append(out, m)
		}
	}
	return out
}

// Compared returns the metrics bench compare shows by default, in table
// order: peak, peak_hwm, growth, retained, settled, slope, instances,
// throughput, latency_p50, latency_p95.
func Compared() []Metric {
	var out []Metric
	for _, m := range All() {
		if table[m].compared {
			out = append(out, m)
		}
	}
	return out
}

// latency is a request latency, NaN when no request completed (a run
// from before request latencies were recorded has none).
func latency(count int, v float64) float64 {
	if count == 0 {
		return math.NaN()
	}
	return v
}

// ParseMetric returns the metric named s. Case and surrounding space are
// ignored and "-" reads as "_"; the older spellings ("instances_peak")
// are accepted. The error lists the names.
func ParseMetric(s string) (Metric, error) {
	return names.Parse(normalize(s))
}

// normalize is the spelling ParseMetric looks up.
func normalize(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
}

// Valid reports whether m is one of All.
func (m Metric) Valid() bool { return names.Valid(m) }

// String returns the metric's name: "retained", "instances".
func (m Metric) String() string { return names.String(m) }

// MarshalText implements encoding.TextMarshaler (map keys of baselines);
// an undefined value is an error.
func (m Metric) MarshalText() ([]byte, error) { return names.Marshal(m) }

// UnmarshalText implements encoding.TextUnmarshaler with ParseMetric.
func (m *Metric) UnmarshalText(b []byte) error {
	v, err := ParseMetric(string(b))
	if err == nil {
		*m = v
	}
	return err
}

// Unit returns the unit of the metric's values; 0 for an invalid metric.
func (m Metric) Unit() Unit {
	if !m.Valid() {
		return 0
	}
	return table[m].unit
}

// Doc returns one line saying what the metric is.
func (m Metric) Doc() string {
	if !m.Valid() {
		return ""
	}
	return table[m].doc
}

// HigherIsBetter reports whether a larger value is an improvement
// (throughput); for every other metric a larger value is worse.
func (m Metric) HigherIsBetter() bool { return m.Valid() && table[m].better }

// Gated reports whether bench gate compares the metric with its baseline
// by default.
func (m Metric) Gated() bool { return m.Valid() && table[m].gated }

// Value extracts the metric from one run's summary, in the metric's unit;
// NaN for an invalid metric.
func (m Metric) Value(s results.Summary) float64 {
	if !m.Valid() {
		return math.NaN()
	}
	return table[m].value(&s)
}

// BenchUnit is the metric's unit in Go's benchmark format (benchfmt), the
// metric's name and its base unit as benchstat reads them: "peak-B",
// "slope-B/round", "instances", "latency-p95-sec"; a rate is its unit
// alone: "req/s".
func (m Metric) BenchUnit() string {
	name := strings.ReplaceAll(m.String(), "_", "-")
	switch u := m.Unit().Bench(); u {
	case "":
		return name
	case "req/s":
		return u
	default:
		return name + "-" + u
	}
}

// Format renders a value of the metric with its unit (Unit.Format).
func (m Metric) Format(v float64) string { return m.Unit().Format(v) }

// FormatDelta renders a signed difference of the metric (Unit.FormatDelta).
func (m Metric) FormatDelta(d float64) string { return m.Unit().FormatDelta(d) }
