package gate

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// TestABPowers: with settled noise of 1 MiB a run, a leak of 512 KiB per
// request over 48 requests (24 MiB, past the 16 MiB floor) is caught
// almost always at 6 runs per build and 95% is reached by then, while a
// leak of 16 KiB per request (0.75 MiB, within the floor) is never
// caught at any R. The same runs and seed give the same figures.
func TestABPowers(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sample := func() map[metric.Metric][]float64 {
		out := map[metric.Metric][]float64{}
		for range 6 {
			out[metric.Settled] = append(out[metric.Settled], (8+rng.NormFloat64())*results.MiB)
		}
		return out
	}
	base, head := sample(), sample()
	big := ABPowers(base, head, 48, 512<<10, 6, DefaultThresholds(), 1)
	if len(big) != 1 || big[0].Metric != metric.Settled {
		t.Fatalf("powers %+v: want settled only (the others have no runs)", big)
	}
	if p := big[0]; p.Power < CatchShare || p.Needed < MinABRuns || p.Needed > 6 || p.Shift != 24*results.MiB {
		t.Errorf("512 KiB per request: %+v; want power >= 95%% at 6 runs, needed at most 6, shift 24 MiB", p)
	}
	if again := ABPowers(base, head, 48, 512<<10, 6, DefaultThresholds(), 1); !slices.Equal(again, big) {
		t.Errorf("the same runs and seed gave %+v, then %+v", big, again)
	}
	small := ABPowers(base, head, 48, 16<<10, 6, DefaultThresholds(), 1)
	if p := small[0]; p.Power != 0 || p.Needed != 0 {
		t.Errorf("16 KiB per request: %+v; want never caught (within the floor)", p)
	}
}

// neededABRuns finds the least R reaching CatchShare by bisection over a
// power that grows with R, and 0 when even MaxABPowerRuns falls short.
func TestNeededABRuns(t *testing.T) {
	for _, want := range []int{MinABRuns, 9, MaxABPowerRuns} {
		power := func(r int) float64 {
			if r >= want {
				return 1
			}
			return 0.5
		}
		if got := neededABRuns(6, power(6), power); got != want {
			t.Errorf("power reaching 95%% at %d runs: needed %d", want, got)
		}
	}
	if got := neededABRuns(6, 0.9, func(int) float64 { return 0.9 }); got != 0 {
		t.Errorf("power never reaching 95%%: needed %d, want 0", got)
	}
}
