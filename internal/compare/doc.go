// Package compare is the statistics of bench compare and of the A/B gate:
// replicate values of each (scenario, metric) in, medians with confidence
// intervals, ratios against a reference scenario with their intervals,
// Mann-Whitney U p-values and benchstat-style verdicts out, as a Table that
// renders as text or markdown.
//
// It is pure: it runs nothing and reads or writes files only through the
// io.Writer it is given. The metrics it works on are described by the
// caller (Metric: name, unit, direction, absolute noise floor); compare
// keeps no table of metrics of its own.
//
// # Methods
//
// The median and its interval, and the p-value, come from
// golang.org/x/perf/benchmath under its AssumeNothing assumption, exactly
// as benchstat computes them: a distribution-free interval from order
// statistics, and a two-sided Mann-Whitney U test (exact for small samples,
// with ties). A distribution-free 95% interval for a median needs at least
// six values: with five, benchmath (and so this package) reports an
// interval that is infinite on one side, and a warning says so.
//
// benchmath gives no interval for a difference or a ratio of two medians.
// For those this package inverts the same Mann-Whitney test (Hodges and
// Lehmann 1963; Bauer 1972; Hollander, Wolfe and Chicken, Nonparametric
// Statistical Methods, 3rd ed., §4.3): of the n1·n2 pairwise differences
// y_j − x_i, sorted, the interval runs from the k-th smallest to the k-th
// largest, with k taken from the exact null distribution of U (go-moremath's
// UDist, the distribution benchmath's own test uses) or its normal
// approximation past 50 values a side. For the ratio the same is done on
// logarithms, i.e. on the pairwise ratios y_j/x_i, which needs every value
// of both samples to be positive. Under a shift model (on the log scale for
// the ratio) these are exact intervals for the shift, which there equals the
// difference (ratio) of the medians; the interval excludes zero (one)
// exactly when the test without ties rejects at the same level, so the
// interval and the verdict agree. The point estimates shown are the
// difference and the ratio of the sample medians, as benchstat shows them.
package compare
