package runner

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
)

// settledTarget is a test target, registered in the test child
// (TestMain), whose settings the child completes as it decodes them: a
// file that leaves out keep runs with keep 7. The parent never sees that
// default; only the child's report of its settings can put it in the
// summary.
const settledTarget = "settled-test"

type settledOptions struct {
	Keep int `yaml:"keep" json:"keep"`
}

// UnmarshalYAML decodes strictly, keep defaulting to 7.
func (o *settledOptions) UnmarshalYAML(n *yaml.Node) error {
	type plain settledOptions
	p := plain{Keep: 7}
	if errs := factory.Decode(n, &p); len(errs) > 0 {
		return errs[0]
	}
	*o = settledOptions(p)
	return nil
}

type nop struct{}

func (nop) Do(context.Context, target.Request) error { return nil }

func newSettled(context.Context, target.Config, settledOptions) (target.Target, error) {
	return nop{}, nil
}

// TestRun_SummaryRecordsTheChildsSettings: the summary's settings and
// strategy are what the child decoded and ran, not what the parent asked
// for: a default only the child applies is recorded, and the builtin's
// strategy is the child's report of it.
func TestRun_SummaryRecordsTheChildsSettings(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes")
	run := func(sc scenario.Scenario) results.Summary {
		t.Helper()
		opts := testOptions(t)
		r, err := Run(context.Background(), sc, opts)
		if err != nil || r.Summary.Outcome != results.OutcomeCompleted {
			log, _ := os.ReadFile(filepath.Join(opts.OutDir, ChildLog))
			t.Fatalf("Run: %v, outcome %s (%s); child log:\n%s", err, r.Summary.Outcome, r.Summary.Error, log)
		}
		if disk := readSummary(t, opts.OutDir); disk.Settings == nil {
			t.Errorf("summary.json has no settings")
		}
		return r.Summary
	}
	var node yaml.Node
	if err := yaml.Unmarshal([]byte("{}"), &node); err != nil {
		t.Fatal(err)
	}
	s := run(scenario.Scenario{Name: "settled", Target: settledTarget, Options: node.Content[0], Workload: "tiny",
		Workers: 1, Rounds: 1, InFlight: 1, Interval: 20 * time.Millisecond})
	if s.Settings["keep"] != float64(7) {
		t.Errorf("settings %v, want the child's default keep 7", s.Settings)
	}

	sc := testScenario(t, "fixed", "recycle-512", 1)
	s = run(sc)
	want := sc.ResultsStrategy()
	if !s.Strategy.Same(want) || s.Strategy.String() != want.String() || s.Settings["lifetime"] != "recycle" || s.Settings["recycle_after"] != float64(512) {
		t.Errorf("strategy %+v, settings %v; want %+v as the child reports it", s.Strategy, s.Settings, want)
	}
}
