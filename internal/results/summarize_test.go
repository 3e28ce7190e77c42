package results

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeTrace is a run in numbers chosen by hand: baseline 100 MiB, rounds
// ending at 110, 120, 131 and 139 MiB, a peak of 150 MiB (HWM 155),
// after idle 130, after settle 105.
func fakeTrace() ([]Sample, []Event) {
	snap := func(live, total, req int, heap, leaked uint64) Snapshot {
		return Snapshot{LiveInstances: live, TotalInstances: total, Requests: req, HeapLive: heap, Held: leaked}
	}
	samples := []Sample{
		{T: 0.1, Phase: PhaseStartup, RSS: 20 * MiB, HWM: 20 * MiB},
		{T: 0.2, Phase: PhaseStartup, RSS: 100 * MiB, HWM: 101 * MiB},
		{T: 0.3, Phase: PhaseLoad, RSS: 140 * MiB, HWM: 141 * MiB, Snapshot: snap(3, 6, 2, 50*MiB, 0)},
		{T: 0.4, Phase: PhaseLoad, Round: 2, RSS: 150 * MiB, HWM: 155 * MiB, Snapshot: snap(5, 12, 4, 60*MiB, 0)},
		{T: 0.5, Phase: PhaseLoad, Round: 4, RSS: 139 * MiB, HWM: 155 * MiB, Snapshot: snap(2, 20, 8, 40*MiB, 0)},
		{T: 0.6, Phase: PhaseIdle, Round: 4, RSS: 130 * MiB, HWM: 155 * MiB, Snapshot: snap(0, 20, 8, 30*MiB, 0)},
		{T: 0.7, Phase: PhaseSettle, Round: 4, RSS: 105 * MiB, HWM: 155 * MiB, Snapshot: snap(0, 20, 8, 12*MiB, 3*MiB)},
	}
	s := func(v Snapshot) *Snapshot { return &v }
	sec := int64(1e9)
	events := []Event{
		{Time: 1 * sec, Kind: EventPhase, Phase: PhaseStartup},
		{Time: 2 * sec, Kind: EventPhase, Phase: PhaseLoad, Total: 8},
		{Time: 3 * sec, Kind: EventOp, Codec: "decode", Seconds: 0.1},
		{Time: 3 * sec, Kind: EventOp, Codec: "decode", Seconds: 0.3},
		{Time: 3 * sec, Kind: EventOp, Codec: "decode", Seconds: 0.2},
		{Time: 3 * sec, Kind: EventOp, Codec: "decode", Seconds: 9, Err: "trap"}, // failed ops don't count
		{Time: 3 * sec, Kind: EventOp, Codec: "encodePng", Seconds: 0.5},
		{Time: 4 * sec, Kind: EventRound, Round: 1, RSS: 110 * MiB},
		{Time: 5 * sec, Kind: EventRound, Round: 2, RSS: 120 * MiB},
		{Time: 6 * sec, Kind: EventRound, Round: 3, RSS: 131 * MiB},
		{Time: 6 * sec, Kind: EventRound, Round: 4, RSS: 139 * MiB, Snapshot: s(snap(2, 20, 8, 40*MiB, 0))},
		{Time: 6 * sec, Kind: EventPhase, Phase: PhaseIdle},
		{Time: 7 * sec, Kind: EventPhase, Phase: PhaseSettle},
		{Time: 8 * sec, Kind: EventSnapshot, Snapshot: s(snap(0, 20, 8, 12*MiB, 3*MiB))},
		{Time: 8 * sec, Kind: EventPhase, Phase: PhaseDone},
	}
	return samples, events
}

