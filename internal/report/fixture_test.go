package report

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/results"
)

// curve describes a fake run's shape in MiB; fakeRun turns it into
// samples and the summary a runner would derive from them.
type curve struct {
	scenario, preset           string
	topology, lifetime         string
	views, listeners           string
	workers                    int
	base, end, peak            float64 // baseline, end of load, peak bump height
	idleEnd, settle            float64 // RSS at the end of idle and after settle
	leakEnd, wasmLive, sawtooh float64 // leaked at end of load, live linear memory, GC sawtooth
	instances, peakLive        int
	outcome                    results.Outcome
	cutAt                      float64 // >0: the run was killed at this time
}

// stageCurves are four fake runs shaped like the published stages, at
// roughly a fifth of their size.
func stageCurves() []curve {
	return []curve{
		{scenario: "repro-before", preset: "before", topology: "per-worker", lifetime: "reuse", views: "leaked", listeners: "leaked", workers: 15,
			base: 60, end: 650, peak: 720, idleEnd: 648, settle: 610, leakEnd: 180, wasmLive: 380, sawtooh: 30, instances: 90, peakLive: 90},
		{scenario: "repro-fix1", preset: "fix1", topology: "pipeline", lifetime: "reuse", views: "leaked", listeners: "leaked", workers: 6,
			base: 62, end: 310, peak: 420, idleEnd: 300, settle: 280, leakEnd: 40, wasmLive: 190, sawtooh: 35, instances: 6, peakLive: 6},
		{scenario: "repro-fix1+2", preset: "fix1+2", topology: "pipeline", lifetime: "fresh", views: "leaked", listeners: "leaked", workers: 6,
			base: 62, end: 230, peak: 340, idleEnd: 215, settle: 170, leakEnd: 120, wasmLive: 70, sawtooh: 45, instances: 2400, peakLive: 6},
		{scenario: "repro-fixed", preset: "fixed", topology: "pipeline", lifetime: "fresh", views: "cleared", listeners: "removed", workers: 6,
			base: 64, end: 100, peak: 250, idleEnd: 72, settle: 66, leakEnd: 0, wasmLive: 40, sawtooh: 60, instances: 2400, peakLive: 6},
	}
}

const (
	fakeDT       = 0.25
	fakeStartup  = 2.0
	fakeLoad     = 40.0
	fakeIdle     = 20.0
	fakeSettle   = 1.0
	fakeRounds   = 10
	fakeRequests = 400
)

// fakeRun builds a run from a curve: deterministic samples and a summary
// consistent with them.
func fakeRun(c curve) Run {
	rng := rand.New(rand.NewPCG(7, uint64(len(c.preset))))
	const m = results.MiB
	var ss []results.Sample
	tLoad, tIdle := fakeStartup, fakeStartup+fakeLoad
	tSettle, tDone := tIdle+fakeIdle, tIdle+fakeIdle+fakeSettle
	for t := 0.0; t <= tDone+0.5; t += fakeDT {
		if c.cutAt > 0 && t > c.cutAt {
			break
		}
		var s results.Sample
		s.T = t
		var rss, heap, wasm, leak float64
		switch {
		case t < tLoad:
			s.Phase = results.PhaseStartup
			rss = c.base * (0.7 + 0.3*t/tLoad)
			heap = 6 + 4*t/tLoad
		case t < tIdle:
			s.Phase = results.PhaseLoad
			f := (t - tLoad) / fakeLoad
			s.Round = min(fakeRounds, int(f*fakeRounds))
			trend := c.base + (c.end-c.base)*math.Pow(f, 0.85)
			saw := c.sawtooh * math.Mod(t, 2.5) / 2.5
			bump := (c.peak - c.end) * math.Exp(-math.Pow((f-0.7)/0.04, 2))
			rss = trend + saw + bump + rng.Float64()*3
			wasm = c.wasmLive * math.Min(1, 2.5*f)
			if c.lifetime == "fresh" {
				wasm = c.wasmLive * (0.3 + 0.7*rng.Float64())
			}
			leak = c.leakEnd * f
			heap = 8 + 0.8*(trend-c.base) + 0.5*saw
			s.Requests = int(f * fakeRequests)
		case t < tSettle:
			s.Phase = results.PhaseIdle
			s.Round = fakeRounds
			f := (t - tIdle) / fakeIdle
			rss = c.idleEnd + (c.end-c.idleEnd)*math.Exp(-5*f)
			leak = c.leakEnd
			if c.lifetime == "reuse" {
				wasm = c.wasmLive
			}
			heap = 8 + 0.8*(rss-c.base)
			s.Requests = fakeRequests
		default:
			s.Phase = results.PhaseSettle
			if t >= tDone {
				s.Phase = results.PhaseDone
			}
			s.Round = fakeRounds
			rss = c.settle
			leak = c.leakEnd
			if c.lifetime == "reuse" {
				wasm = c.wasmLive
			}
			heap = 8 + 0.8*(rss-c.base)
			s.Requests = fakeRequests
		}
		s.RSS = uint64(rss * m)
		s.HeapLive = uint64(max(0, heap) * m)
		s.LinearMemory = uint64(wasm * m)
		s.Held = uint64(leak * m)
		s.TotalInstances = int(float64(c.instances) * min(1, max(0, (t-tLoad)/fakeLoad)))
		s.LiveInstances = min(c.peakLive, s.TotalInstances)
		ss = append(ss, s)
	}
	hwm := uint64(0)
	for i := range ss {
		hwm = max(hwm, ss[i].RSS+ss[i].RSS/50)
		ss[i].HWM = hwm
	}
	return Run{results.Run{
		Dir:     filepath.Join("fake", c.preset),
		Summary: summarize(c, ss),
		Samples: ss,
	}}
}

