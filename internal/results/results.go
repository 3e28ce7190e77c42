// Package results owns what a leakbench run leaves behind: the data model
// (samples, the child's events, the summary), the figures derived from
// them (Summarize, FitSlope and the rule Slope.Bounded), and the files
// they are kept in: Writer and WriteSummary write a run's directory, Read
// reads it back, both from one definition of the CSV columns.
//
// It measures nothing and runs nothing: the runner measures a child and
// hands its samples and events here; the reports, the gate and the
// commands read runs through Read and show them. Every other package of
// leakbench may import this one; it imports none of them.
//
// Units: every memory figure is in bytes and every time in seconds unless a
// field name says otherwise. Derived figures in MiB are computed on display.
package results

import (
	"strings"
	"time"
)

// Phase is a stage of one run, in the order a run passes through them.
type Phase string

// The phases of a run.
const (
	PhaseStartup Phase = "startup" // child started, codecs compiling, baseline taken at its end
	PhaseLoad    Phase = "load"    // requests in flight
	PhaseIdle    Phase = "idle"    // load over, process left alone: the natural curve
	PhaseSettle  Phase = "settle"  // GC twice and debug.FreeOSMemory: what is truly retained
	PhaseDone    Phase = "done"    // child finished its work and is exiting
)

// Snapshot is the child's own view of its memory at one instant: the
// engine's instance accounting and the Go runtime's heap figures
// (runtime/metrics). The child emits one with every sample-interval tick.
type Snapshot struct {
	LiveInstances  int    `json:"live_instances"`  // wasm instances not yet closed
	TotalInstances int    `json:"total_instances"` // instances ever created
	LinearMemory   uint64 `json:"linear_memory"`   // linear memory of live instances, bytes
	Held           uint64 `json:"held"`            // memory the target keeps reachable through leaked references, all its holders (glue views, a pool, a cache), bytes
	OffHeap        uint64 `json:"off_heap"`        // of the linear and held memory, what lives outside the Go heap (mmap, v8); no holder, not leaked
	// OffHeapUnreleased is, of OffHeap, the memory of closed instances not
	// yet released by a collection (allocator v8).
	OffHeapUnreleased uint64 `json:"off_heap_unreleased,omitempty"`
	HeapLive          uint64 `json:"heap_live"`     // /gc/heap/live:bytes
	HeapObjects       uint64 `json:"heap_objects"`  // /memory/classes/heap/objects:bytes
	HeapFree          uint64 `json:"heap_free"`     // /memory/classes/heap/free:bytes
	HeapReleased      uint64 `json:"heap_released"` // /memory/classes/heap/released:bytes
	GCCycles          uint64 `json:"gc_cycles"`     // /gc/cycles/total:gc-cycles
	Requests          int    `json:"requests"`      // requests completed (ok or failed)
	Errors            int    `json:"errors"`        // requests failed
}

// Holding is what one holder of a target keeps: bytes and, when counted,
// references (listeners registered, instances dropped, entries cached).
type Holding struct {
	Bytes uint64 `json:"bytes"`
	Refs  int    `json:"refs,omitempty"`
}

// Sample is one row of a run's time series: the parent's reading of the
// child's RSS merged with the child's latest snapshot at that time.
type Sample struct {
	T     float64 `json:"t"`     // seconds since the child was started
	Phase Phase   `json:"phase"` // the child's phase when the sample was taken
	Round int     `json:"round"` // rounds completed so far
	RSS   uint64  `json:"rss"`   // resident set size, bytes (gopsutil, /proc/PID/statm)
	HWM   uint64  `json:"hwm"`   // kernel high-water mark of RSS (VmHWM), bytes
	// PSS is the proportional set size of the child's whole process tree,
	// bytes (exec targets only; 0 for the builtin, whose child is one
	// process). It is re-read less often than RSS (sampler.PSSEvery and
	// always at a phase or round event); in between it repeats the last
	// reading.
	PSS       uint64 `json:"pss,omitempty"`
	Processes int    `json:"processes,omitempty"` // processes the PSS reading summed
	Snapshot
}

