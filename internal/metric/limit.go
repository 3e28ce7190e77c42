package metric

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/enum"
	"github.com/leakbench/leakbench/internal/results"
)

// Op is the comparison of a limit. The zero Op is invalid.
type Op uint8

// The comparisons a limit can make.
const (
	Less      Op = iota + 1 // <
	LessEq                  // <=
	Greater                 // >
	GreaterEq               // >=
)

var ops = enum.New[Op]("operator", "", "<", "<=", ">", ">=")

// holds is each Op's comparison, indexed by Op.
var holds = [...]func(v, bound float64) bool{
	Less:      func(v, b float64) bool { return v < b },
	LessEq:    func(v, b float64) bool { return v <= b },
	Greater:   func(v, b float64) bool { return v > b },
	GreaterEq: func(v, b float64) bool { return v >= b },
}

// ParseOp returns the Op written s: "<", "<=", ">" or ">=".
func ParseOp(s string) (Op, error) { return ops.Parse(s) }

// String returns "<", "<=", ">" or ">=".
func (o Op) String() string { return ops.String(o) }

// Valid reports whether o is one of the four comparisons.
func (o Op) Valid() bool { return ops.Valid(o) }

// Holds reports whether v compares with bound as o says; never for an
// invalid Op or a NaN.
func (o Op) Holds(v, bound float64) bool { return o.Valid() && holds[o](v, bound) }

// Limit is an absolute bound on one metric of a run, such as
// "retained < 50MiB" or "slope < 1MiB/round", parsed once by ParseLimit
// (or built in Go from its fields). The gate and bench run evaluate it
// with Holds and Check; nothing switches on its text.
type Limit struct {
	Metric Metric
	Op     Op
	Bound  float64 // in the metric's unit: bytes, bytes per round, a count, req/s

	name string // the metric as the limit spelled it ("instances_peak"); "" for Metric's own name
	// unit and decimals are how a size bound was written ("MB", 1 for
	// "5.4MB"), so that the limit and the values checked against it are
	// shown in the user's unit; "" for a bound without a size unit.
	unit     string
	decimals int
}

// ParseLimit parses "<metric> <op> <value>": metric one of Names (or an
// older spelling, see ParseMetric), op one of <, <=, >, >=, and value a
// size for byte metrics ("50MiB"), a size per round for slopes
// ("1MiB/round"), an integer for counts, or a number of requests per
// second for throughput ("2" or "2req/s"). Spaces around the operator
// are optional.
func ParseLimit(s string) (Limit, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexAny(t, "<>=!")
	if i < 0 {
		return Limit{}, fmt.Errorf("invalid limit %q: want \"<metric> <op> <value>\" such as \"retained < 50MiB\", with op one of %s", s, ops.Allowed())
	}
	name, rest := strings.TrimSpace(t[:i]), t[i:]
	j := 0
	for j < len(rest) && strings.IndexByte("<>=!", rest[j]) >= 0 {
		j++
	}
	op, err := ParseOp(rest[:j])
	rest = strings.TrimSpace(rest[j:])
	if err != nil || strings.ContainsAny(rest, "<>=!") {
		return Limit{}, fmt.Errorf("invalid limit %q: bad operator (allowed: %s)", s, ops.Allowed())
	}
	if name == "" {
		return Limit{}, fmt.Errorf("invalid limit %q: missing metric before %q (metrics: %s)", s, op, names.Allowed())
	}
	m, err := ParseMetric(name)
	if err != nil {
		return Limit{}, fmt.Errorf("invalid limit %q: unknown metric %q (metrics: %s)", s, name, names.Allowed())
	}
	l := Limit{Metric: m, Op: op}
	if n := normalize(name); n != m.String() {
		l.name = n
	}
	if rest == "" {
		return Limit{}, fmt.Errorf("invalid limit %q: missing value after %q", s, op)
	}
	switch m.Unit() {
	case Bytes:
		if strings.Contains(rest, "/") {
			return Limit{}, fmt.Errorf("invalid limit %q: %s is a size, write it like \"50MiB\", not %q", s, l.Name(), rest)
		}
		b, err := ParseSize(rest)
		if err != nil {
			return Limit{}, fmt.Errorf("invalid limit %q: %v", s, err)
		}
		l.Bound = float64(b)
		l.unit, l.decimals = writtenUnit(rest)
	case BytesPerRound:
		size, ok := strings.CutSuffix(rest, "/round")
		if !ok {
			return Limit{}, fmt.Errorf("invalid limit %q: %s is a size per round, write it like \"1MiB/round\", not %q", s, l.Name(), rest)
		}
		b, err := ParseSize(strings.TrimSpace(size))
		if err != nil {
			return Limit{}, fmt.Errorf("invalid limit %q: %v", s, err)
		}
		l.Bound = float64(b)
		l.unit, l.decimals = writtenUnit(strings.TrimSpace(size))
	case Count:
		n, err := strconv.ParseUint(rest, 10, 31)
		if err != nil {
			return Limit{}, fmt.Errorf("invalid limit %q: %s is a count, want a non-negative integer, not %q", s, l.Name(), rest)
		}
		l.Bound = float64(n)
	case PerSecond:
		num := strings.TrimSpace(strings.TrimSuffix(rest, "req/s"))
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || v < 0 || math.IsInf(v, 0) {
			return Limit{}, fmt.Errorf("invalid limit %q: %s is requests per second, want a non-negative number such as \"2.5\" or \"2.5req/s\", not %q", s, l.Name(), rest)
		}
		l.Bound = v
	case Seconds:
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return Limit{}, fmt.Errorf("invalid limit %q: %s is a duration, write it like \"1.5s\" or \"250ms\", not %q", s, l.Name(), rest)
		}
		l.Bound = d.Seconds()
	}
	return l, nil
}

