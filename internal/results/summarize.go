package results

import (
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Unbounded is the value of Slope.CILow (negated) and Slope.CIHigh when the
// confidence interval is unbounded: with fewer than MinSlopeRounds rounds
// there are no degrees of freedom left to estimate the slope's error. JSON
// can't hold an infinity, so the interval is written as ±math.MaxFloat64
// (±1.7976931348623157e+308). Readers ask Slope.Bounded, never this value.
const Unbounded = math.MaxFloat64

// MinSlopeRounds is the fewest rounds that give the slope a bounded
// confidence interval.
const MinSlopeRounds = 3

// Bounded reports whether the slope has a confidence interval to show: at
// least MinSlopeRounds rounds and two finite ends, in order, neither of
// them ±Unbounded. It is the one rule every reader of a slope (the run's
// printout, the markdown tables) applies.
func (s Slope) Bounded() bool {
	end := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && math.Abs(v) != Unbounded }
	return s.Rounds >= MinSlopeRounds && end(s.CILow) && end(s.CIHigh) && s.CILow <= s.CIHigh
}

// Summarize derives a run's figures from its samples and events and
// returns head with them filled in. head carries what Summarize can't
// know: the scenario, strategy, environment, outcome and start time; its
// derived fields are overwritten, its Warnings kept and appended to.
//
// Baseline is the last sample of the startup phase (the parent samples at
// every phase change, so that is the end of start-up, with the workload
// already in memory), or the first sample of the load phase when there is
// none. EndOfLoad, AfterIdle and AfterSettle are the last samples of those
// phases; a phase the run never reached leaves its figure 0 and the
// differences from the baseline 0. RoundRSS comes from the child's round
// events (the parent's last sample at a round event that carries no RSS of
// its own, as an exec target's), and the slope is fitted on it in MiB per round with a 95%
// confidence interval (Student's t on n-2 degrees of freedom); see
// Unbounded for fewer than three rounds. HeldAfterSettle is the holders of
// the child's last snapshot event in the settle phase. Throughput is requests per second
// of the load phase, up to the child's last event when the run ended in it.
// PSS holds the same landmarks from the samples' PSS when they have any.
// Requests and Errors count what completed, Total what the load phase was
// to make; ErrorClasses and FailedSources come from the failed request
// events, Unfinished from the request_start and op_start events without
// their ends (see failures.go). Profiles come from the profile events,
// the last of each kind and landmark. head's Skipped is kept as it is.
func Summarize(head Summary, samples []Sample, events []Event) Summary {
	s := head
	s.Samples = len(samples)
	s.Baseline, s.Peak, s.PeakHWM, s.EndOfLoad, s.AfterIdle, s.AfterSettle = 0, 0, 0, 0, 0, 0
	s.Growth, s.Retained, s.Settled = 0, 0, 0
	s.HeapLiveAfterSettle, s.LeakedAfterSettle = 0, 0
	s.RoundRSS, s.Latency, s.RequestLatency = nil, nil, Latency{}
	s.Total, s.ErrorClasses, s.FailedSources, s.Unfinished = 0, nil, nil, nil
	s.HeldAfterSettle, s.OffHeapAfterSettle, s.OffHeapUnreleasedAfterSettle = nil, 0, 0
	s.PeakOffHeap, s.PeakOffHeapUnreleased, s.ExternalGCs = 0, 0, 0
	s.Instances = Instances{}
	s.Profiles = nil

	lastSnap := s.fromSamples(samples)
	t := s.tallyEvents(samples, events)
	// The child's event snapshots are newer than the samples' copies.
	if t.snap != nil {
		lastSnap = t.snap
	}
	if lastSnap != nil {
		s.Instances.Created = max(s.Instances.Created, lastSnap.TotalInstances)
		s.Instances.EndLive = lastSnap.LiveInstances
		s.Requests = lastSnap.Requests
		s.Errors = lastSnap.Errors
	}
	s.Requests = max(s.Requests, t.requests)
	s.Errors = max(s.Errors, t.failed)
	var end int64
	if !head.Started.IsZero() && head.Seconds > 0 {
		end = head.Started.UnixNano() + int64(head.Seconds*1e9)
	}
	s.ErrorClasses, s.FailedSources, s.Unfinished = failures(events, end)

	for r := 1; r <= t.maxRound; r++ {
		v, ok := t.rounds[r]
		if !ok {
			s.warn("round %d has no round event; the round figures stop at round %d", r, r-1)
			break
		}
		s.RoundRSS = append(s.RoundRSS, v)
	}
	s.Slope = FitSlope(s.RoundRSS)
	// One round is a scenario without rounds (its summary says "slope n/a
	// (one round)"); two are a user's request for a slope that can have no
	// interval, which is worth a warning.
	if n := len(s.RoundRSS); n > 1 && n < MinSlopeRounds {
		s.warn("%d round(s) measured: the leak slope needs at least %d for a confidence interval", n, MinSlopeRounds)
	}

	if t.loadStart > 0 && t.loadEnd == 0 {
		t.loadEnd = t.lastTime // the run ended during the load phase
	}
	if t.loadStart > 0 && t.loadEnd > t.loadStart && s.Requests > 0 {
		s.Throughput = float64(s.Requests) / (float64(t.loadEnd-t.loadStart) / 1e9)
	}
	if len(t.requestSeconds) > 0 {
		s.RequestLatency = latency(t.requestSeconds)
	}
	if len(t.latencies) > 0 {
		s.Latency = make(map[string]Latency, len(t.latencies))
		for codec, d := range t.latencies {
			s.Latency[codec] = latency(d)
		}
	}
	return s
}

