package harness

import (
	"context"
	"fmt"
	"io/fs"
	"slices"

	"github.com/leakbench/leakbench/internal/cli"
	"github.com/leakbench/leakbench/internal/memprofile"
	"github.com/leakbench/leakbench/internal/target"
)

// Request is one image request of the workload: ID (from 1, unique in the
// run), Round (from 1), Source (the image file's path) and Size (its
// bytes), Width (the target width; resize only when the image is wider),
// Format ("png", "jpeg" or "webp"), Quality (JPEG or WebP quality 1-100,
// or the PNG zlib level 0-9) and Rotate (0, 90, 180 or 270, clockwise).
// Its Data method reads the source file.
type Request = target.Request

// Target is the engine under test: Do(ctx, Request) error, called from up
// to in_flight goroutines at once. An error fails that request only.
type Target = target.Target

// Snapshotter is implemented by a target that accounts for its own
// memory: Snapshot() Snapshot is called at every sampling interval and
// phase change, concurrently with Do, and must be cheap.
type Snapshotter = target.Snapshotter

// Closer is implemented by a target with resources to release:
// Close(ctx) error is called once, after the last phase has been measured.
type Closer = target.Closer

// Snapshot is a target's own account of its memory: LiveInstances,
// TotalInstances, LinearMemory (of the live instances, bytes), Held, the
// memory it keeps reachable through leaked references, by holder, and
// OffHeap, how much of that memory lives outside the Go heap.
type Snapshot = target.Snapshot

// Held is memory kept reachable through one kind of reference: Holder
// (HolderViews, HolderListeners, or a name of your own such as "pool" or
// "cache"), Bytes, and Refs (how many references, if counted).
type Held = target.Held

// The holders of the published leak, recorded in results columns of their
// own; the bytes of every other holder are summed into the held column.
const (
	HolderViews     = target.HolderViews
	HolderListeners = target.HolderListeners
)

// Recorder receives a target's events: Op(Op) for each finished
// operation, InstanceCreated(Instance) and InstanceClosed(Instance,
// error). The harness's Recorder is goroutine-safe and cheap.
type Recorder = target.Recorder

// OpStarter is implemented by a Recorder that also takes the start of
// each operation (the harness's does); call StartOp rather than asserting
// it.
type OpStarter = target.OpStarter

// StartOp reports to rec that op begins (Name, Request, Worker,
// Instance), when rec takes starts. The harness records it as an op_start
// event, so that an operation still running when the run is killed (at
// its time limit, say) is named in the summary with its request and file.
// Report its end as always, with Recorder.Op.
func StartOp(rec Recorder, op Op) { target.StartOp(rec, op) }

// Op is one finished operation: Name (latencies are summarised per name),
// Request, Worker, Instance, End, Duration, BytesIn, BytesOut, Memory (the
// instance's linear memory after it) and Err.
type Op = target.Op

// Instance is one instance at one step of its life: ID (unique in the
// target, from 1), Name, Worker, Memory and Time.
type Instance = target.Instance

// Config is what a target is built with besides its options: Workers (the
// scenario's workers, at least 1), InFlight (the most requests Do sees at
// once), CacheDir (a directory for caches that outlive a run, "" if
// none), Sources (the workload's source files, to prepare per-source
// work before the baseline) and Recorder (never nil).
type Config = target.Config

// LinearMemories is implemented by a target that lists its linear
// memories itself, for the linear memory profile (linear-*.pb.gz beside
// a run's samples, see docs/pprof.md). A wazero target gets it by
// embedding a *wazeromem.Recorder (package harness/wazeromem, which
// records every memory wazero allocates):
// LinearMemories() []LinearMemory is called at a run's landmarks,
// concurrently with Do.
type LinearMemories = memprofile.Source

// LinearMemory is one linear memory in the profile: Codec, Holder (who
// keeps it: "live", "closed", or a name of your own), Instance, Bytes,
// and Stack, the program counters of the stack that instantiated it
// (runtime.Callers).
type LinearMemory = memprofile.Memory

// Idler is implemented by a target that models what its runtime does
// while the server is idle: Idle(ctx, d) error is called for the idle
// phase instead of the harness waiting d; it must return after d, or
// once ctx is done with ctx's error, and report each collection it makes
// with ReportGC and GC.Idle set (idle_gc events, marked on the plots).
// leakbench's builtin target replays V8's memory reducer there.
type Idler = target.Idler

