// Package scenario reads leakbench scenarios: YAML files naming a workload,
// an engine strategy (a published preset and/or its four switches), the
// worker count, rounds, idle time, sampling interval, memory caps, what
// the run is expected to show and the absolute limits bench run and the
// gate check.
//
// The package owns the file format, its defaults and its validation, and
// the builtin files. The values it reads belong to their types and are
// parsed by their own parsers: the switches and presets to
// internal/engine, the workloads to internal/workload, expectations,
// limits and sizes to internal/metric. Running a scenario is
// internal/runner's job, judging its results bench run's and
// internal/gate's.
//
// Parsing is strict. Unknown keys, wrong types, unknown enum values, bad
// durations, sizes and limit expressions are all errors that carry
// file:line:column and name the field; every problem of a file is reported
// at once (an ErrorList), not just the first one: the first MaxErrors of
// them, then a count of the rest. A file over MaxFileBytes is refused
// unread, and Find checks that an images directory exists.
//
// The defaults ship embedded (package scenarios); Builtin lists them and
// Find resolves a builtin name or a path to a user's file.
//
// # File format
//
//	name: fixed                  # required for builtins; defaults to the file's base name
//	description: all four fixes  # free text
//	target: builtin              # the engine under test: builtin (the default) or a target registered with package harness
//	options: {keep: 10}          # another target's settings, decoded strictly into its options type
//	workload: default            # default | quick | tiny
//	images: ~/photos             # optional: a directory of PNG/JPEG replacing the generated images
//	preset: fixed                # before | fix1 | fix1+2 | fixed, or a pattern from the field:
//	                             # pool-unclosed | pool-bounded-capped | recycle-512 | mmap-fixed | aliased-cache
//	topology: pipeline           # per-worker | pipeline     (each key overrides the preset;
//	lifetime: fresh              # reuse | fresh | pool | recycle   without a preset these four are required)
//	views: cleared               # leaked | cleared
//	listeners: removed           # leaked | removed
//	recycle_after: 512           # lifetime recycle: operations before an instance is replaced
//	pool_size: 4                 # bound on the instances of each codec (reuse or recycle, per-worker)
//	memory_limit: 384MiB         # cap on each instance's linear memory; default none
//	allocator: go                # go (default) | mmap (Linux): what backs linear memory
//	results: copied              # copied (default) | aliased: results are slices of linear memory
//	cache: 8                     # response cache of the last N outputs and decoded sources; default 0
//	workers: 15                  # >= 1, or "auto" = max(1, NumCPU-1) (the default)
//	rounds: 3                    # >= 1, default 1
//	in_flight: 6                 # requests in flight, default 6
//	idle: 20s                    # idle phase after the load, default 0
//	idle_gc: v8                  # go (default): the Go runtime alone | v8: V8's memory reducer in the idle phase
//	interval: 100ms              # sampling interval, default 100ms, at least 10ms
//	rss_cap: 8GiB                # the parent kills the child above this; default none
//	gogc: 100                    # >= 1 or "off"; default: the runtime's
//	gomemlimit: 2GiB             # default none
//	op_timeout: 2m               # per codec operation; default none
//	expect: stable               # stable | leak (a control that must still leak)
//	limits:                      # absolute limits for the gate: "<metric> <op> <value>"
//	  - settled < 64MiB
//	  - slope < 8MiB/round
//	  - instances_peak <= 6
//	inject_leak: 256KiB          # calibration: the child retains this much more per request; default none
//
// preset, the switches, the settings from the field (recycle_after to
// cache) and op_timeout (builtin.Fields: the yaml keys of builtin.Options
// and engine.Strategy) are the builtin target's settings and are errors
// for any other target; workers, in_flight and the rest apply to every
// target. The builtin's keys are gathered into one mapping that its
// Factory decodes (target.Decode) and validates (builtin.Options.Validate,
// the engine's own Strategy.Validate among it) once, at load, as another
// target's options: mapping is: a combination the engine refuses is an
// error naming both keys and why. A setting added to builtin.Options or
// engine.Strategy as a field with a yaml tag is a scenario key with no
// change here.
//
// An exec scenario replaces the engine's keys (preset and the switches,
// op_timeout) with exec: [program, args...] and an optional setup
// command; see exec.go.
package scenario

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/builtin"
	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/idlegc"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/target"
	"github.com/leakbench/leakbench/internal/workload"
)

// Defaults and bounds of the scenario fields.
const (
	DefaultTarget   = builtin.Name // the target of a scenario without a target key
	DefaultWorkload = "default"
	DefaultRounds   = 1
	DefaultInFlight = 6
	DefaultInterval = 100 * time.Millisecond
	MinInterval     = 10 * time.Millisecond // the sampling floor
	MaxWorkers      = 1024
	MaxInFlight     = 1024
	MaxRounds       = 100000
	MinRSSCap       = 64 << 20 // a Go process with the codecs compiled needs more than this
	GOGCOff         = -1       // Scenario.GOGC value for gogc: off
)