// summarize derives a summary from samples the way the runner does.
func summarize(c curve, ss []results.Sample) results.Summary {
	s := results.Summary{
		Scenario: c.scenario,
		Workload: "quick",
		Strategy: results.Strategy{Preset: c.preset, Switches: []results.Switch{
			{Name: "topology", Value: c.topology, Text: topologyText(c)}, {Name: "lifetime", Value: c.lifetime, Text: c.lifetime},
			{Name: "views", Value: c.views}, {Name: "listeners", Value: c.listeners}}, Workers: c.workers},
		Rounds:   fakeRounds,
		InFlight: 6,
		Env: results.Env{GoVersion: "go1.26.8", WazeroVersion: "v1.12.0", GOOS: "linux", GOARCH: "amd64",
			CPUs: 2, GOGC: "100"},
		Started: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC),
		Outcome: c.outcome,
	}
	if s.Outcome == "" {
		s.Outcome = results.OutcomeCompleted
	}
	var roundEnds []uint64
	lastRound := 0
	for _, x := range ss {
		switch x.Phase {
		case results.PhaseStartup:
			s.Baseline = x.RSS
		case results.PhaseLoad:
			s.EndOfLoad = x.RSS
		case results.PhaseIdle:
			s.AfterIdle = x.RSS
		case results.PhaseSettle:
			s.AfterSettle = x.RSS
			s.HeapLiveAfterSettle = x.HeapLive
			s.LeakedAfterSettle = x.Held
		}
		if x.Round > lastRound && x.Phase == results.PhaseLoad {
			roundEnds = append(roundEnds, x.RSS)
			lastRound = x.Round
		}
		s.Peak = max(s.Peak, x.RSS)
		s.PeakHWM = max(s.PeakHWM, x.HWM)
		s.Seconds = x.T
	}
	if s.EndOfLoad > 0 {
		s.Growth = int64(s.EndOfLoad) - int64(s.Baseline)
	}
	if s.AfterIdle > 0 {
		s.Retained = int64(s.AfterIdle) - int64(s.Baseline)
	}
	if s.AfterSettle > 0 {
		s.Settled = int64(s.AfterSettle) - int64(s.Baseline)
	}
	s.RoundRSS = roundEnds
	s.Slope = fitSlope(roundEnds)
	s.Instances = results.Instances{Created: c.instances, PeakLive: c.peakLive}
	s.Requests = fakeRequests
	s.Throughput = fakeRequests / fakeLoad
	s.Samples = len(ss)
	return s
}

// fitSlope is an ordinary least-squares slope in MiB per round with a
// rough 95% interval.
func fitSlope(ys []uint64) results.Slope {
	n := float64(len(ys))
	sl := results.Slope{Rounds: len(ys)}
	if len(ys) < 2 {
		return sl
	}
	var sx, sy, sxx, sxy float64
	for i, y := range ys {
		x, v := float64(i+1), mib(y)
		sx, sy, sxx, sxy = sx+x, sy+v, sxx+x*x, sxy+x*v
	}
	b := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	a := (sy - b*sx) / n
	sl.MiBPerRound = b
	if len(ys) < 3 {
		sl.CILow, sl.CIHigh = math.Inf(-1), math.Inf(1)
		return sl
	}
	var sse float64
	for i, y := range ys {
		r := mib(y) - (a + b*float64(i+1))
		sse += r * r
	}
	se := math.Sqrt(sse/(n-2)) / math.Sqrt(sxx-sx*sx/n)
	sl.CILow, sl.CIHigh = b-2.3*se, b+2.3*se
	return sl
}

// fakeStages returns the four fake stage runs.
func fakeStages() []Run {
	var out []Run
	for _, c := range stageCurves() {
		out = append(out, fakeRun(c))
	}
	return out
}

// writeRunDir writes r as a run directory under dir the way the runner
// does (summary.json and samples.jsonl) and returns its path.
func writeRunDir(t *testing.T, dir string, r Run) string {
	t.Helper()
	rd := filepath.Join(dir, r.Name())
	if err := os.MkdirAll(rd, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := r.Summary
	// JSON cannot hold infinities; the runner leaves an unbounded CI at zero.
	if !finite(sum.Slope.CILow) || !finite(sum.Slope.CIHigh) {
		sum.Slope.CILow, sum.Slope.CIHigh = 0, 0
	}
	data, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rd, results.SummaryFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(rd, results.SamplesJSON))
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for _, s := range r.Samples {
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return rd
}

// topologyText is how the builtin engine shows c's topology in its
// strategy (engine.Strategy.Switches): per-worker with its worker count.
func topologyText(c curve) string {
	if c.topology == "per-worker" && c.workers > 0 {
		return fmt.Sprintf("per-worker×%d", c.workers)
	}
	return c.topology
}
