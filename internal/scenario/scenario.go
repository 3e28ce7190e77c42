// Package scenario reads leakbench scenarios: YAML files naming a workload,
// an engine strategy (a published preset and/or its four switches), the
// worker count, rounds, idle time, sampling interval, memory caps and the
// absolute limits the gate checks.
//
// Parsing is strict. Unknown keys, wrong types, unknown enum values, bad
// durations, sizes and limit expressions are all errors that carry
// file:line:column and name the field; every problem of a file is reported
// at once (an ErrorList), not just the first one.
//
// The defaults ship embedded (package scenarios); Builtin lists them and
// Find resolves a builtin name or a path to a user's file.
//
// # File format
//
//	name: fixed                  # required for builtins; defaults to the file's base name
//	description: all four fixes  # free text
//	workload: default            # default | quick | tiny
//	images: ~/photos             # optional: a directory of PNG/JPEG replacing the generated images
//	preset: fixed                # before | fix1 | fix1+2 | fixed
//	topology: pipeline           # per-worker | pipeline     (each switch overrides the preset;
//	lifetime: fresh              # reuse | fresh              without a preset all four are required)
//	views: cleared               # leaked | cleared
//	listeners: removed           # leaked | removed
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
package scenario

import (
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/idlegc"
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

// Expect says what a scenario is for.
type Expect uint8

// The expectations a scenario can declare.
const (
	ExpectStable Expect = iota // memory must stay within the limits and the baseline
	ExpectLeak                 // a leaky control: the harness must still see it leak
)

// String returns "stable" or "leak".
func (e Expect) String() string {
	switch e {
	case ExpectStable:
		return "stable"
	case ExpectLeak:
		return "leak"
	}
	return "expect(" + strconv.Itoa(int(e)) + ")"
}

// MarshalText returns String.
func (e Expect) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText parses "stable" or "leak".
func (e *Expect) UnmarshalText(b []byte) error {
	v, err := ParseExpect(string(b))
	if err == nil {
		*e = v
	}
	return err
}

// ParseExpect parses "stable" or "leak".
func ParseExpect(s string) (Expect, error) {
	switch s {
	case "stable":
		return ExpectStable, nil
	case "leak":
		return ExpectLeak, nil
	}
	return 0, fmt.Errorf("unknown value %q (allowed: stable, leak)", s)
}

// Scenario is one parsed, defaulted scenario. Parse and Load return it
// validated; a Scenario built in Go should be checked with Validate.
type Scenario struct {
	Name        string
	Description string
	File        string // where it was read from ("fixed.yaml" for builtins); "" if built in Go

	Workload string // workload name: "default", "quick" or "tiny" (workload.Names)
	Images   string // optional directory of user images replacing the generated ones

	Preset   string          // optional; "" when the switches were all given explicitly
	Strategy engine.Strategy // the preset with the file's switches applied

	Workers    int           // worker count of the per-worker topology; 0 = auto, see ResolvedWorkers
	Rounds     int           // >= 1
	InFlight   int           // requests in flight, default 6
	Idle       time.Duration // idle phase after the load
	IdleGC     idlegc.Mode   // what the idle phase does with memory; idlegc.Go (the zero value) unless the file says v8
	Interval   time.Duration // sampling interval, default 100ms, floor 10ms
	RSSCap     uint64        // bytes; 0 = none
	GOGC       int           // 0 = runtime default, GOGCOff (-1) = off, else the percentage
	GOMEMLIMIT uint64        // bytes; 0 = none
	OpTimeout  time.Duration // per codec operation; 0 = none. Setting it makes wasm calls interruptible, which costs 4-35x in codec speed (wazero 1.12)
	Expect     Expect        // ExpectStable unless the file says "expect: leak"
	Limits     []Limit       // absolute limits for the gate

	// Set by the parser: which switches the file overrode, and where each
	// field was, so that Validate can point at the line.
	overrides uint8
	pos       map[string]position
}

// Bits of Scenario.overrides.
const (
	overTopology uint8 = 1 << iota
	overLifetime
	overViews
	overListeners
	overAll = overTopology | overLifetime | overViews | overListeners
)

type position struct{ line, col int }

// ResolvedWorkers returns the worker count to run with: Workers, or for
// auto (0) max(1, NumCPU-1), like the original optimizer's cpus - 1.
func (s Scenario) ResolvedWorkers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return max(1, runtime.NumCPU()-1)
}

// StrategyName names the strategy for display: the preset's name when the
// switches match it, the preset plus the overridden switches otherwise
// ("fixed, listeners=leaked"), or the four switches without a preset.
func (s Scenario) StrategyName() string {
	if s.Preset == "" {
		return switches(s.Strategy, overAll)
	}
	p, ok := engine.Preset(s.Preset)
	if !ok {
		return s.Preset + "?"
	}
	var diff uint8
	if p.Topology != s.Strategy.Topology {
		diff |= overTopology
	}
	if p.Lifetime != s.Strategy.Lifetime {
		diff |= overLifetime
	}
	if p.Views != s.Strategy.Views {
		diff |= overViews
	}
	if p.Listeners != s.Strategy.Listeners {
		diff |= overListeners
	}
	if diff == 0 {
		return s.Preset
	}
	return s.Preset + ", " + switches(s.Strategy, diff)
}

