package runner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/idlegc"
	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/results"
)

// TestRun_IdleGC runs real children on the quick workload with an idle
// phase long enough for V8's memory reducer (8 s wait, then collections
// 500 ms apart) and checks the three curves the published graphs and the
// Go runtime give:
//   - fixed under v8: RSS back within 20% (at least 16 MiB) of the
//     baseline before the idle phase ends, after 2 or 3 reducer GCs;
//   - before under v8: the reducer runs but what the leaks hold stays:
//     the end of idle is no lower than after settle, far above baseline;
//   - fixed under go: no reducer GC and no GC at all in the idle phase;
//     the curve stays flat far from the baseline, apart from the
//     background scavenger returning free heap (checkGoIdle).
func TestRun_IdleGC(t *testing.T) {
	childtest.RunsChildren(t, "runs three children with 10 s idle phases")
	idle := idlegc.LongDelay + 2*time.Second
	run := func(t *testing.T, preset string, mode idlegc.Mode) results.Run {
		sc := testScenario(t, preset+"-"+mode.String(), preset, 1)
		sc.Workload, sc.Workers, sc.InFlight = "quick", 2, 6
		sc.Idle, sc.Interval = idle, 50*time.Millisecond
		sc = withOptions(t, sc, func(o *builtin.Options) { o.IdleGC = mode })
		r := mustRun(t, context.Background(), sc, testOptions(t))
		s := r.Summary
		if s.Outcome != results.OutcomeCompleted {
			t.Fatalf("%s: %s: %s", sc.Name, s.Outcome, s.Error)
		}
		if s.IdleGC != mode.String() {
			t.Errorf("%s: summary idle_gc %q, want %q", sc.Name, s.IdleGC, mode)
		}
		t.Logf("%s: baseline %.1f MiB, end of load %.1f, after idle %.1f, after settle %.1f; %d reducer GCs",
			sc.Name, mibf(s.Baseline), mibf(s.EndOfLoad), mibf(s.AfterIdle), mibf(s.AfterSettle), len(reducerGCs(r)))
		return r
	}
	// bound is the return-to-baseline allowance of the reproduction.
	bound := func(s results.Summary) int64 { return max(int64(s.Baseline)/5, 16*MiB) }

	// The three children run at once: each idles for its own 10 s, and
	// what is checked is each child's own curve and collections.
	var fixedV8, beforeV8, fixedGo results.Run
	t.Run("children", func(t *testing.T) {
		for _, c := range []struct {
			preset string
			mode   idlegc.Mode
			into   *results.Run
		}{{"fixed", idlegc.V8, &fixedV8}, {"before", idlegc.V8, &beforeV8}, {"fixed", idlegc.Go, &fixedGo}} {
			t.Run(c.preset+"-"+c.mode.String(), func(t *testing.T) {
				t.Parallel()
				*c.into = run(t, c.preset, c.mode)
			})
		}
	})
	if t.Failed() {
		return
	}
	s := fixedV8.Summary
	if s.Growth <= 2*bound(s) {
		t.Fatalf("fixed/v8: growth %+.1f MiB is too small to tell a return to baseline (bound %.1f MiB)", float64(s.Growth)/MiB, float64(bound(s))/MiB)
	}
	if s.Retained > bound(s) {
		t.Errorf("fixed/v8: after idle %+.1f MiB over the baseline %.1f MiB, want within %.1f MiB", float64(s.Retained)/MiB, mibf(s.Baseline), float64(bound(s))/MiB)
	}
	gcs := reducerGCs(fixedV8)
	if len(gcs) < 2 || len(gcs) > idlegc.MaxGCs {
		t.Errorf("fixed/v8: %d reducer GCs, want 2 to %d", len(gcs), idlegc.MaxGCs)
	}
	checkReducerSchedule(t, fixedV8, gcs)

	s = beforeV8.Summary
	if len(reducerGCs(beforeV8)) < 2 {
		t.Errorf("before/v8: %d reducer GCs, want at least 2", len(reducerGCs(beforeV8)))
	}
	if s.Settled <= 2*bound(s) || s.Retained <= 2*bound(s) {
		t.Errorf("before/v8: retained %+.1f MiB after idle, %+.1f after settle: want both far above the baseline (%.1f MiB)",
			float64(s.Retained)/MiB, float64(s.Settled)/MiB, float64(2*bound(s))/MiB)
	}
	if s.AfterIdle+16*MiB < s.AfterSettle {
		t.Errorf("before/v8: after idle %.1f MiB is below after settle %.1f MiB: the reducer freed what the leaks hold", mibf(s.AfterIdle), mibf(s.AfterSettle))
	}

	s = fixedGo.Summary
	if n := len(reducerGCs(fixedGo)); n != 0 {
		t.Errorf("fixed/go: %d reducer GCs, want none", n)
	}
	if s.Retained <= bound(s) {
		t.Errorf("fixed/go: after idle %+.1f MiB over the baseline: the Go runtime alone came back (within %.1f MiB)", float64(s.Retained)/MiB, float64(bound(s))/MiB)
	}
	if s.Retained <= 2*bound(s) {
		t.Errorf("fixed/go: after idle only %+.1f MiB over the baseline: the garbage of the load should still be there", float64(s.Retained)/MiB)
	}
	checkGoIdle(t, fixedGo)
}

