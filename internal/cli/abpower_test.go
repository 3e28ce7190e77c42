package cli

import (
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// powerText states each metric's power and the runs that reach 95%, or
// that more than gate.MaxABPowerRuns would be needed.
func TestPowerText(t *testing.T) {
	ps := []gate.ABPower{
		{Metric: metric.Settled, Shift: 0.75 * results.MiB, Runs: 6, Power: 0, Needed: 0},
		{Metric: metric.Peak, Shift: 0.75 * results.MiB, Runs: 6, Power: 0.97, Needed: 5},
	}
	txt := powerText(ps, 16<<10)
	for _, want := range []string{"power for a leak of 16KiB per request (768KiB per run", "at 6 runs per build",
		"settled 0% (95% needs more than 20 runs)", "peak 97% (95% at 5 runs per build)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text %q lacks %q", txt, want)
		}
	}
	if powerText(nil, 16<<10) != "" {
		t.Error("no powers: want no line")
	}
}