// EventKind names a kind of child event.
type EventKind string

// The kinds of event a child emits on its event stream.
const (
	EventHello           EventKind = "hello"            // first event: versions and settings
	EventPhase           EventKind = "phase"            // a new phase began
	EventSnapshot        EventKind = "snapshot"         // periodic self-report
	EventRound           EventKind = "round"            // a round of the workload completed
	EventInstanceCreated EventKind = "instance_created" // a codec instance was created
	EventInstanceClosed  EventKind = "instance_closed"  // a codec instance was closed
	EventOp              EventKind = "op"               // one codec operation finished
	EventRequest         EventKind = "request"          // one request finished
	EventError           EventKind = "error"            // something failed; Err says what
	// EventIdleGC is a collection of the V8 memory-reducer model (scenario
	// idle_gc: v8, package idlegc) during the idle phase: a full GC and the
	// release of freed memory to the OS. GC numbers it (1 to 3), Seconds is
	// how long GC and release took, Memory the committed memory it freed
	// (bytes), RSS the child's own reading just after, Snapshot the heap
	// after it.
	EventIdleGC EventKind = "idle_gc"
	// EventExternalGC is a collection the target started itself because
	// memory outside the Go heap grew past its limit (the builtin's
	// allocator v8, modelling V8's external-memory pressure). GC numbers
	// it, Seconds is how long it took, Memory the off-heap bytes that
	// started it, RSS the child's reading once it returned, Snapshot the
	// target's figures then (the releases it decided follow it).
	EventExternalGC EventKind = "external_gc"
	// EventRequestStart: a request was handed to the target; Request,
	// Round and Source (the file) say which. A request_start without its
	// request event is a request still running when the stream ended: the
	// summary names it (Summary.Unfinished).
	EventRequestStart EventKind = "request_start"
	// EventOpStart: an operation of a request began (Codec, Request,
	// Worker, Instance), reported by targets that report starts (the
	// builtin does; see target.StartOp). An op_start without its op event
	// is the operation in progress when the stream ended.
	EventOpStart EventKind = "op_start"
	// EventSettings: the settings the target runs with, as the child
	// decoded and validated them, before it builds the target: Settings
	// (its options type as a JSON object) and, for a target whose settings are an
	// engine strategy (the builtin), Strategy. The summary records what
	// the child reports, not what the parent asked for.
	EventSettings EventKind = "settings"
	// EventProfile: the child wrote a pprof profile into the run's
	// directory; Profile says which and where. A later one of the same
	// kind and landmark replaces it (the peak's is rewritten as RSS
	// climbs).
	EventProfile EventKind = "profile"
)

