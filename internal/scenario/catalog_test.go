package scenario

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/factory"
)

// engineOptions are the settings of the test programs' default target,
// written as top-level keys (as bench's builtin engine's are): a preset
// and switches, a deadline, an idle model.
type engineOptions struct {
	Preset    string        `yaml:"preset"`
	Topology  string        `yaml:"topology"`
	Lifetime  string        `yaml:"lifetime"`
	Views     string        `yaml:"views"`
	Listeners string        `yaml:"listeners"`
	OpTimeout time.Duration `yaml:"op_timeout"`
	IdleGC    string        `yaml:"idle_gc"`
}

// Validate refuses a lifetime it does not know or lacks without a
// preset, and a negative deadline.
func (o engineOptions) Validate() []error {
	var errs []error
	if o.Preset == "" && o.Lifetime == "" {
		errs = append(errs, errors.New("lifetime: required when no preset is given"))
	}
	if lifetimes := []string{"reuse", "fresh", "pool", "recycle"}; o.Lifetime != "" && !slices.Contains(lifetimes, o.Lifetime) {
		errs = append(errs, fmt.Errorf("lifetime: unknown value %q (allowed: reuse, fresh, pool, recycle)", o.Lifetime))
	}
	if o.OpTimeout < 0 {
		errs = append(errs, errors.New("op_timeout: must not be negative"))
	}
	return errs
}

// CanLeak says a reused lifetime retains memory, and nothing else does.
func (o engineOptions) CanLeak() (bool, string) {
	return o.Lifetime == "reuse", "set lifetime: reuse"
}

// Description describes the preset "fixed" run as it is.
func (o engineOptions) Description() string {
	if o.Preset == "fixed" && o.Lifetime == "" {
		return "all fixes"
	}
	return ""
}

type keepOptions struct {
	Keep int `yaml:"keep"`
}

func (o keepOptions) Validate() []error {
	if o.Keep > 10 {
		return []error{errors.New("keep: at most 10")}
	}
	return nil
}

// noBuild is the build function of the test targets: they are only
// parsed.
func noBuild[O any](context.Context, target.Config, O) (target.Target, error) {
	return nil, errors.New("not built in this test")
}

// testCatalog is a program's catalog with a default target whose
// settings are top-level keys (engine) and another one (keeper).
var testCatalog = Catalog{
	Targets: factory.Targets{
		"engine": factory.New(noBuild[engineOptions]),
		"keeper": factory.New(noBuild[keepOptions]),
	},
	Default: "engine",
}