// Scenario is one parsed, defaulted scenario. Parse and Load return it
// validated; a Scenario built in Go should be checked with Validate.
type Scenario struct {
	Name        string
	Description string
	File        string // where it was read from ("fixed.yaml" for builtins); "" if built in Go

	// Target names the engine under test: DefaultTarget, or a target
	// registered with package harness. Parse checks its spelling only;
	// whether it is registered, and whether Options suit it, is checked by
	// the program that has the registry.
	Target  string
	Options *yaml.Node // the target's options: mapping; nil when absent (always for the builtin)

	// Exec is the command line of a program run as the measured child
	// instead of the builtin engine (see exec.go); nil for the builtin.
	// Setup, optional beside Exec, runs to completion before it.
	Exec  []string
	Setup []string

	Workload string // workload name: "default", "quick" or "tiny" (workload.Names)
	Images   string // optional directory of user images replacing the generated ones

	Preset   string          // optional; "" when the switches were all given explicitly
	Strategy engine.Strategy // the preset with the file's switches applied

	Workers    int            // worker count of the per-worker topology; 0 = auto, see ResolvedWorkers
	Rounds     int            // >= 1
	InFlight   int            // requests in flight, default 6
	Idle       time.Duration  // idle phase after the load
	IdleGC     idlegc.Mode    // what the idle phase does with memory; idlegc.Go (the zero value) unless the file says v8
	Interval   time.Duration  // sampling interval, default 100ms, floor 10ms
	RSSCap     uint64         // bytes; 0 = none
	GOGC       int            // 0 = runtime default, GOGCOff (-1) = off, else the percentage
	GOMEMLIMIT uint64         // bytes; 0 = none
	OpTimeout  time.Duration  // per codec operation; 0 = none. Setting it makes wasm calls interruptible, which costs 4-35x in codec speed (wazero 1.12)
	Expect     metric.Expect  // metric.ExpectStable unless the file says "expect: leak"
	Limits     []metric.Limit // absolute limits, checked by bench run and the gate

	// InjectLeak is a known leak the child adds, for calibrating the gate:
	// bytes retained and touched after every request, reported as the
	// holder "injected" (internal/driver, inject.go), whatever the
	// target; 0 = none. An exec target can't inject: its program is not
	// leakbench's child.
	InjectLeak uint64

	// Set by the parser: where each field was, so that Validate can point
	// at the line.
	pos map[string]position
}

type position struct{ line, col int }

// Builtin reports whether the scenario runs the builtin target, whose
// settings are the Strategy and OpTimeout: neither another registered
// target nor an exec target's program.
func (s Scenario) Builtin() bool {
	return len(s.Exec) == 0 && (s.Target == "" || s.Target == DefaultTarget)
}

// ResolvedWorkers returns the worker count to run with: Workers, or for
// auto (0) max(1, NumCPU-1), like the original optimizer's cpus - 1.
func (s Scenario) ResolvedWorkers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return max(1, runtime.NumCPU()-1)
}

// BuiltinOptions returns the builtin target's settings the scenario
// holds: its Preset, Strategy, OpTimeout and IdleGC.
func (s Scenario) BuiltinOptions() builtin.Options {
	return builtin.Options{Preset: builtin.Preset(s.Preset), Strategy: s.Strategy, OpTimeout: s.OpTimeout, IdleGC: s.IdleGC}
}

// ResultsStrategy is the strategy as a run records it in its summary
// before the child reports the one it ran (builtin.Options.ResultsStrategy),
// with the resolved worker count; its String is the strategy's one text.
// A scenario of another target has no strategy: only the worker count.
func (s Scenario) ResultsStrategy() results.Strategy {
	if !s.Builtin() {
		return results.Strategy{Workers: s.ResolvedWorkers()}
	}
	return s.BuiltinOptions().ResultsStrategy(s.ResolvedWorkers())
}

// GOGCEnv returns the value for the child's GOGC environment variable:
// "" for the runtime default, "off", or the percentage.
func (s Scenario) GOGCEnv() string {
	switch {
	case s.GOGC == GOGCOff:
		return "off"
	case s.GOGC > 0:
		return strconv.Itoa(s.GOGC)
	}
	return ""
}

// GOMEMLIMITEnv returns the value for the child's GOMEMLIMIT environment
// variable: "" for none, else the limit in bytes followed by "B".
func (s Scenario) GOMEMLIMITEnv() string {
	if s.GOMEMLIMIT == 0 {
		return ""
	}
	return strconv.FormatUint(s.GOMEMLIMIT, 10) + "B"
}