// reducerGCs returns the run's memory-reducer events.
func reducerGCs(r results.Run) []results.Event {
	var out []results.Event
	for _, ev := range r.Events {
		if ev.Kind == results.EventIdleGC {
			out = append(out, ev)
		}
	}
	return out
}

// checkReducerSchedule checks V8's schedule in the events: the first GC
// at least LongDelay into the idle phase, the next ones ShortDelay apart,
// numbered from 1.
func checkReducerSchedule(t *testing.T, r results.Run, gcs []results.Event) {
	t.Helper()
	var idleAt int64
	for _, ev := range r.Events {
		if ev.Kind == results.EventPhase && ev.Phase == results.PhaseIdle {
			idleAt = ev.Time
		}
	}
	for i, g := range gcs {
		if g.GC != i+1 {
			t.Errorf("reducer GC %d numbered %d", i+1, g.GC)
		}
		if i == 0 {
			if wait := time.Duration(g.Time - idleAt); wait < idlegc.LongDelay || wait > idlegc.LongDelay+time.Second {
				t.Errorf("first reducer GC %v into the idle phase, want %v (+ polling)", wait, idlegc.LongDelay)
			}
			continue
		}
		if gap := time.Duration(g.Time - gcs[i-1].Time); gap < idlegc.ShortDelay || gap > idlegc.ShortDelay+time.Second {
			t.Errorf("reducer GC %d %v after the previous, want %v", i+1, gap, idlegc.ShortDelay)
		}
	}
}

// settleIn is how long the idle phase's first samples are left out of
// its flatness: the last requests' instances are still being closed and
// their linear memory unmapped as the phase begins.
const settleIn = 0.5

// checkGoIdle checks that the Go runtime left alone keeps the idle curve
// flat apart from its background scavenger: no GC cycle runs in the idle
// phase, RSS never rises, and whatever RSS falls by is free heap the
// scavenger returned (heap released grows by as much), not garbage
// collected. (On this machine the scavenger trimmed nothing in most runs,
// 9 and 44 MiB in two.)
func checkGoIdle(t *testing.T, r results.Run) {
	t.Helper()
	var idle []results.Sample
	start := -1.0
	for _, s := range r.Samples {
		if s.Phase != results.PhaseIdle {
			continue
		}
		if start < 0 {
			start = s.T
		}
		if s.T >= start+settleIn {
			idle = append(idle, s)
		}
	}
	if len(idle) < 10 {
		t.Fatalf("go idle: %d idle samples", len(idle))
	}
	first, last := idle[0], idle[len(idle)-1]
	for _, s := range idle {
		if s.GCCycles != first.GCCycles || s.RSS > first.RSS+2*MiB {
			t.Errorf("go idle: at %.2fs GC cycles %d (idle began at %d), RSS %.1f MiB (began at %.1f): want no collection and no rise; changes:\n%s",
				s.T, s.GCCycles, first.GCCycles, mibf(s.RSS), mibf(first.RSS), idleChanges(r))
			return
		}
	}
	drop := int64(first.RSS) - int64(last.RSS)
	released := int64(last.HeapReleased) - int64(first.HeapReleased)
	if drop > released+4*MiB {
		t.Errorf("go idle: RSS fell %.1f MiB but the scavenger released only %.1f MiB; changes:\n%s",
			float64(drop)/MiB, float64(released)/MiB, idleChanges(r))
	}
	t.Logf("go idle: RSS %.1f -> %.1f MiB, heap released +%.1f MiB, no GC", mibf(first.RSS), mibf(last.RSS), float64(released)/MiB)
}

// idleChanges lists the idle phase's samples where RSS changed, with the
// heap figures beside them, for a failure message.
func idleChanges(r results.Run) string {
	var b strings.Builder
	var last uint64
	for _, s := range r.Samples {
		if s.Phase == results.PhaseIdle && s.RSS != last {
			fmt.Fprintf(&b, "  t=%.2fs rss %.1f MiB, heap live %.1f, free %.1f, released %.1f, GC cycles %d, live instances %d\n",
				s.T, mibf(s.RSS), mibf(s.HeapLive), mibf(s.HeapFree), mibf(s.HeapReleased), s.GCCycles, s.LiveInstances)
		}
		last = s.RSS
	}
	return b.String()
}
