package compare

import (
	"math"
	"testing"
)

// The one median rule: Median is the middle value, or the mean of the two
// middle ones, of the finite values in any order, and NaN when none is
// finite; the same value Summarize gives. MedianIndex picks the value
// nearest it, the lower of the two middle ones for an even count, the
// first of equal ones, skipping non-finite values; -1 when none is finite.
func TestMedian(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name   string
		in     []float64
		median float64
		index  int
	}{
		{"odd: the middle run", []float64{30, 10, 20}, 20, 2},
		{"even: the mean of the two middle; the lower middle, though later", []float64{4, 1, 3, 2}, 2.5, 3},
		{"even: the lower middle, first", []float64{1, 2, 4, 3}, 2.5, 1},
		{"even: the first of equal lower middles", []float64{7, 2, 9, 2}, 4.5, 1},
		{"even of two", []float64{100, 900}, 500, 0},
		{"one", []float64{5}, 5, 0},
		{"ties: the first", []float64{5, 5, 5}, 5, 0},
		{"non-finite dropped", []float64{math.NaN(), 7, math.Inf(1), 9, 8}, 8, 4},
		{"non-finite skipped", []float64{math.NaN(), 9, math.Inf(1), 7, 8}, 8, 4},
		{"negative", []float64{-3, -1, -2, -10}, -2.5, 0},
		{"none finite", []float64{math.NaN()}, nan, -1},
		{"none finite of two", []float64{math.NaN(), math.Inf(-1)}, nan, -1},
		{"empty", nil, nan, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
			in := append([]float64(nil), tc.in...)
			if got := Median(in); !same(got, tc.median) {
				t.Errorf("Median(%v) = %g, want %g", tc.in, got, tc.median)
			}
			for i := range in {
				if !same(in[i], tc.in[i]) {
					t.Fatalf("Median reordered its input: %v, was %v", in, tc.in)
				}
			}
			if s := Summarize(tc.in, 0); !same(s.Median, tc.median) {
				t.Errorf("Summarize(%v).Median = %g, want Median's %g", tc.in, s.Median, tc.median)
			}
			if got := MedianIndex(tc.in); got != tc.index {
				t.Errorf("MedianIndex(%v) = %d, want %d", tc.in, got, tc.index)
			}
		})
	}
}