// Leaky reports whether the strategy retains memory across operations,
// so that a run of it can be a leaky control (expect: leak):
//   - instances kept for more than one operation: lifetime reuse and
//     recycle (at their high-water mark), and pool, whose sync.Pool drops
//     instances at a GC without closing them, so the runtime keeps them;
//   - leaked glue views or listeners, with allocators go and v8 (which
//     releases memory only when it is unreachable): under mmap a closed
//     instance's memory is unmapped, so they hold no memory (the leak mmap
//     hides);
//   - results aliased with a cache: each cached entry keeps its whole
//     instance's linear memory alive.
//
// The topology only multiplies instances; pool_size and memory_limit
// bound them; a copied cache holds only its entries' bytes.
func (s Scenario) Leaky() bool {
	st := s.Strategy
	switch {
	case st.Lifetime == engine.Reuse, st.Lifetime == engine.Recycle, st.Lifetime == engine.Pool:
		return true
	case st.Allocator != engine.AllocatorMmap && (st.Views == engine.ViewsLeaked || st.Listeners == engine.ListenersLeaked):
		return true
	}
	return st.Results == engine.ResultsAliased && st.Cache > 0
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+._-]*$`)

// Validate checks every field, the builtin target's settings
// (builtin.Options.Validate) included, and returns all problems found,
// each an *Error naming the field (and its line when the scenario was
// parsed). It returns nil for a valid scenario. Parse has run it: a
// Scenario built or changed in Go should be checked with it.
func (s Scenario) Validate() []error {
	var errs []error
	if s.Builtin() {
		for _, err := range s.BuiltinOptions().Validate() {
			var oe *target.OptionError
			if errors.As(err, &oe) {
				errs = append(errs, s.errorAt(oe.Field, oe.Msg))
			} else {
				errs = append(errs, s.errorAt("", err.Error()))
			}
		}
	}
	return append(errs, s.validate()...)
}

// validate checks the scenario's own fields, not the target's settings,
// which Parse has the target's Factory decode and validate.
func (s Scenario) validate() []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, s.errorAt(field, fmt.Sprintf(format, args...)))
	}
	switch {
	case s.Name == "":
		bad("name", "required")
	case !nameRE.MatchString(s.Name):
		bad("name", "%q must be lower-case letters, digits and + . _ - (starting with a letter or digit)", s.Name)
	}
	if names := workload.Names(); !slices.Contains(names, s.Workload) {
		bad("workload", "unknown workload %q (allowed: %s)", s.Workload, strings.Join(names, ", "))
	}
	if s.Workers < 0 || s.Workers > MaxWorkers {
		bad("workers", "must be between 1 and %d, or \"auto\"; got %d", MaxWorkers, s.Workers)
	}
	if s.Rounds < 1 || s.Rounds > MaxRounds {
		bad("rounds", "must be between 1 and %d; got %d", MaxRounds, s.Rounds)
	}
	if s.InFlight < 1 || s.InFlight > MaxInFlight {
		bad("in_flight", "must be between 1 and %d; got %d", MaxInFlight, s.InFlight)
	}
	if s.Idle < 0 {
		bad("idle", "must not be negative; got %s", s.Idle)
	}
	if s.Interval < MinInterval {
		bad("interval", "must be at least %s (the sampling floor); got %s", MinInterval, s.Interval)
	}
	if s.RSSCap != 0 && s.RSSCap < MinRSSCap {
		bad("rss_cap", "must be at least %s when set; got %s", metric.FormatSize(MinRSSCap), metric.FormatSize(s.RSSCap))
	}
	if s.GOGC < GOGCOff {
		bad("gogc", "must be a positive percentage or \"off\"; got %d", s.GOGC)
	}
	if s.GOMEMLIMIT != 0 && s.RSSCap != 0 && s.GOMEMLIMIT >= s.RSSCap {
		bad("gomemlimit", "%s must be below rss_cap %s, or the child is killed before the runtime tries to hold its limit", metric.FormatSize(s.GOMEMLIMIT), metric.FormatSize(s.RSSCap))
	}
	if !s.Expect.Valid() {
		bad("expect", "invalid value %d (allowed: %s)", s.Expect, strings.Join(metric.ExpectNames(), ", "))
	}
	if len(s.Exec) > 0 && strings.TrimSpace(s.Exec[0]) == "" {
		bad("exec", "the program (the first word) must not be empty")
	}
	if len(s.Setup) > 0 && len(s.Exec) == 0 {
		bad("setup", "applies only beside exec")
	}
	if s.Expect == metric.ExpectLeak && len(s.Exec) == 0 && s.Builtin() && !s.Leaky() {
		bad("expect", "a leak is expected but the strategy %s retains nothing: set lifetime: reuse, recycle or pool, views: leaked or listeners: leaked (with allocator: go), or results: aliased with a cache", s.ResultsStrategy())
	}
	if s.InjectLeak > 0 && len(s.Exec) > 0 {
		bad("inject_leak", "an exec target can't inject a leak: its program runs instead of leakbench's child, which is what injects; calibrate a Go target (builtin, harness or targets/) instead")
	}
	for i, l := range s.Limits {
		if !l.Valid() {
			bad(fmt.Sprintf("limits[%d]", i), "not a parsed limit; build limits with ParseLimit")
		}
	}
	return errs
}
