package compare_test

import (
	"fmt"
	"os"

	"github.com/leakbench/leakbench/internal/compare"
)

func ExampleCompare() {
	const mib = 1 << 20
	metrics := []compare.Metric{
		{Name: "peak", Unit: "B", Floor: 32 * mib},
		{Name: "settled", Unit: "B", Floor: 16 * mib},
		{Name: "throughput", Unit: "req/s", HigherIsBetter: true},
	}
	values := map[compare.Key][]float64{
		{Scenario: "quick-fixed", Metric: "peak"}:       {194 * mib, 201 * mib, 188 * mib, 210 * mib, 199 * mib, 205 * mib},
		{Scenario: "quick-fixed", Metric: "settled"}:    {1.2 * mib, 3.1 * mib, 2.2 * mib, 1.8 * mib, 2.9 * mib, 1.5 * mib},
		{Scenario: "quick-fixed", Metric: "throughput"}: {3.2, 3.4, 3.1, 3.3, 3.2, 3.35},
		{Scenario: "quick-leaky", Metric: "peak"}:       {430 * mib, 455 * mib, 441 * mib, 470 * mib, 438 * mib, 446 * mib},
		{Scenario: "quick-leaky", Metric: "settled"}:    {62 * mib, 64 * mib, 61 * mib, 66 * mib, 63 * mib, 62.5 * mib},
		{Scenario: "quick-leaky", Metric: "throughput"}: {3.1, 3.5, 3.0, 3.3, 3.25, 3.2},
		{Scenario: "fix1", Metric: "peak"}:              {190 * mib, 230 * mib, 205 * mib},
		{Scenario: "fix1", Metric: "settled"}:           {5 * mib, 9 * mib, 7 * mib},
		{Scenario: "fix1", Metric: "throughput"}:        {3.0, 2.9, 3.1},
	}
	t, err := compare.Compare(metrics, []string{"quick-fixed", "quick-leaky", "fix1"}, values, compare.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println("R = 6 (fix1: 3)")
	if err := t.WriteText(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// R = 6 (fix1: 3)
	//            │   quick-fixed   │                          quick-leaky                          │                                  fix1                                  │
	//            │     median      │     median           vs quick-fixed         ratio [95% CI]    │     median               vs quick-fixed              ratio [95% CI]    │
	// peak         200.0MiB ± 6%     443.5MiB ± 6%    +121.75% (p=0.002 n=6)   2.22 [2.14, 2.35]     205.0MiB ± ∞¹    ~ (p=0.595 n=6+3)                1.02 [0.927, 1.19]
	// settled      2.000MiB ± 55%    62.750MiB ± 5%   +3037.50% (p=0.002 n=6)  31.4 [21.0, 50.8]     7.000MiB ± ∞¹    ~ (p=0.024 n=6+3, within floor)  3.50 [1.72, 6.00]
	// throughput   3.250req/s ± 5%   3.225req/s ± 9%  ~ (p=0.658 n=6)          0.992 [0.937, 1.05]   3.000req/s ± ∞¹  -7.69% (p=0.024 n=6+3)           0.923 [0.866, 0.969]
	//
	// ¹ need >= 6 samples for confidence interval at level 0.95
	//
	// median ± half-width of its 95% confidence interval as a percentage of the median (distribution-free,
	// benchmath); vs quick-fixed: change of the median, "~" when the Mann-Whitney U test gives p ≥ 0.05 or
	// the change is within the metric's absolute floor; ratio: median over quick-fixed's median with its
	// 95% interval.
}