// Event is one line of the child's event stream (JSON lines). Fields that
// do not apply to a kind are omitted.
type Event struct {
	Time     int64     `json:"time"` // wall clock, Unix nanoseconds
	Kind     EventKind `json:"kind"`
	Phase    Phase     `json:"phase,omitempty"`
	Round    int       `json:"round,omitempty"`
	Snapshot *Snapshot `json:"snapshot,omitempty"`
	Env      *Env      `json:"env,omitempty"`

	Codec    string  `json:"codec,omitempty"`    // decode, resize, rotate, encodeJpeg, encodePng, encodeWebp; for a failed EventRequest, the operation that failed (OpLoad for a source rejected at load)
	Worker   int     `json:"worker,omitempty"`   // worker index, from 1
	Instance int     `json:"instance,omitempty"` // instance id, from 1
	Memory   uint64  `json:"memory,omitempty"`   // instance linear memory, bytes (EventIdleGC: memory freed)
	Request  int     `json:"request,omitempty"`  // request id, from 1
	Seconds  float64 `json:"seconds,omitempty"`  // duration of the op or request
	BytesIn  int     `json:"bytes_in,omitempty"`
	BytesOut int     `json:"bytes_out,omitempty"`
	RSS      uint64  `json:"rss,omitempty"`   // for EventRound: RSS at the round's end (child's own reading)
	Total    int     `json:"total,omitempty"` // for EventPhase load: requests the load phase will make
	GC       int     `json:"gc,omitempty"`    // for EventIdleGC and EventExternalGC: which collection, from 1
	// Held is, beside a Snapshot, every holder the target reported by
	// name (the builtin's views, listeners, pool and cache, say); their
	// bytes sum to Snapshot.Held, but for a calibration's injected leak
	// (the driver's holder "injected"), which Held leaves out.
	Held map[string]Holding `json:"held,omitempty"`
	Err  string             `json:"err,omitempty"`
	// Source is the file of an EventRequest or EventRequestStart (its
	// path).
	Source string `json:"source,omitempty"`
	// Class is why a failed EventRequest failed, as the error's chain
	// says (ErrorClass).
	Class ErrorClass `json:"class,omitempty"`
	// Settings and Strategy are an EventSettings' report.
	Settings map[string]any `json:"settings,omitempty"`
	Strategy *Strategy      `json:"strategy,omitempty"`
	// Profile is the profile an EventProfile announces.
	Profile *Profile `json:"profile,omitempty"`
}

// Env records where and how a run was taken, so numbers are never compared
// across machines or versions without saying so.
type Env struct {
	GoVersion     string `json:"go_version"`
	WazeroVersion string `json:"wazero_version"`
	GOOS          string `json:"goos"`
	GOARCH        string `json:"goarch"`
	CPUs          int    `json:"cpus"`
	Hostname      string `json:"hostname,omitempty"`
	Kernel        string `json:"kernel,omitempty"`
	GOGC          string `json:"gogc"`       // as set for the child, "" if the runtime default
	GOMEMLIMIT    string `json:"gomemlimit"` // as set for the child, "" if the runtime default

	CPUModel         string `json:"cpu_model,omitempty"`         // the processor's model name, as /proc/cpuinfo gives it
	WorkloadHash     string `json:"workload_hash,omitempty"`     // checksum of the workload's images and request list
	LeakbenchVersion string `json:"leakbench_version,omitempty"` // version of the harness that took the run
}

// Outcome says how a run ended.
type Outcome string

// The ways a run can end.
const (
	OutcomeCompleted   Outcome = "completed"   // the child did all its work and exited 0
	OutcomeRSSCap      Outcome = "rss-cap"     // the parent killed the child for exceeding its RSS cap
	OutcomeCrashed     Outcome = "crashed"     // the child exited non-zero on its own
	OutcomeSignaled    Outcome = "signaled"    // the child was killed by a signal it did not ask for (OOM killer, kill -9)
	OutcomeInterrupted Outcome = "interrupted" // the user interrupted the run (Ctrl-C)
	OutcomeTimeout     Outcome = "timeout"     // the run exceeded its wall-clock limit
)

// Engine is the one text of what a run measured: the builtin engine's
// strategy (Strategy.String), "target NAME" for any other target, or an
// exec target's command line with its paths shortened to their last
// element ("exec node driver.js 10.1.0").
func (s Summary) Engine() string {
	switch {
	case len(s.Exec) > 0:
		words := make([]string, len(s.Exec))
		for i, w := range s.Exec {
			words[i] = w
			if j := strings.LastIndexByte(w, '/'); j >= 0 && j < len(w)-1 {
				words[i] = w[j+1:]
			}
		}
		return "exec " + strings.Join(words, " ")
	case s.Target != "":
		return "target " + s.Target
	}
	return s.Strategy.String()
}

