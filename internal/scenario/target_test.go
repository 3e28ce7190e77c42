package scenario

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/builtin"
	"github.com/leakbench/leakbench/internal/target"

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
	if sc.Options.Line != 3 || sc.Options.Column != 3 {
		t.Errorf("options at %d:%d, want 3:3", sc.Options.Line, sc.Options.Column)
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
			"t.yaml:2:1: options: the builtin target takes its settings as top-level keys (" + strings.Join(builtin.Fields(), ", ") + "), not options",
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

type keepOptions struct {
	Keep int `yaml:"keep"`
}

func (o keepOptions) Validate() []error {
	if o.Keep > 10 {
		return []error{errors.New("keep: at most 10")}
	}
	return nil
}

// TestParseFor_Targets: with the program's targets, the target must be
// one of them and its options are decoded and validated by its Factory,
// their problems reported with the file's own, in one pass.
func TestParseFor_Targets(t *testing.T) {
	targets := target.Targets{
		"keeper":      target.NewFactory(func(context.Context, target.Config, keepOptions) (target.Target, error) { return nil, nil }),
		DefaultTarget: builtin.Factory(),
	}
	for _, tc := range []struct{ name, src, want string }{
		{"all problems at once", "target: keeper\nroundz: 1\noptions:\n  kep: 1\n  keep: many\nrounds: 0\n",
			"t.yaml:2:1: unknown field \"roundz\" (allowed: " + strings.Join(Fields(), ", ") + ")" +
				"\nt.yaml:4:3: options: unknown field \"kep\" (allowed: keep)" +
				"\nt.yaml:5:9: options.keep: must be an integer, got \"many\"" +
				"\nt.yaml:6:9: rounds: must be between 1 and 100000; got 0"},
		{"Validate at its key", "target: keeper\noptions:\n  keep: 11\n", "t.yaml:3:9: options.keep: at most 10"},
		{"not registered", "target: nope\n", `t.yaml:1:9: target: target "nope" is not registered in this program (registered: builtin, keeper)`},
		{"the builtin's keys and a top-level problem", "preset: fixed\nlifetime: forever\nworkers: 0\n",
			"t.yaml:2:11: lifetime: unknown value \"forever\" (allowed: reuse, fresh, pool, recycle)" +
				"\nt.yaml:3:10: workers: must be a positive integer or \"auto\", got 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFor("t.yaml", []byte(tc.src), targets)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n%v\nwant\n%s", err, tc.want)
			}
		})
	}
	sc, err := ParseFor("t.yaml", []byte("target: keeper\noptions: {keep: 3}\n"), targets)
	if err != nil || sc.Target != "keeper" {
		t.Errorf("a valid scenario: %v", err)
	}
	if _, err := ParseFor("t.yaml", []byte("preset: fixed\n"), target.Targets{}); err == nil ||
		!strings.Contains(err.Error(), `t.yaml: target: target "builtin" is not registered in this program (registered: none)`) {
		t.Errorf("the builtin in a program without it: %v", err)
	}
}
