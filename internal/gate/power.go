package gate

import (
	"fmt"
	"math"
	"strings"

	"github.com/leakbench/leakbench/internal/metric"
)

// Sees says what the gate can see of a scenario, for its tables: with a
// calibration, the smallest injected leak each of PowerMetrics catches in
// CatchShare of trials (in total per run and per request) and how often
// it fails unchanged code; without one, that nobody measured it. A leak
// control's comparisons are advisory, so it sees nothing there.
func (s ScenarioReport) Sees() string {
	if s.Expect == metric.ExpectLeak {
		return ""
	}
	c := s.Calibration
	if c == nil {
		return "not calibrated: default thresholds; the smallest leak they catch and their false-alarm rate are unknown (run bench gate --calibrate)"
	}
	var parts []string
	for _, met := range PowerMetrics() {
		mc, ok := c.Metrics[met]
		if !ok {
			continue
		}
		if mc.Catches == 0 {
			tried := "no leak injected"
			if n := len(mc.Power); n > 0 {
				tried = "none up to " + metric.FormatSize(mc.Power[n-1].PerRequest) + " per request"
			}
			parts = append(parts, fmt.Sprintf("%s: %s caught in %.0f%% of trials", met, tried, 100*CatchShare))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s leaks ≥ %s, i.e. ≥ %s per request", met,
			metric.FormatSize(mc.Catches*uint64(c.Requests)), metric.FormatSize(mc.Catches)))
	}
	return fmt.Sprintf("catches %s; false alarms %s (%d of %d unchanged resamples; calibrated on %d runs for R = %d)",
		strings.Join(parts, ", "), oneIn(c.FalseAlarm), c.Alarms, c.Resamples, c.Runs, c.GateRuns)
}

// InjectedVerdict says, for runs with an injected leak, whether the leak
// is within the gate's calibrated power: "" without an injected leak.
func (s ScenarioReport) InjectedVerdict() string {
	if s.Injected == 0 {
		return ""
	}
	head := fmt.Sprintf("injected leak %s per request", metric.FormatSize(s.Injected))
	c := s.Calibration
	if c == nil {
		return head + ": the scenario is not calibrated, so whether the gate should catch it is unknown"
	}
	head = fmt.Sprintf("injected leak %s per request (%s per run)", metric.FormatSize(s.Injected), metric.FormatSize(s.Injected*uint64(c.Requests)))
	var within []string
	smallest := uint64(math.MaxUint64)
	for _, met := range PowerMetrics() {
		mc, ok := c.Metrics[met]
		if !ok || mc.Catches == 0 {
			continue
		}
		smallest = min(smallest, mc.Catches)
		if s.Injected >= mc.Catches {
			within = append(within, met.String())
		}
	}
	switch {
	case len(within) > 0:
		return fmt.Sprintf("%s: within the gate's power (%s catch it in %.0f%% of trials)", head, strings.Join(within, ", "), 100*CatchShare)
	case smallest == math.MaxUint64:
		return head + ": below the gate's power (no metric's smallest caught leak is known)"
	}
	return fmt.Sprintf("%s: below the gate's power (the smallest caught is %s per request): a pass is not a promise", head, metric.FormatSize(smallest))
}

// FalseAlarm is the chance that the gate fails unchanged code, under the
// calibrations' normal models: 1 - Π(1 - each calibrated scenario's
// rate); ok false when a stable scenario is not calibrated.
func (r *Report) FalseAlarm() (rate float64, ok bool) {
	quiet, ok := 1.0, true
	for _, s := range r.Scenarios {
		if s.Expect == metric.ExpectLeak {
			continue
		}
		if s.Calibration == nil {
			ok = false
			continue
		}
		quiet *= 1 - s.Calibration.FalseAlarm
	}
	return 1 - quiet, ok
}

// oneIn renders a rate as "≈ 1 in 120", "< 1 in 10000" for smaller ones.
func oneIn(p float64) string {
	switch {
	case !finite(p):
		return "unknown"
	case p < 1e-4:
		return "< 1 in 10000"
	}
	return fmt.Sprintf("≈ 1 in %.0f", 1/p)
}
