package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/scenarios"
	"github.com/leakbench/leakbench/internal/factory"
)

type keepOptions struct {
	Keep int `yaml:"keep"`
}

// TestTargetChecks: a scenario's target must be registered and its
// options must decode into the target's type; bench run reports every
// problem at the file's line and column before anything runs.
func TestTargetChecks(t *testing.T) {
	c := newCLI(Program{Targets: factory.Targets{
		builtin.Name: factory.New(builtin.New),
		"keeper": factory.New(func(context.Context, target.Config, keepOptions) (target.Target, error) {
			t.Error("the factory ran in the parent")
			return nil, nil
		}),
	}, DefaultTarget: builtin.Name})
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"unknown.yaml", "workload: tiny\ntarget: nope\n", []string{
			`unknown.yaml:2:9: target: target "nope" is not registered in this program (registered: builtin, keeper)`,
		}},
		{"options.yaml", "workload: tiny\ntarget: keeper\noptions:\n  kep: 1\n  keep: many\n", []string{
			`options.yaml:4:3: options: unknown field "kep" (allowed: keep)`,
			`options.yaml:5:9: options.keep: must be an integer, got "many"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeScenario(t, dir, tc.name, tc.text)
			var out, errb bytes.Buffer
			code := c.run(t.Context(), []string{"run", "--quiet", "--out", filepath.Join(dir, "out"), path}, &out, &errb)
			if code != StatusError {
				t.Errorf("exit %d, want %d", code, StatusError)
			}
			for _, w := range tc.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
				t.Error("an output folder was made before the scenario was checked")
			}
		})
	}
	// A builtin scenario in the case study's program without the builtin
	// target.
	none := newCLI(Program{Targets: factory.Targets{}, DefaultTarget: builtin.Name, Scenarios: scenarios.FS})
	var out, errb bytes.Buffer
	if code := none.run(t.Context(), []string{"run", "--quiet", "quick-fixed"}, &out, &errb); code != StatusError ||
		!strings.Contains(errb.String(), `target: target "builtin" is not registered in this program (registered: none)`) {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	// A program built on harness has no builtin scenarios, and says so
	// under its own name.
	own := newCLI(Program{Name: "mine", Targets: factory.Targets{}})
	out.Reset()
	errb.Reset()
	if code := own.run(t.Context(), []string{"run", "--quiet", "quick-fixed"}, &out, &errb); code != StatusError ||
		!strings.Contains(errb.String(), `mine run: scenario: unknown scenario "quick-fixed" (this program ships no scenarios: give the path of a .yaml file)`) {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestProgramScenarios: a program's own scenarios replace the builtin
// ones: found by name, listed, and the gate's defaults.
func TestProgramScenarios(t *testing.T) {
	shipped := fstest.MapFS{
		"keep-two.yaml": {Data: []byte("name: keep-two\ndescription: Keeps two. More text.\nworkload: tiny\ntarget: keeper\noptions: {keep: 2}\n")},
	}
	c := newCLI(Program{
		Targets:   factory.Targets{"keeper": factory.New(func(context.Context, target.Config, keepOptions) (target.Target, error) { return nil, nil })},
		Scenarios: shipped,
		Gate:      []string{"keep-two"},
	})
	sc, err := c.find("keep-two")
	if err != nil || sc.Target != "keeper" {
		t.Fatalf("find(keep-two) = %+v, %v; want the program's scenario", sc, err)
	}
	if _, err := c.find("quick-fixed"); err == nil || !strings.Contains(err.Error(), "keep-two") {
		t.Errorf("find(quick-fixed) in a program with its own scenarios: %v; want unknown, naming keep-two", err)
	}
	var out, errb bytes.Buffer
	if code := c.doList(t.Context(), nil, &out, &errb); code != StatusOK || !strings.Contains(out.String(), "keep-two  tiny      keeper  auto") || strings.Contains(out.String(), "quick-fixed") || strings.Contains(out.String(), "TOPOLOGY") {
		t.Errorf("list: exit %d, stdout %q, stderr %q; want keep-two only, with its target and no builtin switch columns", code, out.String(), errb.String())
	}
	f, _, done := parseGateFlags("bench", nil, c.gate, &out, &errb)
	if done || len(f.Scenarios) != 1 || f.Scenarios[0] != "keep-two" {
		t.Errorf("gate without names runs %v, want [keep-two]", f.Scenarios)
	}
	if _, _, done := parseGateFlags("mine", nil, nil, &out, &errb); !done || !strings.Contains(errb.String(), "mine gate: no scenarios: name the scenarios to gate") {
		t.Errorf("gate without names nor defaults: %q", errb.String())
	}
}
