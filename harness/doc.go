// Package harness measures the memory of your own engine with leakbench:
// you write a target (package harness/target is the contract: Target,
// Request, Config, Recorder, Snapshot, ...), register it, and Main is your program's whole
// command line (run, list, report, compare, gate, version), under your
// program's own name, with your target selectable in scenario files by
// name and the scenarios you ship (Harness.Scenarios) found by name. It
// has no reproduce: that command belongs to leakbench's case study
// (cmd/bench), as do the builtin scenarios.
//
//	func main() {
//		h := harness.New()
//		harness.Register(h, "mine", newMine)
//		h.Main()
//	}
//
// Every scenario runs in its own child process (your program, started
// again with a hidden subcommand), so its RSS is its own: the parent
// samples it from outside, takes the baseline at the end of start-up, and
// runs the phases load (the workload's requests, in_flight at a time, sent
// to Target.Do), idle and settle (two GCs and debug.FreeOSMemory), then
// writes the time series, the summary, the plots, and the gate's verdicts
// exactly as for leakbench's own engine.
//
// # A target
//
// A target.Target serves requests: Do is called from up to in_flight goroutines
// at once with a Request (the source image's path and size, the width,
// output format, quality and rotation the browser asked for); it reads
// the source with Request.Data if it needs the bytes. Two interfaces are
// optional: a Snapshotter reports the target's own account of its memory
// (live instances, their linear memory, and the bytes it keeps reachable
// through leaked references, by holder), recorded beside the RSS and
// summarised; a Closer is closed once after the last phase. A target
// reports its operations and instance lifetimes to the Config's Recorder,
// which gives the summary its latencies per operation and its instance
// counts; StartOp before an operation lets a run killed at its time limit
// name the operation in progress. An error from Do fails that request
// only: the summary counts it by class (from its errors.Is chain, e.g.
// ErrCorrupt and the other classes) and names its file and the operation whose Op
// carried an error.
//
// # Scenarios
//
// A scenario file names the target and its options:
//
//	name: mine-keep-4
//	workload: tiny          # default | quick | tiny, or images: DIR
//	target: mine
//	options:                # decoded strictly into the options type given to Register
//	  keep: 4
//	rounds: 3
//	idle: 2s
//	limits:
//	  - settled < 64MiB
//
// Unknown keys, wrong types and a Validate error of the options are
// reported with the file, line and column before any child starts, like
// every other problem of a scenario file. In your program every scenario
// names its target (target: is required; leakbench's bench, whose
// default target is its builtin engine, is the one program whose
// scenarios may leave it out). workers: N reaches every target as
// Config.Workers.
//
// # Where the types live
//
// The types a target implements and uses are package harness/target's,
// not this package's: the child process that calls your target imports
// that package, and this one is the whole command line (Main starts the
// runner, which starts the child), so the child can't import it. With the
// contract in a leaf package below both, the data flows one way: scenario
// → runner (parent) → driver (child) → target, and leakbench's own
// builtin engine implements the same package's Target as yours does.
package harness