// warn adds a warning to the summary.
func (s *Summary) warn(format string, args ...any) {
	s.Warnings = append(s.Warnings, fmt.Sprintf(format, args...))
}

// fromSamples sets the figures the samples give (the RSS and PSS at the
// landmarks, the peaks, the heap and off-heap memory after settle) and
// returns the snapshot of the last sample, nil without samples.
func (s *Summary) fromSamples(samples []Sample) *Snapshot {
	last := map[Phase]int{}
	firstLoad := -1
	var lastSnap *Snapshot
	for i := range samples {
		x := &samples[i]
		last[x.Phase] = i
		if x.Phase == PhaseLoad && firstLoad < 0 {
			firstLoad = i
		}
		s.Peak = max(s.Peak, x.RSS)
		s.PeakHWM = max(s.PeakHWM, x.HWM, x.RSS)
		s.Instances.PeakLive = max(s.Instances.PeakLive, x.LiveInstances)
		s.PeakOffHeap = max(s.PeakOffHeap, x.OffHeap)
		s.PeakOffHeapUnreleased = max(s.PeakOffHeapUnreleased, x.OffHeapUnreleased)
		lastSnap = &x.Snapshot
	}
	switch _, ok := last[PhaseStartup]; {
	case ok:
	case firstLoad >= 0:
		s.warn("no sample at the end of start-up: the baseline is the first sample of the load phase")
	case len(samples) > 0:
		s.warn("no baseline: the run never reached the end of start-up")
	}
	rss := atLandmarks(samples, last, firstLoad, func(x *Sample) uint64 { return x.RSS })
	s.Baseline, s.EndOfLoad, s.AfterIdle, s.AfterSettle = rss.baseline, rss.endOfLoad, rss.afterIdle, rss.afterSettle
	s.Growth, s.Retained, s.Settled = rss.growth, rss.retained, rss.settled
	s.PSS = pssFigures(samples, last, firstLoad)
	if i, ok := last[PhaseSettle]; ok {
		s.HeapLiveAfterSettle = samples[i].HeapLive
		s.LeakedAfterSettle = samples[i].Held
		s.OffHeapAfterSettle = samples[i].OffHeap
		s.OffHeapUnreleasedAfterSettle = samples[i].OffHeapUnreleased
	}
	return lastSnap
}

// eventTally is what one pass over a run's events gathers for Summarize
// besides the figures it sets on the summary directly.
type eventTally struct {
	rounds             map[int]uint64 // RSS at the end of each round
	maxRound           int
	loadStart, loadEnd int64                // Unix ns of the load phase's start and end
	lastTime           int64                // of the newest event
	latencies          map[string][]float64 // seconds of the successful ops, by codec
	snap               *Snapshot            // the newest event snapshot
	requests, failed   int                  // request events, and those with an error
	requestSeconds     []float64            // of the successful requests
}

// tallyEvents goes through the events once: it sets the peak of live
// instances, the holders after settle, the profiles, the requests planned,
// the instances created and the external collections on s, and returns
// the rest (samples give an exec target's RSS at its round events).
func (s *Summary) tallyEvents(samples []Sample, events []Event) eventTally {
	t := eventTally{rounds: map[int]uint64{}, latencies: map[string][]float64{}}
	var phase Phase
	for i := range events {
		ev := &events[i]
		t.lastTime = max(t.lastTime, ev.Time)
		if ev.Snapshot != nil {
			t.snap = ev.Snapshot
			s.Instances.PeakLive = max(s.Instances.PeakLive, ev.Snapshot.LiveInstances)
			if phase == PhaseSettle && ev.Held != nil {
				s.HeldAfterSettle = ev.Held
			}
		}
		switch ev.Kind {
		case EventProfile:
			if ev.Profile != nil {
				s.Profiles = addProfile(s.Profiles, *ev.Profile)
			}
		case EventRound:
			t.rounds[ev.Round] = ev.RSS
			if ev.RSS == 0 {
				// A program that does not read its own RSS (an exec
				// target): the parent's last sample at the event.
				t.rounds[ev.Round] = sampleAt(samples, s.Started, ev.Time).RSS
			}
			t.maxRound = max(t.maxRound, ev.Round)
		case EventPhase:
			phase = ev.Phase
			switch ev.Phase {
			case PhaseLoad:
				t.loadStart = ev.Time
				s.Total = max(s.Total, ev.Total)
			case PhaseIdle:
				t.loadEnd = ev.Time
			}
		case EventOp:
			if ev.Err == "" && ev.Codec != "" {
				t.latencies[ev.Codec] = append(t.latencies[ev.Codec], ev.Seconds)
			}
		case EventInstanceCreated:
			s.Instances.Created++
		case EventExternalGC:
			s.ExternalGCs++
		case EventRequest:
			t.requests++
			if ev.Err == "" {
				t.requestSeconds = append(t.requestSeconds, ev.Seconds)
			} else {
				t.failed++
			}
		}
	}
	return t
}