func TestSummarize(t *testing.T) {
	samples, events := fakeTrace()
	head := Summary{Scenario: "fake", Outcome: OutcomeCompleted, Warnings: []string{"from the runner"}}
	s := Summarize(head, samples, events)

	checkU := func(name string, got, want uint64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %.2f MiB, want %.2f MiB", name, float64(got)/MiB, float64(want)/MiB)
		}
	}
	checkI := func(name string, got, want int64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %+.2f MiB, want %+.2f MiB", name, float64(got)/MiB, float64(want)/MiB)
		}
	}
	checkU("Baseline", s.Baseline, 100*MiB)
	checkU("Peak", s.Peak, 150*MiB)
	checkU("PeakHWM", s.PeakHWM, 155*MiB)
	checkU("EndOfLoad", s.EndOfLoad, 139*MiB)
	checkU("AfterIdle", s.AfterIdle, 130*MiB)
	checkU("AfterSettle", s.AfterSettle, 105*MiB)
	checkI("Growth", s.Growth, 39*MiB)
	checkI("Retained", s.Retained, 30*MiB)
	checkI("Settled", s.Settled, 5*MiB)
	checkU("HeapLiveAfterSettle", s.HeapLiveAfterSettle, 12*MiB)
	checkU("LeakedAfterSettle", s.LeakedAfterSettle, 3*MiB)

	if s.Scenario != "fake" || s.Outcome != OutcomeCompleted {
		t.Errorf("head fields lost: %q %q", s.Scenario, s.Outcome)
	}
	if s.Samples != len(samples) {
		t.Errorf("Samples = %d, want %d", s.Samples, len(samples))
	}
	if want := []uint64{110 * MiB, 120 * MiB, 131 * MiB, 139 * MiB}; !slices.Equal(s.RoundRSS, want) {
		t.Errorf("RoundRSS = %v, want %v", s.RoundRSS, want)
	}
	// x = 1..4, y = 110, 120, 131, 139: slope 9.8, intercept 100.5,
	// residuals -0.3, -0.1, 1.1, -0.7: SSR 1.8, Sxx 5,
	// se = sqrt(1.8/2/5) = 0.42426, t(0.975, 2) = 4.30265.
	const slope, se, tq = 9.8, 0.4242640687119285, 4.302652729911275
	if s.Slope.Rounds != 4 || !near(s.Slope.MiBPerRound, slope) ||
		!near(s.Slope.CILow, slope-tq*se) || !near(s.Slope.CIHigh, slope+tq*se) {
		t.Errorf("Slope = %+v, want %.4f [%.4f, %.4f] over 4 rounds", s.Slope, slope, slope-tq*se, slope+tq*se)
	}
	if s.Instances != (Instances{Created: 20, PeakLive: 5, EndLive: 0}) {
		t.Errorf("Instances = %+v", s.Instances)
	}
	if s.Requests != 8 || s.Errors != 0 {
		t.Errorf("Requests, Errors = %d, %d; want 8, 0", s.Requests, s.Errors)
	}
	if !near(s.Throughput, 2) { // 8 requests over the 4 s from load to idle
		t.Errorf("Throughput = %v, want 2", s.Throughput)
	}
	if d := s.Latency["decode"]; d.Count != 3 || !near(d.P50, 0.2) || !near(d.P95, 0.3) || !near(d.Max, 0.3) {
		t.Errorf("Latency[decode] = %+v, want 3 ops, p50 0.2, p95 0.3, max 0.3", d)
	}
	if d := s.Latency["encodePng"]; d.Count != 1 || !near(d.Max, 0.5) {
		t.Errorf("Latency[encodePng] = %+v", d)
	}
	if len(s.Warnings) != 1 || s.Warnings[0] != "from the runner" {
		t.Errorf("Warnings = %q, want only the runner's", s.Warnings)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Errorf("the summary does not encode as JSON: %v", err)
	}
}

