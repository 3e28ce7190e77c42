package compare

import "math"

// Median is leakbench's one median rule: the sample median of the finite
// values as benchmath (AssumeNothing) and so benchstat compute it, the
// middle value for an odd count and the mean of the two middle ones for an
// even count; NaN when no value is finite. Every median the harness shows
// or judges is this one: the tables of bench compare and of both gates, a
// baseline's figures, the gate's calibration, the A/B gate's power and
// the reproduction's stage figures. Summarize reports the same value with
// its interval.
//
// For an even count the median is not a value any run produced; where a
// run must stand for the median (its plots, its profiles) MedianIndex
// picks it.
func Median(values []float64) float64 { return Summarize(values, 0).Median }

// MedianIndex returns the index in values of the value nearest their
// Median: for an even count, of the two middle values equally near it, the
// lower one; of equal values, the first in order; -1 when no value is
// finite. It picks the run that stands for a median, the one whose plots
// or profiles are shown beside it: the middle run for an odd count, the
// lower middle one for an even count.
func MedianIndex(values []float64) int {
	med := Median(values)
	best := -1
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		d, bd := math.Abs(v-med), math.Abs(values[best]-med)
		if d < bd || d == bd && v < values[best] {
			best = i
		}
	}
	return best
}