// pssFigures returns the tree's PSS at the landmarks the RSS figures use
// (last marks the last sample of each phase, firstLoad the first of the
// load phase), or nil when no sample has a PSS reading.
func pssFigures(samples []Sample, last map[Phase]int, firstLoad int) *PSSFigures {
	var f PSSFigures
	for i := range samples {
		f.Peak = max(f.Peak, samples[i].PSS)
		f.PeakProcesses = max(f.PeakProcesses, samples[i].Processes)
	}
	if f.Peak == 0 {
		return nil
	}
	pss := atLandmarks(samples, last, firstLoad, func(x *Sample) uint64 { return x.PSS })
	f.Baseline, f.EndOfLoad, f.AfterIdle, f.AfterSettle = pss.baseline, pss.endOfLoad, pss.afterIdle, pss.afterSettle
	f.Growth, f.Retained, f.Settled = pss.growth, pss.retained, pss.settled
	return &f
}

// landmarks are a run's figures at its landmarks in one measure (RSS or
// the tree's PSS): the baseline (the last sample of start-up, or the
// first of the load when start-up has none), the last sample of the load,
// idle and settle phases (0 when the run never got there), and each of
// those against the baseline (0 without a baseline or a figure).
type landmarks struct {
	baseline, endOfLoad, afterIdle, afterSettle uint64
	growth, retained, settled                   int64
}

// atLandmarks takes value of the landmark samples: last marks the last
// sample of each phase, firstLoad the first of the load phase (-1: none).
func atLandmarks(samples []Sample, last map[Phase]int, firstLoad int, value func(*Sample) uint64) landmarks {
	var l landmarks
	at := func(p Phase) (uint64, bool) {
		i, ok := last[p]
		if !ok {
			return 0, false
		}
		return value(&samples[i]), true
	}
	var ok bool
	if l.baseline, ok = at(PhaseStartup); !ok && firstLoad >= 0 {
		l.baseline = value(&samples[firstLoad])
	}
	diff := func(v uint64, ok bool) int64 {
		if !ok || l.baseline == 0 {
			return 0
		}
		return int64(v) - int64(l.baseline)
	}
	l.endOfLoad, ok = at(PhaseLoad)
	l.growth = diff(l.endOfLoad, ok)
	l.afterIdle, ok = at(PhaseIdle)
	l.retained = diff(l.afterIdle, ok)
	l.afterSettle, ok = at(PhaseSettle)
	l.settled = diff(l.afterSettle, ok)
	return l
}

// sampleAt returns the last sample taken at or before the event time t
// (Unix nanoseconds) of a run started at start, or a zero Sample.
func sampleAt(samples []Sample, start time.Time, t int64) Sample {
	if start.IsZero() || t == 0 {
		return Sample{}
	}
	at := float64(t-start.UnixNano()) / 1e9
	var out Sample
	for _, x := range samples {
		if x.T > at {
			break
		}
		out = x
	}
	return out
}

// FitSlope fits RSS at the end of each round (bytes, round 1 first) against
// the round number and returns the slope in MiB per round with its 95%
// confidence interval. With one round the slope is 0; with fewer than
// MinSlopeRounds the interval is ±Unbounded.
func FitSlope(roundRSS []uint64) Slope {
	n := len(roundRSS)
	out := Slope{Rounds: n, CILow: -Unbounded, CIHigh: Unbounded}
	if n < 2 {
		return out
	}
	x := make([]float64, n)
	y := make([]float64, n)
	for i, v := range roundRSS {
		x[i] = float64(i + 1)
		y[i] = float64(v) / MiB
	}
	alpha, beta := stat.LinearRegression(x, y, nil, false)
	out.MiBPerRound = beta
	if n < MinSlopeRounds {
		return out
	}
	// Standard error of the slope: sqrt(SSR / (n-2) / Sxx).
	mx := stat.Mean(x, nil)
	var ssr, sxx float64
	for i := range x {
		r := y[i] - (alpha + beta*x[i])
		ssr += r * r
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	se := math.Sqrt(ssr / float64(n-2) / sxx)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 2)}.Quantile(0.975)
	out.CILow, out.CIHigh = beta-t*se, beta+t*se
	return out
}

// latency summarises durations in seconds; it sorts d.
func latency(d []float64) Latency {
	slices.Sort(d)
	return Latency{
		Count: len(d),
		P50:   stat.Quantile(0.5, stat.Empirical, d, nil),
		P95:   stat.Quantile(0.95, stat.Empirical, d, nil),
		Max:   d[len(d)-1],
	}
}