func switches(st engine.Strategy, which uint8) string {
	var parts []string
	if which&overTopology != 0 {
		parts = append(parts, "topology="+st.Topology.String())
	}
	if which&overLifetime != 0 {
		parts = append(parts, "lifetime="+st.Lifetime.String())
	}
	if which&overViews != 0 {
		parts = append(parts, "views="+st.Views.String())
	}
	if which&overListeners != 0 {
		parts = append(parts, "listeners="+st.Listeners.String())
	}
	return strings.Join(parts, ", ")
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

// Leaky reports whether the strategy has at least one switch that retains
// memory across operations (reused instances, leaked views or leaked
// listeners). The topology alone only multiplies instances.
func (s Scenario) Leaky() bool {
	return s.Strategy.Lifetime == engine.Reuse || s.Strategy.Views == engine.ViewsLeaked || s.Strategy.Listeners == engine.ListenersLeaked
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+._-]*$`)

// Validate checks every field and returns all problems found, each an
// *Error naming the field (and its line when the scenario was parsed).
// It returns nil for a valid scenario.
func (s Scenario) Validate() []error {
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
	if names := workload.Names(); !contains(names, s.Workload) {
		bad("workload", "unknown workload %q (allowed: %s)", s.Workload, strings.Join(names, ", "))
	}
	if s.Preset != "" {
		if _, ok := engine.Preset(s.Preset); !ok {
			bad("preset", "unknown preset %q (allowed: %s)", s.Preset, strings.Join(engine.Presets(), ", "))
		} else if s.overrides == overAll {
			bad("preset", "preset %q conflicts with topology, lifetime, views and listeners, which override all of it: drop the preset or one of the switches", s.Preset)
		}
	}
	if s.Strategy.Topology > engine.Pipeline {
		bad("topology", "invalid value %d (allowed: %s)", s.Strategy.Topology, strings.Join(topologyNames(), ", "))
	}
	if s.Strategy.Lifetime > engine.Fresh {
		bad("lifetime", "invalid value %d (allowed: %s)", s.Strategy.Lifetime, strings.Join(lifetimeNames(), ", "))
	}
	if s.Strategy.Views > engine.ViewsCleared {
		bad("views", "invalid value %d (allowed: %s)", s.Strategy.Views, strings.Join(viewsNames(), ", "))
	}
	if s.Strategy.Listeners > engine.ListenersRemoved {
		bad("listeners", "invalid value %d (allowed: %s)", s.Strategy.Listeners, strings.Join(listenersNames(), ", "))
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
	if !s.IdleGC.Valid() {
		bad("idle_gc", "invalid value %d (allowed: %s)", s.IdleGC, strings.Join(idlegc.Names(), ", "))
	}
	if s.Interval < MinInterval {
		bad("interval", "must be at least %s (the sampling floor); got %s", MinInterval, s.Interval)
	}
	if s.RSSCap != 0 && s.RSSCap < MinRSSCap {
		bad("rss_cap", "must be at least %s when set; got %s", FormatSize(MinRSSCap), FormatSize(s.RSSCap))
	}
	if s.GOGC < GOGCOff {
		bad("gogc", "must be a positive percentage or \"off\"; got %d", s.GOGC)
	}
	if s.GOMEMLIMIT != 0 && s.RSSCap != 0 && s.GOMEMLIMIT >= s.RSSCap {
		bad("gomemlimit", "%s must be below rss_cap %s, or the child is killed before the runtime tries to hold its limit", FormatSize(s.GOMEMLIMIT), FormatSize(s.RSSCap))
	}
	if s.OpTimeout < 0 {
		bad("op_timeout", "must not be negative; got %s", s.OpTimeout)
	}
	if s.Expect > ExpectLeak {
		bad("expect", "invalid value %d (allowed: stable, leak)", s.Expect)
	}
	if s.Expect == ExpectLeak && !s.Leaky() {
		bad("expect", "a leak is expected but the strategy (%s) retains nothing: set lifetime: reuse, views: leaked or listeners: leaked", s.StrategyName())
	}
	for i, l := range s.Limits {
		if l.Op == nil || l.Metric.value == nil {
			bad(fmt.Sprintf("limits[%d]", i), "not a parsed limit; build limits with ParseLimit")
		}
	}
	return errs
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// The switch values, as written in files, from the engine's own constants.
func topologyNames() []string {
	return []string{engine.PerWorker.String(), engine.Pipeline.String()}
}
func lifetimeNames() []string { return []string{engine.Reuse.String(), engine.Fresh.String()} }
func viewsNames() []string {
	return []string{engine.ViewsLeaked.String(), engine.ViewsCleared.String()}
}
func listenersNames() []string {
	return []string{engine.ListenersLeaked.String(), engine.ListenersRemoved.String()}
}