// Valid reports whether the limit names a metric and a comparison.
func (l Limit) Valid() bool { return l.Metric.Valid() && l.Op.Valid() }

// Name returns the metric as the limit names it: as the file spelled it
// ("instances_peak"), else the metric's name.
func (l Limit) Name() string {
	if l.name != "" {
		return l.name
	}
	return l.Metric.String()
}

// Holds reports whether a value of the metric (a median, say) is within
// the limit; never for an invalid limit or a NaN.
func (l Limit) Holds(v float64) bool { return l.Valid() && l.Op.Holds(v, l.Bound) }

// Check evaluates the limit against a run's summary: the measured value
// (in the metric's unit) and whether the limit holds. An invalid limit
// gives NaN and false.
func (l Limit) Check(s results.Summary) (value float64, ok bool) {
	v := l.Metric.Value(s)
	return v, l.Holds(v)
}

// String renders the limit canonically, e.g. "retained < 50MiB", a size
// in the unit it was written in when that is exact ("settled < 64MB"
// stays in MB); ParseLimit reads it back.
func (l Limit) String() string {
	bound := l.Metric.Unit().Exact(l.Bound)
	if l.unit != "" {
		if u, ok := sizeUnit(l.unit); ok {
			t := strconv.FormatFloat(l.Bound/u, 'f', -1, 64) + l.unit
			if b, err := ParseSize(t); err == nil && float64(b) == l.Bound {
				bound = t
				if l.Metric.Unit() == BytesPerRound {
					bound += "/round"
				}
			}
		}
	}
	return l.Name() + " " + l.Op.String() + " " + bound
}

// Format renders a value of the limit's metric (a measured one, to show
// beside the limit) in the unit the limit's bound was written in, with
// one decimal more than the bound: "5.45MB" for "settled < 5.4MB",
// "63.2MiB" for "settled < 64MiB"; as the metric's Format does for a
// bound without a size unit.
func (l Limit) Format(v float64) string {
	u, ok := sizeUnit(l.unit)
	if !ok || math.IsNaN(v) {
		return l.Metric.Format(v)
	}
	s := strconv.FormatFloat(v/u, 'f', l.decimals+1, 64) + l.unit
	if l.Metric.Unit() == BytesPerRound {
		s += "/round"
	}
	return s
}

// writtenUnit returns the unit of a size as written ("MB" of "5.4 MB")
// and how many decimals its number has.
func writtenUnit(size string) (unit string, decimals int) {
	num := strings.TrimRight(size, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ")
	if i := strings.IndexByte(num, '.'); i >= 0 {
		decimals = len(num) - i - 1
	}
	return strings.TrimSpace(size[len(num):]), decimals
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