// GC is a collection a target made itself: N (which one of its kind,
// from 1), Start, Duration, Memory (for a pressure collection the memory
// whose growth started it; for an idle one the memory it freed) and Idle
// (made by Idle, not for memory pressure).
type GC = target.GC

// ReportGC reports g to rec, the Config's Recorder: an external_gc event,
// or an idle_gc one when g.Idle.
func ReportGC(rec Recorder, g GC) { target.ReportGC(rec, g) }

// The failure classes of a request's error: wrap one (fmt.Errorf with
// %w, or an Is method) and the summary counts the failure under its
// class (corrupt, limit, out-of-memory, trap, invalid) rather than
// "other".
var (
	ErrCorrupt     = target.ErrCorrupt     // the input is corrupt or unsupported
	ErrLimit       = target.ErrLimit       // the input exceeds a limit of the engine
	ErrOutOfMemory = target.ErrOutOfMemory // the engine ran out of (linear) memory
	ErrTrap        = target.ErrTrap        // the guest trapped
	ErrInvalid     = target.ErrInvalid     // an invalid argument
)

// Validator is implemented by an options type that checks its values
// beyond their types: Validate() []error runs in the parent when a
// scenario is loaded and returns every problem at once, each reported at
// the key it names ("keep: must not be negative" is at keep's line and
// column), or at the options' position.
type Validator = target.Validator

// Harness is a set of registered targets and the CLI that runs them. Make
// one with New.
type Harness struct {
	targets   target.Targets
	scenarios fs.FS
	gate      []string
}

// New returns a Harness with no targets.
func New() *Harness {
	return &Harness{targets: target.Targets{}}
}

// Register adds the target name, built by f, to h: scenarios select it
// with target: name. A scenario's options: mapping is decoded strictly
// into a new O (keys by the fields' yaml tags, or their lower-cased
// names; every unknown key and wrong type an error at its line and
// column), checked with Validate when O is a Validator, and given to f
// in the child; a scenario without options gives f the zero O. A target
// without options uses struct{}. f runs in the child, during start-up,
// before the baseline is taken; an error from it ends the run.
//
// Register is a function, not a method, because the options type is a
// type parameter (Go methods can't have one), and the parent needs that
// type to check a scenario's options before it starts any child.
//
// It panics if name is not lower-case letters, digits and + . _ -
// (starting with a letter or digit), or is already registered: both are
// mistakes of the program, not of its input.
func Register[O any](h *Harness, name string, f func(ctx context.Context, cfg Config, opts O) (Target, error)) {
	if !target.ValidName(name) {
		panic(fmt.Sprintf("harness: Register(%q): a target's name must be lower-case letters, digits and + . _ -", name))
	}
	if _, dup := h.targets[name]; dup {
		panic(fmt.Sprintf("harness: Register(%q): registered twice", name))
	}
	if f == nil {
		panic(fmt.Sprintf("harness: Register(%q): nil factory", name))
	}
	h.targets[name] = target.NewFactory(f)
}

// Scenarios makes fsys (its *.yaml files at the root, typically an
// embed.FS) the scenarios the program ships (without it, it ships none:
// leakbench's builtin scenarios are its case study's, not yours): run NAME
// and gate NAME find them by name (a path of a .yaml file works as
// always), list lists them, and run and gate without names run the
// scenarios named by gate (a stable one and a leaky control, say). Every file is
// parsed when it is first looked up; a bad one is reported with its
// position then.
func (h *Harness) Scenarios(fsys fs.FS, gate ...string) {
	h.scenarios = fsys
	h.gate = slices.Clone(gate)
}

// Main runs the command line with the registered targets on os.Args and
// exits with its status: 0 ok, 1 a verdict failed (a limit, an
// expectation, the RSS cap, a gate regression), 2 usage or error. The
// program calls itself by the name it was started with (os.Args[0]) in
// its help and errors; run it with --help for its commands (run, list,
// report, compare, gate, version) and flags. Interrupt and SIGTERM stop
// the running child and keep what was measured. Main never returns. The
// program is its own child process, so Main must be reached on every
// start of the program, before it does work of its own.
func (h *Harness) Main() {
	targets := make(target.Targets, len(h.targets))
	for n, f := range h.targets {
		targets[n] = f
	}
	cli.Main(cli.Program{Targets: targets, Scenarios: h.scenarios, Gate: h.gate})
}
