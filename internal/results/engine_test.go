package results

import "testing"

func TestSummaryEngine(t *testing.T) {
	builtin := Summary{Strategy: Strategy{Preset: "fixed", Topology: "pipeline", Lifetime: "fresh", Views: "cleared", Listeners: "removed"}}
	if got, want := builtin.Engine(), builtin.Strategy.String(); got != want || got == "" {
		t.Errorf("builtin: Engine = %q, want the strategy %q", got, want)
	}
	if got := (Summary{Target: "filler", Strategy: Strategy{Workers: 2}}).Engine(); got != "target filler" {
		t.Errorf("another target: Engine = %q", got)
	}
}
