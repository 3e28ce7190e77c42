// Package scenario reads leakbench scenarios: YAML files naming a target
// and its settings, a workload, the worker count, rounds, idle time,
// sampling interval, memory caps, what the run is expected to show and
// the absolute limits bench run and the gate check.
//
// The package owns the file format, its defaults and its validation. It
// knows no target: a program's Catalog gives its targets (whose Factory
// decodes and validates each scenario's settings, factory.Decode, once),
// its default target and the scenarios it ships. The values it reads
// belong to their types and are parsed by their own parsers: the
// workloads to internal/workload, expectations, limits and sizes to
// internal/metric. Running a scenario is internal/runner's job, judging
// its results bench run's and internal/gate's.
//
// Parsing is strict. Unknown keys, wrong types, unknown enum values, bad
// durations, sizes and limit expressions are all errors that carry
// file:line:column and name the field; every problem of a file is reported
// at once (an ErrorList), not just the first one: the first MaxErrors of
// them, then a count of the rest. A file over MaxFileBytes is refused
// unread, and Find checks that an images directory exists.
//
// # File format
//
//	name: leaky                  # required for shipped scenarios; defaults to the file's base name
//	description: keeps 10 MiB    # free text
//	target: mine                 # a target the program registered; default: the catalog's Default
//	options: {keep: 10}          # the target's settings, decoded strictly into its options type
//	workload: default            # default | quick | tiny
//	images: ~/photos             # optional: a directory of PNG/JPEG replacing the generated images
//	workers: 15                  # >= 1, or "auto" = max(1, NumCPU-1) (the default)
//	rounds: 3                    # >= 1, default 1
//	in_flight: 6                 # requests in flight, default 6
//	idle: 20s                    # idle phase after the load, default 0
//	interval: 100ms              # sampling interval, default 100ms, at least 10ms
//	rss_cap: 8GiB                # the parent kills the child above this; default none
//	gogc: 100                    # >= 1 or "off"; default: the runtime's
//	gomemlimit: 2GiB             # default none
//	expect: stable               # stable | leak (a control that must still leak)
//	limits:                      # absolute limits for the gate: "<metric> <op> <value>"
//	  - settled < 64MiB
//	  - slope < 8MiB/round
//	  - instances_peak <= 6
//	inject_leak: 256KiB          # calibration: the child retains this much more per request; default none
//
// The catalog's default target takes its settings as top-level keys (the
// keys of its options type, factory.Factory.Keys) instead of options: in
// leakbench's bench, the builtin engine's preset: fixed, topology:
// pipeline and the rest (docs/scenarios.md). They are gathered into one
// mapping that its Factory decodes and validates once, at load, as
// another target's options: mapping is; a setting added to the options
// type as a field with a yaml tag is a scenario key with no change here.
//
// An exec scenario replaces the target and its settings with exec:
// [program, args...] and an optional setup command; see exec.go.
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

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/workload"
)

// Defaults and bounds of the scenario fields.
const (
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
	File        string // where it was read from ("fixed.yaml" for a shipped one); "" if built in Go

	// Target names the engine under test: a target the program
	// registered (the catalog's Default when the file has no target
	// key); "" for an exec scenario without one.
	Target string
	// Options are the target's settings as the child is sent them: the
	// options: mapping, or for the default target its settings (its
	// top-level keys, decoded) encoded again; nil when there are none.
	Options *yaml.Node
	// Settings are Options decoded and validated by the target's Factory
	// (a value of its options type); nil when the catalog has no such
	// target, or for an exec scenario.
	Settings any

	// Exec is the command line of a program run as the measured child
	// instead of a target (see exec.go); nil when a target runs.
	// Setup, optional beside Exec, runs to completion before it.
	Exec  []string
	Setup []string

	Workload string // workload name: "default", "quick" or "tiny" (workload.Names)
	Images   string // optional directory of user images replacing the generated ones

	Workers    int            // worker count of the per-worker topology; 0 = auto, see ResolvedWorkers
	Rounds     int            // >= 1
	InFlight   int            // requests in flight, default 6
	Idle       time.Duration  // idle phase after the load
	Interval   time.Duration  // sampling interval, default 100ms, floor 10ms
	RSSCap     uint64         // bytes; 0 = none
	GOGC       int            // 0 = runtime default, GOGCOff (-1) = off, else the percentage
	GOMEMLIMIT uint64         // bytes; 0 = none
	Expect     metric.Expect  // metric.ExpectStable unless the file says "expect: leak"
	Limits     []metric.Limit // absolute limits, checked by bench run and the gate

	// InjectLeak is a known leak the child adds, for calibrating the gate:
	// bytes retained and touched after every request, reported as the
	// holder "injected" (internal/driver, inject.go), whatever the
	// target; 0 = none. An exec target can't inject: its program is not
	// leakbench's child.
	InjectLeak uint64

	// Set by the parser: where each field was, so that Validate can point
	// at the line, and whether the target is the catalog's default (its
	// settings top-level keys).
	pos        map[string]position
	defaultRun bool
}

type position struct{ line, col int }

// RunsDefault reports whether the scenario runs its catalog's default
// target, whose settings are top-level keys: a run of it records no
// target name in its summary (results.Summary.Target), only its settings.
func (s Scenario) RunsDefault() bool { return s.defaultRun && len(s.Exec) == 0 }

// ResolvedWorkers returns the worker count to run with: Workers, or for
// auto (0) max(1, NumCPU-1), like the original optimizer's cpus - 1.
func (s Scenario) ResolvedWorkers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return max(1, runtime.NumCPU()-1)
}

// ResultsStrategy is the strategy as a run records it in its summary
// before the child reports the one it ran, with the resolved worker
// count: the settings' own (results.Strategist), or
// only the worker count for settings without one and exec scenarios.
func (s Scenario) ResultsStrategy() results.Strategy {
	if st, ok := s.Settings.(results.Strategist); ok && len(s.Exec) == 0 {
		return st.ResultsStrategy(s.ResolvedWorkers())
	}
	return results.Strategy{Workers: s.ResolvedWorkers()}
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

// leaker is implemented by a target's settings that know whether they
// retain memory across requests, so that a scenario expecting a leak
// (expect: leak, a control the gate needs to see leak) is refused when
// its settings cannot: CanLeak returns false and what to set instead.
type leaker interface {
	CanLeak() (ok bool, hint string)
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+._-]*$`)

// Validate checks every field, the target's settings (their own
// Validate, target.Validator) included, and returns all problems found,
// each an *Error naming the field (and its line when the scenario was
// parsed). It returns nil for a valid scenario. Parse has run it: a
// Scenario built or changed in Go should be checked with it.
func (s Scenario) Validate() []error {
	var errs []error
	if v, ok := s.Settings.(target.Validator); ok && len(s.Exec) == 0 {
		under := "" // the default target's keys, and settings set in Go
		if _, ok := s.pos["options"]; ok {
			under = "options."
		}
		for _, err := range v.Validate() {
			var oe *factory.OptionError
			if errors.As(err, &oe) && oe.Field != "" {
				errs = append(errs, s.errorAt(under+oe.Field, oe.Msg))
			} else {
				errs = append(errs, s.errorAt(strings.TrimSuffix(under, "."), err.Error()))
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
	if l, ok := s.Settings.(leaker); ok && s.Expect == metric.ExpectLeak && len(s.Exec) == 0 {
		if can, hint := l.CanLeak(); !can {
			bad("expect", "a leak is expected but the strategy %s retains nothing: %s", s.ResultsStrategy(), hint)
		}
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
