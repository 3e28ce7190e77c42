package metric

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/leakbench/leakbench/internal/enum"
	"github.com/leakbench/leakbench/internal/results"
)

// Unit is what a metric measures, and so how its values are shown and how
// a limit on it is written.
type Unit uint8

// The units of the metrics. The zero Unit is invalid.
const (
	Bytes         Unit = iota + 1 // a size: shown in MiB, written "50MiB" in limits
	BytesPerRound                 // a size per round (the slope): shown in MiB/round, written "1MiB/round"
	Count                         // a non-negative integer: instances, requests, errors
	PerSecond                     // a rate in requests per second: throughput
	Seconds                       // a duration in seconds: request latency, written "1.5s" or "250ms" in limits
)

var units = enum.New[Unit]("unit", "", "bytes", "bytes/round", "count", "req/s", "seconds")

// String returns "bytes", "bytes/round", "count", "req/s" or "seconds".
func (u Unit) String() string { return units.String(u) }

// Format renders a value for tables, the number and its unit together:
// "123.4MiB", "0.52MiB/round", "6", "3.10req/s"; "n/a" for NaN.
func (u Unit) Format(v float64) string { return u.FormatSep(v, "") }

// FormatSep is Format with sep between the number and its unit:
// FormatSep(v, " ") gives "123.4 MiB", the style of bench run's lines.
func (u Unit) FormatSep(v float64, sep string) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	switch u {
	case Bytes:
		return fmt.Sprintf("%.1f%sMiB", v/results.MiB, sep)
	case BytesPerRound:
		return fmt.Sprintf("%.2f%sMiB/round", v/results.MiB, sep)
	case Count:
		return fmt.Sprintf("%.0f", v)
	case PerSecond:
		return fmt.Sprintf("%.2f%sreq/s", v, sep)
	case Seconds:
		return fmt.Sprintf("%.3f%ss", v, sep)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Bench returns the unit as Go's benchmark format and benchstat spell it
// (benchunit's base units, which benchstat scales itself): "B",
// "B/round", "" for a count, "req/s", "sec".
func (u Unit) Bench() string {
	switch u {
	case Bytes:
		return "B"
	case BytesPerRound:
		return "B/round"
	case PerSecond:
		return "req/s"
	case Seconds:
		return "sec"
	}
	return ""
}

// FormatDelta renders a signed difference as Format does, with "+" before
// a non-negative one: "+12.0MiB", "-0.50MiB/round".
func (u Unit) FormatDelta(d float64) string {
	s := u.Format(d)
	if d >= 0 && !math.IsNaN(d) {
		s = "+" + s
	}
	return s
}

// Exact renders a value the way limits are written, so that ParseLimit
// reads it back exactly: sizes with a binary unit where that is exact
// ("50MiB"), slopes with "/round", counts as integers, rates as plain
// numbers with "req/s". Negative sizes keep their sign.
func (u Unit) Exact(v float64) string {
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
	case PerSecond:
		return strconv.FormatFloat(v, 'f', -1, 64) + "req/s"
	case Seconds:
		return time.Duration(math.Round(v * float64(time.Second))).String()
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
