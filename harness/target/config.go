package target

// Config is what the child gives a target's factory besides its options:
// the scenario's settings that any target may use.
type Config struct {
	// Workers is the scenario's worker count (workers: N, or for "auto"
	// the CPU count minus one), at least 1: how many workers a target
	// with a pool should run. A target without one ignores it.
	Workers int
	// InFlight is how many requests Do receives at once, at most.
	InFlight int
	// CacheDir is a directory the target may keep caches in across runs
	// (compiled modules, say), created on first use; "" when the user has
	// no cache directory.
	CacheDir string
	// Sources are the workload's source files (Request.Source of every
	// request the load will send, each once, in the workload's order),
	// for a target that prepares per-source work (a re-encoded copy, a
	// measurement) during start-up, before the baseline is taken, rather
	// than during the load.
	Sources []string
	// Recorder receives the target's events. It is never nil in a Config
	// the harness builds.
	Recorder Recorder
}
