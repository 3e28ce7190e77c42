package shard

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestPlan_EveryCellExactlyOnce(t *testing.T) {
	for n := 1; n <= 7; n++ {
		for _, s := range []int{1, 2, 3, 4, 5, 16} {
			for reps := 1; reps <= 9; reps++ {
				scenarios := make([]string, s)
				for j := range scenarios {
					scenarios[j] = fmt.Sprintf("s%02d", j)
				}
				seen := map[Cell]int{}
				sizes := make([]int, n)
				perScenario := make([][]int, s) // [scenario][shard] count
				for j := range perScenario {
					perScenario[j] = make([]int, n)
				}
				for k := 1; k <= n; k++ {
					cells, err := Plan(scenarios, reps, 42, Shard{K: k, N: n})
					if err != nil {
						t.Fatal(err)
					}
					again, _ := Plan(scenarios, reps, 42, Shard{K: k, N: n})
					if !slices.Equal(cells, again) {
						t.Fatalf("N=%d K=%d: two plans differ", n, k)
					}
					for i, c := range cells {
						seen[c]++
						perScenario[slices.Index(scenarios, c.Scenario)][k-1]++
						if i > 0 && c.Rep < cells[i-1].Rep {
							t.Fatalf("N=%d K=%d: repetition %d after %d", n, k, c.Rep, cells[i-1].Rep)
						}
					}
					sizes[k-1] = len(cells)
				}
				for j, sc := range scenarios {
					for rep := 1; rep <= reps; rep++ {
						if got := seen[Cell{sc, rep}]; got != 1 {
							t.Fatalf("N=%d S=%d R=%d: cell %s#%d in %d shards", n, s, reps, sc, rep, got)
						}
					}
					if spread(perScenario[j]) > 1 {
						t.Errorf("N=%d S=%d R=%d: scenario %s per shard %v", n, s, reps, sc, perScenario[j])
					}
				}
				if len(seen) != s*reps {
					t.Fatalf("N=%d S=%d R=%d: %d cells, want %d", n, s, reps, len(seen), s*reps)
				}
				if spread(sizes) > 1 {
					t.Errorf("N=%d S=%d R=%d: shard sizes %v", n, s, reps, sizes)
				}
			}
		}
	}
}

// all is the one shard that holds every cell.
var all = Shard{K: 1, N: 1}

func spread(xs []int) int { return slices.Max(xs) - slices.Min(xs) }

func TestPlan_InterleavesInASeededShuffle(t *testing.T) {
	scenarios := []string{"a", "b", "c", "d", "e"}
	cells, err := Plan(scenarios, 6, 7, all)
	if err != nil {
		t.Fatal(err)
	}
	orders := map[string]bool{}
	first := map[string]int{}
	for rep := 1; rep <= 6; rep++ {
		var got []string
		for _, c := range cells {
			if c.Rep == rep {
				got = append(got, c.Scenario)
			}
		}
		if sorted := slices.Sorted(slices.Values(got)); !slices.Equal(sorted, scenarios) {
			t.Fatalf("repetition %d is not a permutation: %v", rep, got)
		}
		orders[strings.Join(got, "")] = true
		first[got[0]]++
	}
	if len(orders) < 4 {
		t.Errorf("six repetitions share %d orders: not shuffled per repetition", len(orders))
	}
	if len(first) < 2 {
		t.Errorf("one scenario always runs first: %v", first)
	}
	other, _ := Plan(scenarios, 6, 8, all)
	if slices.Equal(cells, other) {
		t.Errorf("seeds 7 and 8 give the same plan")
	}
	// A shard runs its part of the same shuffle.
	part, _ := Plan(scenarios, 6, 7, Shard{K: 2, N: 3})
	var filtered []Cell
	for _, c := range cells {
		if slices.Contains(part, c) {
			filtered = append(filtered, c)
		}
	}
	if !slices.Equal(part, filtered) {
		t.Errorf("shard 2/3 does not run its cells in the common order:\n%v\n%v", part, filtered)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{in: "1/1", want: all},
		{in: " 3/7 ", want: Shard{3, 7}},
		{in: "3", err: `shard "3": want K/N, such as 2/4`},
		{in: "", err: `shard "": want K/N`},
		{in: "a/4", err: `shard "a/4": K "a" is not a whole number`},
		{in: "1/x", err: `shard "1/x": N "x" is not a whole number`},
		{in: "0/4", err: `shard "0/4": K must be between 1 and 4, is 0`},
		{in: "5/4", err: `shard "5/4": K must be between 1 and 4, is 5`},
		{in: "1/0", err: `shard "1/0": N must be at least 1, is 0`},
		{in: "-1/-2", err: `shard "-1/-2": N must be at least 1, is -2`},
	} {
		got, err := Parse(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)):
			t.Errorf("Parse(%q) error %v, want prefix %q", tc.in, err, tc.err)
		}
	}
	if _, err := Plan([]string{"a"}, 3, 1, Shard{K: 4, N: 3}); err == nil || !strings.Contains(err.Error(), "K must be between 1 and 3") {
		t.Errorf("Plan with a bad shard: %v", err)
	}
	if _, err := Plan([]string{"a", "a"}, 3, 1, all); err == nil || !strings.Contains(err.Error(), "scenario a given twice") {
		t.Errorf("Plan with a duplicate scenario: %v", err)
	}
}
