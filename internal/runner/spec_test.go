package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/scenario"
)

// TestResolve_BuiltinGetsItsKeysAsOptions: the builtin target's top-level
// keys reach it as options, decoded by its own factory like any target's,
// into the strategy and deadline the scenario says.
func TestResolve_BuiltinGetsItsKeysAsOptions(t *testing.T) {
	sc, err := benchCatalog.Parse("b.yaml", []byte("workload: tiny\npreset: fix1\nlisteners: removed\nop_timeout: 1m30s\nworkers: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	sp, _, err := resolve(sc)
	if err != nil {
		t.Fatal(err)
	}
	if sp.Target != builtin.Name || sp.Workers != 3 {
		t.Errorf("spec target %q, workers %d", sp.Target, sp.Workers)
	}
	var got builtin.Options
	f := factory.New(func(ctx context.Context, cfg target.Config, o builtin.Options) (target.Target, error) {
		got = o
		return nil, context.Canceled // no engine needed
	})
	if _, err := f.New(context.Background(), target.Config{}, sp.Options); err != context.Canceled {
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
	sc, err := scenario.Parse("o.yaml", []byte("workload: tiny\ntarget: mine\noptions:\n  keep: 4\n  sizes: [1, 2]\n"))
	if err != nil {
		t.Fatal(err)
	}
	sp, _, err := resolve(sc)
	if err != nil {
		t.Fatal(err)
	}
	if sp.Target != "mine" || !strings.Contains(sp.Options, "keep: 4") || strings.Contains(sp.Options, "topology") {
		t.Errorf("spec target %q, options %q", sp.Target, sp.Options)
	}
	var got struct {
		Keep  int   `yaml:"keep"`
		Sizes []int `yaml:"sizes"`
	}
	f := factory.New(func(ctx context.Context, cfg target.Config, o struct {
		Keep  int   `yaml:"keep"`
		Sizes []int `yaml:"sizes"`
	}) (target.Target, error) {
		got = o
		return nil, context.Canceled
	})
	if _, err := f.New(context.Background(), target.Config{}, sp.Options); err != context.Canceled || got.Keep != 4 || len(got.Sizes) != 2 {
		t.Errorf("decoded %+v, %v", got, err)
	}
	if run, err := Run(context.Background(), sc, Options{}); err == nil || run.Summary.Target != "mine" {
		t.Errorf("Run without an output directory: %v, target %q", err, run.Summary.Target)
	}
}