// Slope is the leak slope: memory at the end of each round fitted linearly
// against the round number (gonum/stat), in MiB per round, with a 95%
// confidence interval. With fewer than MinSlopeRounds rounds the interval
// is unbounded (see Unbounded and Bounded) and Warnings on the summary say
// so.
type Slope struct {
	MiBPerRound float64 `json:"mib_per_round"`
	CILow       float64 `json:"ci_low"`
	CIHigh      float64 `json:"ci_high"`
	Rounds      int     `json:"rounds"`
}

// Instances counts codec instances over a run.
type Instances struct {
	Created  int `json:"created"`
	PeakLive int `json:"peak_live"`
	EndLive  int `json:"end_live"`
}

// HeapReported reports whether the run has a Go heap figure: a Go child
// always has a live heap, while an exec program reports none, which
// leaves HeapLiveAfterSettle 0. Where it is false, show "n/a", not 0.
func (s Summary) HeapReported() bool { return s.HeapLiveAfterSettle > 0 }

// Latency summarises one codec's operation durations, in seconds.
type Latency struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	Max   float64 `json:"max"`
}

// Summary is the derived result of one run, written as summary.json beside
// the time series.
type Summary struct {
	Scenario string    `json:"scenario"`
	Target   string    `json:"target,omitempty"` // the target that ran; "" for the program's default one (bench: its builtin engine)
	Exec     []string  `json:"exec,omitempty"`   // an exec target's command line; nil for a Go target
	Workload string    `json:"workload"`
	Strategy Strategy  `json:"strategy"` // the target's settings in its own words, as the child reported them (EventSettings); the worker count alone for a target that is no Strategist
	Rounds   int       `json:"rounds"`
	InFlight int       `json:"in_flight"`
	IdleGC   string    `json:"idle_gc,omitempty"` // the idle phase's model: "go" (the Go runtime alone) or "v8" (V8's memory reducer); "" in runs recorded before it existed
	Env      Env       `json:"env"`
	Started  time.Time `json:"started"`
	Seconds  float64   `json:"seconds"` // wall time of the whole run
	// Settings are the target's settings as the child decoded them (its
	// options type as a JSON object; EventSettings); absent for an exec
	// target, a target without settings and a child that never got that
	// far.
	Settings map[string]any `json:"settings,omitempty"`

	Outcome  Outcome `json:"outcome"`
	ExitCode int     `json:"exit_code"`
	Signal   string  `json:"signal,omitempty"`
	Error    string  `json:"error,omitempty"`

	Baseline    uint64 `json:"baseline"`     // RSS at the end of start-up, before the first request
	Peak        uint64 `json:"peak"`         // highest sampled RSS
	PeakHWM     uint64 `json:"peak_hwm"`     // kernel high-water mark, catches peaks between samples
	EndOfLoad   uint64 `json:"end_of_load"`  // RSS when the last request finished
	AfterIdle   uint64 `json:"after_idle"`   // RSS at the end of the idle phase
	AfterSettle uint64 `json:"after_settle"` // RSS after GC twice and FreeOSMemory
	Growth      int64  `json:"growth"`       // EndOfLoad - Baseline
	Retained    int64  `json:"retained"`     // AfterIdle - Baseline
	Settled     int64  `json:"settled"`      // AfterSettle - Baseline

	// HeapLiveAfterSettle is 0 when the target reports no Go heap
	// (HeapReported).
	HeapLiveAfterSettle uint64 `json:"heap_live_after_settle"`
	LeakedAfterSettle   uint64 `json:"leaked_after_settle"` // Snapshot.Held after settle
	// HeldAfterSettle is LeakedAfterSettle by holder (the names are the
	// target's: the builtin's views, listeners, pool and cache), from the
	// child's last snapshot of the settle phase; OffHeapAfterSettle is how much of the
	// linear and held memory was outside the Go heap then.
	HeldAfterSettle    map[string]Holding `json:"held_after_settle,omitempty"`
	OffHeapAfterSettle uint64             `json:"off_heap_after_settle,omitempty"`
	// OffHeapUnreleasedAfterSettle is the part of OffHeapAfterSettle
	// that belonged to closed instances not yet released (allocator v8):
	// kept by a leaked reference, since settle collects twice.
	OffHeapUnreleasedAfterSettle uint64 `json:"off_heap_unreleased_after_settle,omitempty"`
	// PeakOffHeap and PeakOffHeapUnreleased are the largest OffHeap and
	// OffHeapUnreleased of the samples: where the peak memory lived.
	PeakOffHeap           uint64 `json:"peak_off_heap,omitempty"`
	PeakOffHeapUnreleased uint64 `json:"peak_off_heap_unreleased,omitempty"`
	// ExternalGCs counts the collections the target started for
	// external-memory pressure (EventExternalGC).
	ExternalGCs int       `json:"external_gcs,omitempty"`
	RoundRSS    []uint64  `json:"round_rss"` // RSS at the end of each round
	Slope       Slope     `json:"slope"`
	Instances   Instances `json:"instances"`

	Requests   int                `json:"requests"`          // requests completed, ok or failed
	Errors     int                `json:"errors"`            // requests failed
	Total      int                `json:"total,omitempty"`   // requests the run was to make (the load phase's); 0 when it never began
	Throughput float64            `json:"throughput"`        // requests per second during the load phase
	Latency    map[string]Latency `json:"latency,omitempty"` // per codec operation
	// RequestLatency summarises the durations of the completed requests
	// (a request is every operation of one image, in the order the
	// optimizer runs them); zero Count in runs from before it was recorded.
	RequestLatency Latency `json:"request_latency"`

	// PSS holds the process tree's figures of an exec target, from the
	// samples' PSS; nil for the builtin. Every figure above stays the
	// main process's RSS, for every target.
	PSS *PSSFigures `json:"pss,omitempty"`

	// ErrorClasses counts the failed requests by class ("corrupt": 3,
	// "limit": 1), FailedSources groups them by file with the first
	// messages of each, Unfinished lists the requests still running when
	// the run ended (the stuck ones of a run killed at its time limit),
	// and Skipped the files of the images directory that were not used;
	// see failures.go.
	ErrorClasses  map[ErrorClass]int `json:"error_classes,omitempty"`
	FailedSources []SourceFailures   `json:"failed_sources,omitempty"`
	Unfinished    []Unfinished       `json:"unfinished,omitempty"`
	Skipped       []SkippedFile      `json:"skipped,omitempty"`

	// Profiles are the pprof profiles the child wrote beside the samples
	// (profiles.go), one per kind and landmark, in the order written;
	// none for an exec target or a run with profiles off.
	Profiles []Profile `json:"profiles,omitempty"`

	Samples  int      `json:"samples"` // rows in samples.csv
	Warnings []string `json:"warnings,omitempty"`
}

// PSSFigures are the landmarks of a run measured as the proportional set
// size of the child's whole process tree (shared pages counted once), in
// bytes: the same landmarks as the summary's RSS figures, from the same
// samples. Peak is the highest PSS read, which may miss a spike between
// two reads (PSS is read less often than RSS); PeakProcesses is the
// largest tree a reading summed.
type PSSFigures struct {
	Baseline      uint64 `json:"baseline"`
	Peak          uint64 `json:"peak"`
	EndOfLoad     uint64 `json:"end_of_load"`
	AfterIdle     uint64 `json:"after_idle"`
	AfterSettle   uint64 `json:"after_settle"`
	Growth        int64  `json:"growth"`
	Retained      int64  `json:"retained"`
	Settled       int64  `json:"settled"`
	PeakProcesses int    `json:"peak_processes"`
}

// File names inside one run's directory.
const (
	SummaryFile = "summary.json"
	SamplesCSV  = "samples.csv"
	SamplesJSON = "samples.jsonl"
	EventsJSON  = "events.jsonl"
)

// MiB is the unit memory is shown in.
const MiB = 1 << 20
