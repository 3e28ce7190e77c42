package compare

import (
	"fmt"
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// DefaultConfidence is the confidence level of every interval unless the
// caller asks for another.
const DefaultConfidence = 0.95

// DefaultAlpha is the significance level of the Mann-Whitney test.
const DefaultAlpha = 0.05

// Summary is one sample's median with its confidence interval.
type Summary struct {
	// N is the number of finite values the summary is of.
	N int
	// Median is the sample median (the mean of the two middle values for
	// an even N, as benchmath computes it).
	Median float64
	// Lo and Hi bound the confidence interval of the median; either may be
	// infinite when the sample is too small for the requested confidence.
	Lo, Hi float64
	// Confidence is the interval's actual confidence, at least the
	// requested one (order statistics give only certain levels).
	Confidence float64
	// Warnings say what the figures cannot be trusted for.
	Warnings []string
}

// Summarize returns the median of values and its distribution-free
// confidence interval at the given confidence (0 means
// DefaultConfidence), computed by benchmath.AssumeNothing. Values that
// are NaN or infinite are dropped with a warning. With no values left the
// summary has N == 0 and NaN figures.
func Summarize(values []float64, confidence float64) Summary {
	conf := orDefault(confidence, DefaultConfidence)
	kept, dropped := finiteValues(values)
	var warns []string
	if dropped > 0 {
		warns = append(warns, fmt.Sprintf("%d of %d values are not finite and were left out", dropped, len(values)))
	}
	if len(kept) == 0 {
		return Summary{Median: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Warnings: append(warns, "no values")}
	}
	s := benchmath.AssumeNothing.Summary(benchmath.NewSample(kept, &benchmath.DefaultThresholds), conf)
	for _, w := range s.Warnings {
		warns = append(warns, w.Error())
	}
	return Summary{N: len(kept), Median: s.Center, Lo: s.Lo, Hi: s.Hi, Confidence: s.Confidence, Warnings: warns}
}

// pctRange renders the interval's half-width as a percentage of the
// median, as benchstat does: "5%", "∞", "?" when the signs differ.
func (s Summary) pctRange() string {
	if s.N == 0 {
		return "?"
	}
	return benchmath.Summary{Center: s.Median, Lo: s.Lo, Hi: s.Hi}.PctRangeString()
}

// finiteValues returns a sorted copy of the finite values and how many
// were dropped. The copy matters: benchmath.NewSample sorts in place.
func finiteValues(values []float64) ([]float64, int) {
	kept := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			kept = append(kept, v)
		}
	}
	slices.Sort(kept)
	return kept, len(values) - len(kept)
}

// orDefault returns v, or def when v is zero.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}
