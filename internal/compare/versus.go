package compare

import (
	"fmt"
	"math"
	"slices"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchmath"
	"gonum.org/v1/gonum/stat/distuv"
)

// Verdict is the outcome of comparing a sample with the reference.
type Verdict int8

// The verdicts. Same is benchstat's "~": not significant at α, or within
// the metric's absolute floor.
const (
	Same   Verdict = iota // no difference shown: p ≥ α or |Δ| ≤ floor
	Better                // significant and past the floor, in the better direction
	Worse                 // significant and past the floor, in the worse direction
)

// String returns "~", "better" or "worse".
func (v Verdict) String() string {
	switch v {
	case Better:
		return "better"
	case Worse:
		return "worse"
	}
	return "~"
}

// Difference is one sample compared with the reference sample of the same
// metric.
type Difference struct {
	// Ref and New summarise the two samples.
	Ref, New Summary
	// Delta is New.Median − Ref.Median; DeltaLo and DeltaHi bound it (the
	// Mann-Whitney interval of the shift, see the package doc). The bounds
	// are infinite when the samples are too small for the confidence.
	Delta, DeltaLo, DeltaHi float64
	// Ratio is New.Median / Ref.Median, NaN unless both medians are
	// positive. RatioLo and RatioHi bound it (the same interval on the
	// log scale), NaN unless every value of both samples is positive.
	Ratio, RatioLo, RatioHi float64
	// Confidence is the actual confidence of the Delta and Ratio intervals,
	// at least the requested one.
	Confidence float64
	// P is the two-sided Mann-Whitney U p-value (benchmath), 1 when the
	// test cannot be made (all values equal).
	P float64
	// Alpha is the significance level the verdict used.
	Alpha float64
	// WithinFloor is true when |Delta| is no larger than the metric's floor.
	WithinFloor bool
	// Verdict is Same when P ≥ Alpha or WithinFloor, else Better or Worse.
	Verdict Verdict
	// Warnings say what the figures cannot be trusted for.
	Warnings []string
}

// Diff compares the sample x with the reference sample ref for metric m,
// at significance level alpha and interval confidence confidence (0 means
// DefaultAlpha, DefaultConfidence). NaN and infinite values are dropped
// with a warning.
func Diff(m Metric, ref, x []float64, alpha, confidence float64) Difference {
	alpha = orDefault(alpha, DefaultAlpha)
	conf := orDefault(confidence, DefaultConfidence)
	d := Difference{Ref: Summarize(ref, conf), New: Summarize(x, conf), Alpha: alpha}
	r, _ := finiteValues(ref)
	n, _ := finiteValues(x)
	d.Delta = d.New.Median - d.Ref.Median
	d.Ratio, d.RatioLo, d.RatioHi = math.NaN(), math.NaN(), math.NaN()
	if d.Ref.Median > 0 && d.New.Median > 0 {
		d.Ratio = d.New.Median / d.Ref.Median
	}
	if len(r) == 0 || len(n) == 0 {
		d.P, d.DeltaLo, d.DeltaHi = 1, math.NaN(), math.NaN()
		d.Warnings = append(d.Warnings, "no values to compare")
		return d
	}

	th := benchmath.DefaultThresholds
	th.CompareAlpha = alpha
	cmp := benchmath.AssumeNothing.Compare(benchmath.NewSample(slices.Clone(r), &th), benchmath.NewSample(slices.Clone(n), &th))
	d.P = cmp.P
	for _, w := range cmp.Warnings {
		d.Warnings = append(d.Warnings, w.Error())
	}

	k, got := shiftOrder(len(r), len(n), conf)
	d.Confidence = got
	d.DeltaLo, d.DeltaHi = pairwiseInterval(r, n, k, func(a, b float64) float64 { return b - a })
	if r[0] > 0 && n[0] > 0 {
		lo, hi := pairwiseInterval(r, n, k, func(a, b float64) float64 { return math.Log(b) - math.Log(a) })
		d.RatioLo, d.RatioHi = math.Exp(lo), math.Exp(hi)
	} else {
		d.Warnings = append(d.Warnings, "no interval for the ratio: not every value is positive")
	}
	if k == 0 {
		d.Warnings = append(d.Warnings, fmt.Sprintf("need more values for an interval of the difference at level %v", conf))
	}

	d.WithinFloor = math.Abs(d.Delta) <= m.Floor
	switch {
	case d.P >= alpha || d.WithinFloor:
		d.Verdict = Same
	case m.worse(d.Ref.Median, d.New.Median) > 0:
		d.Verdict = Worse
	default:
		d.Verdict = Better
	}
	return d
}

// shiftOrder returns k, the order of the pairwise differences that bounds
// the distribution-free interval of a shift between samples of sizes n1
// and n2 (Hollander, Wolfe and Chicken §4.3), and the interval's actual
// confidence. k is the largest integer with P0(U ≤ k−1) ≤ (1−conf)/2
// under the null distribution of the Mann-Whitney U statistic without
// ties; k == 0 means no finite interval exists at that confidence.
func shiftOrder(n1, n2 int, conf float64) (int, float64) {
	tail := (1 - conf) / 2
	mn := n1 * n2
	if n1 > stats.MannWhitneyExactLimit || n2 > stats.MannWhitneyExactLimit {
		// Normal approximation with continuity correction.
		z := distuv.UnitNormal.Quantile(1 - tail)
		sd := math.Sqrt(float64(mn) * float64(n1+n2+1) / 12)
		k := int(math.Floor(float64(mn)/2 - z*sd + 0.5))
		if k < 1 {
			return 0, 1
		}
		got := 1 - 2*distuv.UnitNormal.CDF((float64(k)-0.5-float64(mn)/2)/sd)
		return k, got
	}
	dist := stats.UDist{N1: n1, N2: n2}
	const eps = 1e-12
	if dist.CDF(0) > tail+eps {
		return 0, 1
	}
	// Binary search for the largest u with CDF(u) ≤ tail; u = k-1.
	lo, hi := 0, mn/2
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if dist.CDF(float64(mid)) <= tail+eps {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, 1 - 2*dist.CDF(float64(lo))
}

// pairwiseInterval returns the k-th smallest and k-th largest of f(x_i,
// y_j) over all pairs; ±Inf when k == 0.
func pairwiseInterval(x, y []float64, k int, f func(a, b float64) float64) (float64, float64) {
	if k == 0 {
		return math.Inf(-1), math.Inf(1)
	}
	ds := make([]float64, 0, len(x)*len(y))
	for _, a := range x {
		for _, b := range y {
			ds = append(ds, f(a, b))
		}
	}
	slices.Sort(ds)
	return ds[k-1], ds[len(ds)-k]
}