func TestSummarize_CrashedDuringLoad(t *testing.T) {
	samples, events := fakeTrace()
	samples, events = samples[:4], events[:9] // up to round 2 and the peak
	s := Summarize(Summary{}, samples, events)
	if s.Baseline != 100*MiB || s.EndOfLoad != 150*MiB || s.Growth != 50*MiB {
		t.Errorf("baseline %d, end of load %d, growth %d", s.Baseline, s.EndOfLoad, s.Growth)
	}
	if s.AfterIdle != 0 || s.Retained != 0 || s.AfterSettle != 0 || s.Settled != 0 {
		t.Errorf("phases never reached must stay 0: after idle %d (%d), after settle %d (%d)", s.AfterIdle, s.Retained, s.AfterSettle, s.Settled)
	}
	if s.Slope.Rounds != 2 || !near(s.Slope.MiBPerRound, 10) || s.Slope.CIHigh != Unbounded || s.Slope.CILow != -Unbounded {
		t.Errorf("Slope = %+v, want 10 MiB/round, unbounded", s.Slope)
	}
	if !near(s.Throughput, 4.0/3) { // 4 requests from load (2 s) to the last event (5 s)
		t.Errorf("Throughput = %v, want 4/3, up to the last event", s.Throughput)
	}
	if !hasWarning(s.Warnings, "at least 3") {
		t.Errorf("Warnings = %q, want one about too few rounds", s.Warnings)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("an unbounded interval must still encode as JSON: %v", err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil || back.Slope.CIHigh != Unbounded {
		t.Errorf("unbounded interval did not survive JSON: %v, %+v", err, back.Slope)
	}
}

func TestSummarize_NoStartupSample(t *testing.T) {
	samples, events := fakeTrace()
	s := Summarize(Summary{}, samples[2:], events)
	if s.Baseline != 140*MiB || !hasWarning(s.Warnings, "first sample of the load phase") {
		t.Errorf("baseline %d, warnings %q: want the first load sample, with a warning", s.Baseline, s.Warnings)
	}
}

func TestSlope(t *testing.T) {
	tests := []struct {
		name      string
		rss       []uint64
		slope     float64
		unbounded bool
	}{
		{name: "none", rss: nil, unbounded: true},
		{name: "one", rss: []uint64{5 * MiB}, unbounded: true},
		{name: "two", rss: []uint64{5 * MiB, 7 * MiB}, slope: 2, unbounded: true},
		{name: "flat", rss: []uint64{5 * MiB, 5 * MiB, 5 * MiB}, slope: 0},
		{name: "exact line", rss: []uint64{1 * MiB, 4 * MiB, 7 * MiB, 10 * MiB}, slope: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := FitSlope(tc.rss)
			if s.Rounds != len(tc.rss) || !near(s.MiBPerRound, tc.slope) {
				t.Errorf("Slope(%v) = %+v, want %v over %d rounds", tc.rss, s, tc.slope, len(tc.rss))
			}
			if tc.unbounded != (s.CIHigh == Unbounded && s.CILow == -Unbounded) {
				t.Errorf("Slope(%v) interval [%v, %v], unbounded: want %v", tc.rss, s.CILow, s.CIHigh, tc.unbounded)
			}
			if !tc.unbounded && (!near(s.CILow, tc.slope) || !near(s.CIHigh, tc.slope)) {
				t.Errorf("Slope(%v) of a perfect line: interval [%v, %v], want zero width", tc.rss, s.CILow, s.CIHigh)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*max(1, math.Abs(b)) }

func hasWarning(ws []string, sub string) bool {
	for _, w := range ws {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestSlope_Bounded(t *testing.T) {
	for _, tc := range []struct {
		s    Slope
		want bool
	}{
		{FitSlope([]uint64{1 * MiB, 4 * MiB, 8 * MiB}), true},
		{FitSlope([]uint64{1 * MiB, 4 * MiB}), false},
		{Slope{MiBPerRound: 2, CILow: 1, CIHigh: 3, Rounds: 8}, true},
		{Slope{MiBPerRound: 2, CILow: 1, CIHigh: 3, Rounds: 2}, false}, // too few rounds, whatever the ends say
		{Slope{MiBPerRound: 2, CILow: -Unbounded, CIHigh: 3, Rounds: 5}, false},
		{Slope{MiBPerRound: 2, CILow: 1, CIHigh: math.Inf(1), Rounds: 5}, false},
		{Slope{MiBPerRound: 2, CILow: math.NaN(), CIHigh: 3, Rounds: 5}, false},
		{Slope{MiBPerRound: 2, CILow: 3, CIHigh: 1, Rounds: 5}, false},
		{Slope{}, false},
	} {
		if got := tc.s.Bounded(); got != tc.want {
			t.Errorf("%+v.Bounded() = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestSummarize_RequestLatency(t *testing.T) {
	var events []Event
	for i, sec := range []float64{0.4, 0.1, 0.3, 0.2, 9} {
		ev := Event{Time: int64(i + 1), Kind: EventRequest, Request: i + 1, Seconds: sec}
		if sec == 9 {
			ev.Err = "failed" // a failed request is no latency
		}
		events = append(events, ev)
	}
	s := Summarize(Summary{}, nil, events)
	if got := s.RequestLatency; got.Count != 4 || got.P50 != 0.2 || got.P95 != 0.4 || got.Max != 0.4 {
		t.Errorf("request latency %+v, want 4 requests, p50 0.2, p95 0.4, max 0.4", got)
	}
	if s := Summarize(Summary{RequestLatency: Latency{Count: 3}}, nil, nil); s.RequestLatency.Count != 0 {
		t.Errorf("no request events, latency %+v", s.RequestLatency)
	}
}

// TestSummarize_HeldAfterSettle checks the per-holder figures after
// settle: from the last snapshot event of the settle phase (not an
// earlier one), summing to LeakedAfterSettle, with the off-heap memory
// beside them and never in the leaked sum.
func TestSummarize_HeldAfterSettle(t *testing.T) {
	samples, events := fakeTrace()
	sec := int64(1e9)
	load := map[string]Holding{"pool": {Bytes: 9 * MiB, Refs: 9}}
	settled := map[string]Holding{"listeners": {Bytes: 2 * MiB, Refs: 4}, "pool": {Bytes: 1 * MiB, Refs: 1}}
	last := &samples[len(samples)-1]
	last.Held, last.OffHeap = 3*MiB, 40*MiB
	var withHeld []Event
	for _, ev := range events {
		switch {
		case ev.Kind == EventRound && ev.Round == 4:
			ev.Held = load
		case ev.Kind == EventSnapshot && ev.Time == 8*sec:
			snap := *ev.Snapshot
			snap.Held, snap.OffHeap = 3*MiB, 40*MiB
			ev.Snapshot, ev.Held = &snap, settled
		}
		withHeld = append(withHeld, ev)
	}
	s := Summarize(Summary{}, samples, withHeld)
	if !reflect.DeepEqual(s.HeldAfterSettle, settled) {
		t.Errorf("HeldAfterSettle = %v, want %v (the settle phase's last snapshot)", s.HeldAfterSettle, settled)
	}
	var sum uint64
	for _, h := range s.HeldAfterSettle {
		sum += h.Bytes
	}
	if sum != s.LeakedAfterSettle || s.LeakedAfterSettle != 3*MiB {
		t.Errorf("holders sum to %d, LeakedAfterSettle %d; want both 3 MiB", sum, s.LeakedAfterSettle)
	}
	if s.OffHeapAfterSettle != 40*MiB {
		t.Errorf("OffHeapAfterSettle = %d, want 40 MiB", s.OffHeapAfterSettle)
	}
	// A run that never settled has none.
	if s := Summarize(Summary{}, samples[:5], withHeld[:11]); s.HeldAfterSettle != nil || s.OffHeapAfterSettle != 0 {
		t.Errorf("unsettled run: %v, %d", s.HeldAfterSettle, s.OffHeapAfterSettle)
	}
}

// TestSummarize_SlopeWarning: a run of one round has no slope and says so
// in its figures (Slope.Rounds == 1), with no warning the user can't act
// on; two rounds are a slope asked for and left without an interval,
// which warns; three are enough.
func TestSummarize_SlopeWarning(t *testing.T) {
	sec := int64(time.Second)
	for rounds, wantWarning := range map[int]bool{1: false, 2: true, 3: false} {
		events := []Event{{Time: 0, Kind: EventPhase, Phase: PhaseLoad, Total: rounds}}
		for r := 1; r <= rounds; r++ {
			events = append(events, Event{Time: int64(r) * sec, Kind: EventRound, Round: r, RSS: uint64(r) * 10 * MiB})
		}
		s := Summarize(Summary{Started: time.Unix(0, 0), Seconds: 10}, nil, events)
		warned := false
		for _, w := range s.Warnings {
			if strings.Contains(w, "leak slope needs") {
				warned = true
			}
		}
		if warned != wantWarning || s.Slope.Rounds != rounds {
			t.Errorf("%d round(s): slope warning %v (want %v), slope rounds %d; warnings %q", rounds, warned, wantWarning, s.Slope.Rounds, s.Warnings)
		}
	}
}
