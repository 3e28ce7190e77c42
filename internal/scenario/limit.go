package scenario

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/leakbench/leakbench/internal/results"
)

// Unit is what a metric measures, and so how a limit on it is written.
type Unit uint8

// The units of the metrics a limit can bound.
const (
	Bytes         Unit = iota + 1 // a size: "50MiB", "2GiB"
	BytesPerRound                 // a size per round: "1MiB/round"
	Count                         // a plain non-negative integer: "6"
)

// String returns "bytes", "bytes/round" or "count".
func (u Unit) String() string {
	switch u {
	case Bytes:
		return "bytes"
	case BytesPerRound:
		return "bytes/round"
	case Count:
		return "count"
	}
	return "unit(" + strconv.Itoa(int(u)) + ")"
}

// Format renders a value of this unit the way limits are written:
// sizes with a binary unit ("50MiB"), slopes with "/round", counts as
// integers. Negative sizes keep their sign.
func (u Unit) Format(v float64) string {
	switch u {
	case Bytes, BytesPerRound:
		s := exactSize(uint64(math.Abs(v)))
		if v < 0 {
			s = "-" + s
		}
		if u == BytesPerRound {
			s += "/round"
		}
		return s
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// exactSize formats b so that ParseSize gives b back exactly: FormatSize's
// binary units when they are exact, else a decimal unit, else bytes.
func exactSize(b uint64) string {
	if s := FormatSize(b); mustParseSize(s) == b {
		return s
	}
	for _, u := range []struct {
		name string
		div  uint64
	}{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}} {
		if b >= u.div && b%(u.div/100) == 0 {
			return strconv.FormatFloat(float64(b)/float64(u.div), 'f', -1, 64) + u.name
		}
	}
	return strconv.FormatUint(b, 10) + "B"
}

func mustParseSize(s string) uint64 {
	b, _ := ParseSize(s)
	return b
}

// Metric is a figure of a run's results.Summary that a limit can bound.
type Metric struct {
	Name  string // as written in a limit: "retained"
	Unit  Unit
	Doc   string // one line for `bench list` and error messages
	value func(*results.Summary) float64
}

// Value extracts the metric from a summary, in the metric's unit (bytes,
// bytes per round, or a count).
func (m Metric) Value(s results.Summary) float64 {
	if m.value == nil {
		return math.NaN()
	}
	return m.value(&s)
}

// Metrics returns every metric a limit can name, in a stable order.
func Metrics() []Metric {
	u := func(f func(*results.Summary) uint64) func(*results.Summary) float64 {
		return func(s *results.Summary) float64 { return float64(f(s)) }
	}
	i := func(f func(*results.Summary) int64) func(*results.Summary) float64 {
		return func(s *results.Summary) float64 { return float64(f(s)) }
	}
	n := func(f func(*results.Summary) int) func(*results.Summary) float64 {
		return func(s *results.Summary) float64 { return float64(f(s)) }
	}
	return []Metric{
		{"baseline", Bytes, "RSS before the first request", u(func(s *results.Summary) uint64 { return s.Baseline })},
		{"peak", Bytes, "highest sampled RSS", u(func(s *results.Summary) uint64 { return s.Peak })},
		{"peak_hwm", Bytes, "kernel RSS high-water mark (VmHWM)", u(func(s *results.Summary) uint64 { return s.PeakHWM })},
		{"end_of_load", Bytes, "RSS when the last request finished", u(func(s *results.Summary) uint64 { return s.EndOfLoad })},
		{"after_idle", Bytes, "RSS at the end of the idle phase", u(func(s *results.Summary) uint64 { return s.AfterIdle })},
		{"after_settle", Bytes, "RSS after GC twice and FreeOSMemory", u(func(s *results.Summary) uint64 { return s.AfterSettle })},
		{"growth", Bytes, "end_of_load - baseline", i(func(s *results.Summary) int64 { return s.Growth })},
		{"retained", Bytes, "after_idle - baseline", i(func(s *results.Summary) int64 { return s.Retained })},
		{"settled", Bytes, "after_settle - baseline", i(func(s *results.Summary) int64 { return s.Settled })},
		{"heap_live_after_settle", Bytes, "Go live heap after settle", u(func(s *results.Summary) uint64 { return s.HeapLiveAfterSettle })},
		{"leaked_after_settle", Bytes, "memory held by leaked views and listeners after settle", u(func(s *results.Summary) uint64 { return s.LeakedAfterSettle })},
		{"slope", BytesPerRound, "leak slope: RSS at each round's end, linear fit", func(s *results.Summary) float64 { return s.Slope.MiBPerRound * results.MiB }},
		{"slope_ci_high", BytesPerRound, "upper end of the slope's 95% confidence interval", func(s *results.Summary) float64 { return s.Slope.CIHigh * results.MiB }},
		{"instances_created", Count, "codec instances ever created", n(func(s *results.Summary) int { return s.Instances.Created })},
		{"instances_peak", Count, "most codec instances alive at once", n(func(s *results.Summary) int { return s.Instances.PeakLive })},
		{"instances_end", Count, "codec instances alive at the end", n(func(s *results.Summary) int { return s.Instances.EndLive })},
		{"requests", Count, "requests completed", n(func(s *results.Summary) int { return s.Requests })},
		{"errors", Count, "requests failed", n(func(s *results.Summary) int { return s.Errors })},
	}
}

// LookupMetric finds a metric by name.
func LookupMetric(name string) (Metric, bool) {
	for _, m := range Metrics() {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// MetricNames returns the names of Metrics, in the same order.
func MetricNames() []string {
	ms := Metrics()
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

// Op compares a measured value with a limit; true means the limit holds.
type Op func(value, limit float64) bool

// The comparison operators a limit can use, in the order error messages
// list them. Longer symbols come first so that "<=" is not read as "<".
func operators() [4]struct {
	sym string
	op  Op
} {
	return [...]struct {
		sym string
		op  Op
	}{
		{"<=", func(v, l float64) bool { return v <= l }},
		{">=", func(v, l float64) bool { return v >= l }},
		{"<", func(v, l float64) bool { return v < l }},
		{">", func(v, l float64) bool { return v > l }},
	}
}

const opList = "<, <=, >, >="

// Limit is an absolute bound on one metric of a run, such as
// "retained < 50MiB" or "slope < 1MiB/round", parsed once by ParseLimit.
// The gate calls Check; nothing switches on the operator's text at run
// time.
type Limit struct {
	Metric Metric
	OpText string  // "<", "<=", ">" or ">=", for display
	Op     Op      // the comparison itself
	Limit  float64 // in the metric's unit: bytes, bytes per round, or a count
}

// ParseLimit parses "<metric> <op> <value>": metric one of MetricNames,
// op one of <, <=, >, >=, and value a size for byte metrics ("50MiB"),
// a size per round for slopes ("1MiB/round") or an integer for counts.
// Spaces around the operator are optional.
func ParseLimit(s string) (Limit, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexAny(t, "<>=!")
	if i < 0 {
		return Limit{}, fmt.Errorf("invalid limit %q: want \"<metric> <op> <value>\" such as \"retained < 50MiB\", with op one of %s", s, opList)
	}
	var l Limit
	name, rest := strings.TrimSpace(t[:i]), t[i:]
	for _, o := range operators() {
		if strings.HasPrefix(rest, o.sym) {
			l.OpText, l.Op = o.sym, o.op
			rest = strings.TrimSpace(rest[len(o.sym):])
			break
		}
	}
	if l.Op == nil || strings.ContainsAny(rest, "<>=!") {
		return Limit{}, fmt.Errorf("invalid limit %q: bad operator (allowed: %s)", s, opList)
	}
	if name == "" {
		return Limit{}, fmt.Errorf("invalid limit %q: missing metric before %q (metrics: %s)", s, l.OpText, strings.Join(MetricNames(), ", "))
	}
	m, ok := LookupMetric(name)
	if !ok {
		return Limit{}, fmt.Errorf("invalid limit %q: unknown metric %q (metrics: %s)", s, name, strings.Join(MetricNames(), ", "))
	}
	l.Metric = m
	if rest == "" {
		return Limit{}, fmt.Errorf("invalid limit %q: missing value after %q", s, l.OpText)
	}
	switch m.Unit {
	case Bytes:
		if strings.Contains(rest, "/") {
			return Limit{}, fmt.Errorf("invalid limit %q: %s is a size, write it like \"50MiB\", not %q", s, m.Name, rest)
		}
		b, err := ParseSize(rest)
		if err != nil {
			return Limit{}, fmt.Errorf("invalid limit %q: %v", s, err)
		}
		l.Limit = float64(b)
	case BytesPerRound:
		size, ok := strings.CutSuffix(rest, "/round")
		if !ok {
			return Limit{}, fmt.Errorf("invalid limit %q: %s is a size per round, write it like \"1MiB/round\", not %q", s, m.Name, rest)
		}
		b, err := ParseSize(strings.TrimSpace(size))
		if err != nil {
			return Limit{}, fmt.Errorf("invalid limit %q: %v", s, err)
		}
		l.Limit = float64(b)
	case Count:
		n, err := strconv.ParseUint(rest, 10, 31)
		if err != nil {
			return Limit{}, fmt.Errorf("invalid limit %q: %s is a count, want a non-negative integer, not %q", s, m.Name, rest)
		}
		l.Limit = float64(n)
	}
	return l, nil
}

// Check evaluates the limit against a run's summary: the measured value
// (in the metric's unit) and whether the limit holds. A limit that was not
// built by ParseLimit never holds.
func (l Limit) Check(s results.Summary) (value float64, ok bool) {
	v := l.Metric.Value(s)
	if l.Op == nil || math.IsNaN(v) {
		return v, false
	}
	return v, l.Op(v, l.Limit)
}

// String renders the limit canonically, e.g. "retained < 50MiB"; ParseLimit
// reads it back.
func (l Limit) String() string {
	return l.Metric.Name + " " + l.OpText + " " + l.Metric.Unit.Format(l.Limit)
}

// MarshalText renders the limit as String does, so limits survive JSON.
func (l Limit) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses a limit with ParseLimit.
func (l *Limit) UnmarshalText(b []byte) error {
	v, err := ParseLimit(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}
