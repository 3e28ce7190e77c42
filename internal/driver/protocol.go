package driver

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/workload"
)

// The protocol between the parent (package runner) and the child (this
// package).
//
// The parent starts the child and writes one JSON line to its stdin: the
// Spec, the scenario resolved to what the child needs (EncodeSpec). The
// child writes its events as JSON lines (results.Event) to file descriptor
// 3, the first of the parent's cmd.ExtraFiles, never to stdout or stderr,
// so a stray print can't corrupt the stream. Each phase event is a
// barrier: the child waits until the parent has sampled its RSS and
// written AckLine back on stdin (or until barrierTimeout passes, or stdin
// closes), so the parent samples every phase at its very end: the baseline
// is taken with the workload loaded and nothing in flight, and the figure
// after settle while the child is still alive.

// eventsFD is the child's file descriptor of the event stream: the first
// of the parent's cmd.ExtraFiles.
const eventsFD = 3

// AckLine is what the parent writes on the child's stdin to let it past a
// phase barrier.
const AckLine = "\n"

// barrierTimeout bounds how long a child waits for the parent's
// acknowledgement of a phase event.
const barrierTimeout = 5 * time.Second

// Spec is the resolved scenario the parent hands the child: every default
// applied, every value within its bounds.
type Spec struct {
	Scenario string        `json:"scenario"`
	Workload string        `json:"workload"`
	Target   string        `json:"target"`            // the registered target to run
	Options  string        `json:"options,omitempty"` // its options, YAML text; "" = none
	Workers  int           `json:"workers"`
	Rounds   int           `json:"rounds"`
	InFlight int           `json:"in_flight"`
	Idle     time.Duration `json:"idle"`
	Interval time.Duration `json:"interval"`            // of the child's snapshots
	CacheDir string        `json:"cache_dir,omitempty"` // leakbench's cache root; "" = no disk cache
	// ProfileDir is where the child writes its pprof profiles (the run's
	// directory, see profiles.go); "" = none.
	ProfileDir string `json:"profile_dir,omitempty"`

	// InjectLeak is the known leak of a calibration: bytes the child
	// retains, touched, after every request, whatever the target
	// (inject.go); 0 injects nothing.
	InjectLeak uint64 `json:"inject_leak,omitempty"`

	// Sources and Requests are the workload as the parent prepared and
	// verified it (runner.Workloads): the child re-checks each source's
	// size and modification time (workload.Source.Check), never its
	// contents, and generates nothing.
	Sources  []workload.Source  `json:"sources"`
	Requests []workload.Request `json:"requests"`
}

// EncodeSpec returns the spec as the line the parent writes first on the
// child's stdin.
func EncodeSpec(sp Spec) ([]byte, error) {
	b, err := json.Marshal(sp)
	if err != nil {
		return nil, fmt.Errorf("encoding the spec: %w", err)
	}
	return append(b, '\n'), nil
}

// readSpec reads the spec line from the child's stdin.
func readSpec(in *bufio.Reader) (Spec, error) {
	line, err := in.ReadBytes('\n')
	if err != nil && (err != io.EOF || len(line) == 0) {
		return Spec{}, fmt.Errorf("reading the spec from stdin: %w", err)
	}
	var sp Spec
	if err := json.Unmarshal(line, &sp); err != nil {
		return Spec{}, fmt.Errorf("decoding the spec from stdin: %w", err)
	}
	if len(sp.Sources) == 0 || len(sp.Requests) == 0 {
		return Spec{}, fmt.Errorf("spec: workload %q has %d verified sources and %d requests: the parent prepares the workload and must send both",
			sp.Workload, len(sp.Sources), len(sp.Requests))
	}
	if sp.Rounds < 1 || sp.InFlight < 1 || sp.Interval <= 0 {
		return Spec{}, fmt.Errorf("spec: rounds %d, in-flight %d, interval %v: want >= 1, >= 1, > 0",
			sp.Rounds, sp.InFlight, sp.Interval)
	}
	return sp, nil
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
