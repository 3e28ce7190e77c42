package runner

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/driver"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/scenario"
)

// resolved parses the scenario file name of text src with parse (a
// catalog's Parse, or scenario.Parse) and resolves it into the child's
// spec, failing t on either's error.
func resolved(t *testing.T, parse func(string, []byte) (scenario.Scenario, error), name, src string) (scenario.Scenario, driver.Spec) {
	t.Helper()
	sc, err := parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sp, _, err := resolve(sc)
	if err != nil {
		t.Fatal(err)
	}
	return sc, sp
}

// decodeOptions decodes a spec's options into O as the child does with a
// target's factory (factory.New, then DecodeText), building nothing.
func decodeOptions[O any](options string) (O, error) {
	f := factory.New(func(context.Context, target.Config, O) (target.Target, error) {
		return nil, errors.New("no target needed")
	})
	v, err := f.DecodeText(options)
	if err != nil {
		var zero O
		return zero, err
	}
	return v.(O), nil
}

// TestResolve_BuiltinGetsItsKeysAsOptions: the builtin target's top-level
// keys reach it as options, decoded by its own factory like any target's,
// into the strategy and deadline the scenario says.
func TestResolve_BuiltinGetsItsKeysAsOptions(t *testing.T) {
	_, sp := resolved(t, benchCatalog.Parse, "b.yaml", "workload: tiny\npreset: fix1\nlisteners: removed\nop_timeout: 1m30s\nworkers: 3\n")
	if sp.Target != builtin.Name || sp.Workers != 3 {
		t.Errorf("spec target %q, workers %d", sp.Target, sp.Workers)
	}
	got, err := decodeOptions[builtin.Options](sp.Options)
	if err != nil {
		t.Fatalf("decoding %q: %v", sp.Options, err)
	}
	want, _ := engine.Preset("fix1")
	want.Listeners = engine.ListenersRemoved
	if got.Strategy != want || got.OpTimeout != 90*time.Second {
		t.Errorf("the builtin got %+v from %q, want %+v and 1m30s", got, sp.Options, want)
	}
}

// TestResolve_OtherTargetGetsItsOptions: another target's options mapping
// reaches the child as its YAML, with no builtin keys.
func TestResolve_OtherTargetGetsItsOptions(t *testing.T) {
	sc, sp := resolved(t, scenario.Parse, "o.yaml", "workload: tiny\ntarget: mine\noptions:\n  keep: 4\n  sizes: [1, 2]\n")
	if sp.Target != "mine" || !strings.Contains(sp.Options, "keep: 4") || strings.Contains(sp.Options, "topology") {
		t.Errorf("spec target %q, options %q", sp.Target, sp.Options)
	}
	got, err := decodeOptions[struct {
		Keep  int   `yaml:"keep"`
		Sizes []int `yaml:"sizes"`
	}](sp.Options)
	if err != nil || got.Keep != 4 || len(got.Sizes) != 2 {
		t.Errorf("decoded %+v, %v", got, err)
	}
	if run, err := Run(context.Background(), sc, Options{}); err == nil || run.Summary.Target != "mine" {
		t.Errorf("Run without an output directory: %v, target %q", err, run.Summary.Target)
	}
}
