package scenario

import (
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/metric"
)

func TestParse_Target(t *testing.T) {
	sc, err := Parse("t.yaml", []byte("target: tiny-wasm\noptions:\n  mib: 8\n  keep: 2\nworkers: 3\nexpect: leak\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Target != "tiny-wasm" || sc.Builtin() || sc.Options == nil || sc.Workers != 3 || sc.Expect != metric.ExpectLeak {
		t.Errorf("parsed %+v", sc)
	}
	if line, col := sc.OptionsAt(); line != 3 || col != 3 {
		t.Errorf("options at %d:%d, want 3:3", line, col)
	}
	if st := sc.ResultsStrategy(); st.Topology != "" || st.Workers != 3 || st.String() != "" {
		t.Errorf("a target's strategy %+v: want none but the workers", st)
	}

	def, err := Parse("t.yaml", []byte("preset: fixed\n"))
	if err != nil {
		t.Fatal(err)
	}
	if def.Target != DefaultTarget || !def.Builtin() || def.Options != nil {
		t.Errorf("default target %q, builtin %v, options %v", def.Target, def.Builtin(), def.Options)
	}
	e := sc.TargetError("options.keep", 4, 3, "too many")
	if got := e.Error(); got != "t.yaml:4:3: options.keep: too many" {
		t.Errorf("TargetError = %q", got)
	}
	if got := def.TargetError("target", 0, 0, "not here").Error(); got != "t.yaml: target: not here" {
		t.Errorf("TargetError without a position = %q", got)
	}
}

func TestParse_TargetErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"builtin keys for another target", "target: mine\npreset: fixed\nop_timeout: 1s\n", []string{
			`t.yaml:2:1: preset: applies to the builtin target only; the settings of target "mine" go under options:`,
			`t.yaml:3:1: op_timeout: applies to the builtin target only`,
		}},
		{"options for the builtin", "preset: fixed\noptions: {keep: 1}\n", []string{
			"t.yaml:2:1: options: the builtin target takes its settings as top-level keys (preset, topology, lifetime, views, listeners, recycle_after, pool_size, memory_limit, allocator, results, cache, malloc, op_timeout), not options",
		}},
		{"options not a mapping", "target: mine\noptions: [1]\n", []string{
			"t.yaml:2:10: options: must be a mapping of the target's settings, got a list",
		}},
		{"bad target name", "target: My Engine\n", []string{
			`t.yaml:1:9: target: "My Engine" must be a target's name`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.src))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}
