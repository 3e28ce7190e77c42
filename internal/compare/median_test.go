package compare

import (
	"math"
	"testing"
)

// The one median rule: the middle value, or the mean of the two middle
// ones, of the finite values in any order; the same value Summarize gives.
func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []float64
		want float64
	}{
		{"odd", []float64{30, 10, 20}, 20},
		{"even takes the mean of the two middle", []float64{4, 1, 3, 2}, 2.5},
		{"even of two", []float64{100, 900}, 500},
		{"one", []float64{5}, 5},
		{"non-finite dropped", []float64{math.NaN(), 7, math.Inf(1), 9, 8}, 8},
		{"negative", []float64{-3, -1, -2, -10}, -2.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]float64(nil), tc.in...)
			if got := Median(in); got != tc.want {
				t.Errorf("Median(%v) = %g, want %g", tc.in, got, tc.want)
			}
			for i := range in {
				if !(in[i] == tc.in[i] || math.IsNaN(in[i]) && math.IsNaN(tc.in[i])) {
					t.Fatalf("Median reordered its input: %v, was %v", in, tc.in)
				}
			}
			if s := Summarize(tc.in, 0); s.Median != tc.want {
				t.Errorf("Summarize(%v).Median = %g, want Median's %g", tc.in, s.Median, tc.want)
			}
		})
	}
	for _, in := range [][]float64{nil, {math.NaN(), math.Inf(-1)}} {
		if got := Median(in); !math.IsNaN(got) {
			t.Errorf("Median(%v) = %g, want NaN", in, got)
		}
	}
}

// MedianIndex picks the value nearest the median, the lower of the two
// middle ones for an even count, the first of equal ones, skipping
// non-finite values.
func TestMedianIndex(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []float64
		want int
	}{
		{"odd: the middle run", []float64{30, 10, 20}, 2},
		{"even: the lower middle, though later", []float64{4, 1, 3, 2}, 3},
		{"even: the lower middle, first", []float64{1, 2, 4, 3}, 1},
		{"even: the first of equal lower middles", []float64{7, 2, 9, 2}, 1},
		{"ties: the first", []float64{5, 5, 5}, 0},
		{"non-finite skipped", []float64{math.NaN(), 9, math.Inf(1), 7, 8}, 4},
		{"none", []float64{math.NaN()}, -1},
		{"empty", nil, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MedianIndex(tc.in); got != tc.want {
				t.Errorf("MedianIndex(%v) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}
