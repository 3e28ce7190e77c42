package cli

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// TestABPowers: with settled noise of 1 MiB a run, a leak of 512 KiB per
// request over 48 requests (24 MiB, past the 16 MiB floor) is caught
// almost always at 6 runs per build and 95% is reached by then, while a
// leak of 16 KiB per request (0.75 MiB, within the floor) is never
// caught at any R.
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
	big := abPowers(base, head, 48, 512<<10, 6, gate.DefaultThresholds(), 1)
	if len(big) != 1 || big[0].Metric != metric.Settled {
		t.Fatalf("powers %+v: want settled only (the others have no runs)", big)
	}
	if p := big[0]; p.Power < 0.95 || p.Needed < minABRuns || p.Needed > 6 || p.Shift != 24*results.MiB {
		t.Errorf("512 KiB per request: %+v; want power >= 95%% at 6 runs, needed at most 6, shift 24 MiB", p)
	}
	small := abPowers(base, head, 48, 16<<10, 6, gate.DefaultThresholds(), 1)
	if p := small[0]; p.Power != 0 || p.Needed != 0 {
		t.Errorf("16 KiB per request: %+v; want never caught (within the floor)", p)
	}
	txt := powerText(small, 16<<10)
	if !strings.Contains(txt, "power for a leak of 16KiB per request") || !strings.Contains(txt, "95% needs more than 20 runs") {
		t.Errorf("text %q", txt)
	}
}
