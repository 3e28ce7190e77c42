package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
)

// The protocol between parent and child.
//
// The parent starts the child with the child subcommand and writes one JSON
// line to its stdin: the spec, the scenario resolved to what the child
// needs. The child writes its events as JSON lines (results.Event) to file
// descriptor 3 (cmd.ExtraFiles), never to stdout or stderr, so a stray
// print can't corrupt the stream. Each phase event is a barrier: the child
// waits until the parent has sampled its RSS and written one line back on
// stdin (or until barrierTimeout passes, or stdin closes), so the parent
// samples every phase at its very end: the baseline is taken with the
// workload loaded and nothing in flight, and the figure after settle while
// the child is still alive.

// ChildCommand is the hidden subcommand of cmd/bench that runs a child.
const ChildCommand = "__child"

// eventsFD is the child's file descriptor of the event stream: the first
// of cmd.ExtraFiles.
const eventsFD = 3

// barrierTimeout bounds how long a child waits for the parent's
// acknowledgement of a phase event.
const barrierTimeout = 5 * time.Second

// ChildLog is the file in a run's directory that receives the child's
// stdout and stderr: normally empty, a panic's stack trace after a crash.
const ChildLog = "child.log"

// spec is the resolved scenario the parent hands the child.
type spec struct {
	Scenario  string          `json:"scenario"`
	Workload  string          `json:"workload"`
	Images    string          `json:"images,omitempty"`
	Strategy  engine.Strategy `json:"strategy"`
	Workers   int             `json:"workers"`
	Rounds    int             `json:"rounds"`
	InFlight  int             `json:"in_flight"`
	Idle      time.Duration   `json:"idle"`
	Interval  time.Duration   `json:"interval"`
	OpTimeout time.Duration   `json:"op_timeout"`
	CacheDir  string          `json:"cache_dir,omitempty"` // leakbench's cache root; "" = no disk cache
}

// DefaultTimeout is the wall-clock limit of a run unless Options say
// otherwise: generous, since the default workload's four stages take
// minutes on a small machine.
const DefaultTimeout = 30 * time.Minute

// resolve turns a scenario into the child's spec, with the warnings of
// what it had to change.
func resolve(sc scenario.Scenario) (spec, []string) {
	var warns []string
	sp := spec{
		Scenario:  sc.Name,
		Workload:  sc.Workload,
		Images:    sc.Images,
		Strategy:  sc.Strategy,
		Workers:   sc.ResolvedWorkers(),
		Rounds:    max(sc.Rounds, 1),
		InFlight:  sc.InFlight,
		Idle:      sc.Idle,
		Interval:  sc.Interval,
		OpTimeout: sc.OpTimeout,
		CacheDir:  cacheRoot(),
	}
	if sp.InFlight <= 0 {
		sp.InFlight = scenario.DefaultInFlight
	}
	switch {
	case sp.Interval == 0:
		sp.Interval = scenario.DefaultInterval
	case sp.Interval < scenario.MinInterval:
		warns = append(warns, fmt.Sprintf("interval %v clamped to the floor of %v", sp.Interval, scenario.MinInterval))
		sp.Interval = scenario.MinInterval
	}
	return sp, warns
}

// cacheRoot is leakbench's directory under the user's cache directory, or
// "" when there is none.
func cacheRoot() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "leakbench")
}

// childEnv returns the environment of a child: the parent's, with GOGC and
// GOMEMLIMIT set from the scenario or removed when it leaves them at the
// runtime default, so that the recorded Env says what the child ran with.
func childEnv(base []string, sc scenario.Scenario) []string {
	env := make([]string, 0, len(base)+2)
	for _, kv := range base {
		if strings.HasPrefix(kv, "GOGC=") || strings.HasPrefix(kv, "GOMEMLIMIT=") {
			continue
		}
		env = append(env, kv)
	}
	if v := sc.GOGCEnv(); v != "" {
		env = append(env, "GOGC="+v)
	}
	if v := sc.GOMEMLIMITEnv(); v != "" {
		env = append(env, "GOMEMLIMIT="+v)
	}
	return env
}

// Environment describes this process and its machine, with the given GOGC
// and GOMEMLIMIT settings. Parent and child are the same binary, so the
// parent's Environment describes its children too.
func Environment(gogc, gomemlimit string) results.Env {
	env := results.Env{
		GoVersion:     runtime.Version(),
		WazeroVersion: "unknown",
		GOOS:          runtime.GOOS,
		GOARCH:        runtime.GOARCH,
		CPUs:          runtime.NumCPU(),
		GOGC:          gogc,
		GOMEMLIMIT:    gomemlimit,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/tetratelabs/wazero" {
				env.WazeroVersion = d.Version
				if d.Replace != nil {
					env.WazeroVersion += " => " + d.Replace.Path + " " + d.Replace.Version
				}
			}
		}
	}
	env.Hostname, _ = os.Hostname()
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		env.Kernel = strings.TrimSpace(string(b))
	}
	return env
}

// readSpec reads the spec line from the child's stdin.
func readSpec(in *bufio.Reader) (spec, error) {
	line, err := in.ReadBytes('\n')
	if err != nil && (err != io.EOF || len(line) == 0) {
		return spec{}, fmt.Errorf("reading the spec from stdin: %w", err)
	}
	var sp spec
	if err := json.Unmarshal(line, &sp); err != nil {
		return spec{}, fmt.Errorf("decoding the spec from stdin: %w", err)
	}
	if sp.Rounds < 1 || sp.InFlight < 1 || sp.Interval < scenario.MinInterval {
		return spec{}, fmt.Errorf("spec: rounds %d, in-flight %d, interval %v: want >= 1, >= 1, >= %v",
			sp.Rounds, sp.InFlight, sp.Interval, scenario.MinInterval)
	}
	return sp, nil
}
