package factorial_test

import (
	"fmt"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/compare/factorial"
)

// Two switches, three runs per cell: reusing instances adds 300 MiB of
// peak with views cleared and 400 MiB with views leaked, 350 MiB on
// average (the main effect); the interaction is (400 − 300) / 2 = 50 MiB.
func ExampleAnalysis_Answer() {
	d, err := factorial.NewDesign(
		factorial.Switch{Name: "lifetime", Low: "fresh", High: "reuse"},
		factorial.Switch{Name: "views", Low: "cleared", High: "leaked"},
	)
	if err != nil {
		panic(err)
	}
	const mib = 1 << 20
	cells := map[[2]string][]float64{
		{"fresh", "cleared"}: {500, 504, 496},
		{"reuse", "cleared"}: {800, 797, 803},
		{"fresh", "leaked"}:  {600, 602, 598},
		{"reuse", "leaked"}:  {1000, 1005, 995},
	}
	tput := map[[2]string]float64{{"fresh", "cleared"}: 2.0, {"reuse", "cleared"}: 3.0, {"fresh", "leaked"}: 2.0, {"reuse", "leaked"}: 3.0}
	var runs []factorial.Run
	for lv, peaks := range cells {
		for i, p := range peaks {
			runs = append(runs, factorial.Run{
				Levels: map[string]string{"lifetime": lv[0], "views": lv[1]},
				Values: map[string]float64{"peak": p * mib, "throughput": tput[lv] + 0.01*float64(i-1)},
			})
		}
	}
	a, err := factorial.Analyze(d, []compare.Metric{{Name: "peak", Unit: "B"}, {Name: "throughput", Unit: "req/s", HigherIsBetter: true}},
		runs, factorial.Options{})
	if err != nil {
		panic(err)
	}
	ans, err := a.Answer("peak", "throughput")
	if err != nil {
		panic(err)
	}
	fmt.Print(ans)
	// Output:
	// Costs most memory (peak): lifetime: reuse +350.0MiB [+345.1MiB, +354.9MiB] against fresh, ×1.63 [1.62, 1.64] (simultaneous interval excludes zero).
	// Costs most throughput (throughput): lifetime: fresh -1.00req/s [-1.01req/s, -0.987req/s] against reuse, ×0.667 [0.663, 0.670] (simultaneous interval excludes zero).
	// Interacting pairs (simultaneous 95% interval excludes 0 for a difference, 1 for a ratio): lifetime×views in peak +50.00MiB [+43.60MiB, +56.40MiB] (difference); lifetime×views in peak ×1.02 [1.01, 1.03] (ratio).
}
