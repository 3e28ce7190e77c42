package gate

import (
	"math"
	"slices"

	"github.com/leakbench/leakbench/internal/compare"
)

// Stat is one metric over the R runs of a scenario: its median
// (compare.Median, the harness's one median rule), its extremes and the
// values themselves, in run order.
type Stat struct {
	Median float64   `json:"median"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Values []float64 `json:"values"`
}

// NewStat summarises the values of one metric over R runs. Values that are
// NaN or infinite (a slope over too few rounds) are dropped; a Stat of no
// values has N() == 0 and NaN figures.
func NewStat(values []float64) Stat {
	kept := make([]float64, 0, len(values))
	for _, v := range values {
		if finite(v) {
			kept = append(kept, v)
		}
	}
	if len(kept) == 0 {
		return Stat{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	sorted := slices.Clone(kept)
	slices.Sort(sorted)
	return Stat{
		Median: compare.Median(kept),
		Min:    sorted[0],
		Max:    sorted[len(sorted)-1],
		Values: kept,
	}
}

// N is the number of runs the Stat summarises.
func (s Stat) N() int { return len(s.Values) }

// Range is Max - Min.
func (s Stat) Range() float64 { return s.Max - s.Min }

// Spread is the relative spread (Max-Min)/|Median|: 0 for identical runs,
// +Inf when the runs differ around a median of zero, NaN for no runs.
func (s Stat) Spread() float64 {
	if s.N() == 0 {
		return math.NaN()
	}
	r := s.Range()
	if r == 0 {
		return 0
	}
	if s.Median == 0 {
		return math.Inf(1)
	}
	return r / math.Abs(s.Median)
}

// times returns the Stat with every figure multiplied by f.
func (s Stat) times(f float64) Stat {
	out := Stat{Median: s.Median * f, Min: s.Min * f, Max: s.Max * f, Values: make([]float64, len(s.Values))}
	for i, v := range s.Values {
		out.Values[i] = v * f
	}
	return out
}

// valid reports whether the Stat holds at least one finite value and its
// figures are consistent; used to validate baselines read from disk.
func (s Stat) valid() bool {
	if s.N() == 0 || !finite(s.Median) || !finite(s.Min) || !finite(s.Max) {
		return false
	}
	for _, v := range s.Values {
		if !finite(v) {
			return false
		}
	}
	return s.Min <= s.Median && s.Median <= s.Max
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
