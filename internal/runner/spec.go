package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/driver"
	"github.com/leakbench/leakbench/internal/scenario"
)

// ChildCommand is the hidden subcommand of cmd/bench that runs a child
// (driver.Child): the parent starts this executable with it.
const ChildCommand = "__child"

// ChildLog is the file in a run's directory that receives the child's
// stdout and stderr: normally empty, a panic's stack trace after a crash.
const ChildLog = "child.log"

// DefaultTimeout is the wall-clock limit of a run unless Options say
// otherwise: generous, since the default workload's four stages take
// minutes on a small machine.
const DefaultTimeout = 30 * time.Minute

// resolve turns a scenario into the child's spec, with the warnings of
// what it had to change: the scenario's defaults and floors are applied
// here, so the driver never needs to know them. The target's settings go
// to the child as YAML text (scenario.Scenario.Options: the options
// mapping, or the default target's settings as its keys resolved them),
// decoded and validated there by the target's Factory.
func resolve(sc scenario.Scenario) (driver.Spec, []string, error) {
	var warns []string
	sp := driver.Spec{
		Scenario: sc.Name,
		Workload: sc.Workload,
		Target:   sc.Target,
		Workers:  sc.ResolvedWorkers(),
		Rounds:   max(sc.Rounds, 1),
		InFlight: sc.InFlight,
		Idle:     sc.Idle,
		Interval: sc.Interval,
		CacheDir: cacheRoot(),

		InjectLeak: sc.InjectLeak,
	}
	if sc.Options != nil && len(sc.Exec) == 0 {
		b, err := yaml.Marshal(sc.Options)
		if err != nil {
			return sp, warns, fmt.Errorf("runner: encoding the options of target %s: %w", sp.Target, err)
		}
		sp.Options = string(b)
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
	return sp, warns, nil
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
