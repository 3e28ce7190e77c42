package scenario

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/metric"
)

func TestParse_Target(t *testing.T) {
	sc, err := Parse("t.yaml", []byte("target: tiny-wasm\noptions:\n  mib: 8\n  keep: 2\nworkers: 3\nexpect: leak\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Target != "tiny-wasm" || sc.RunsDefault() || sc.Options == nil || sc.Settings != nil || sc.Workers != 3 || sc.Expect != metric.ExpectLeak {
		t.Errorf("parsed %+v", sc)
	}
	if sc.Options.Line != 3 || sc.Options.Column != 3 {
		t.Errorf("options at %d:%d, want 3:3", sc.Options.Line, sc.Options.Column)
	}
	if st := sc.ResultsStrategy(); len(st.Switches) != 0 || st.Workers != 3 || st.String() != "" {
		t.Errorf("a target's strategy %+v: want none but the workers", st)
	}

	def, err := testCatalog.Parse("t.yaml", []byte("preset: fixed\n"))
	if err != nil {
		t.Fatal(err)
	}
	if def.Target != "engine" || !def.RunsDefault() || def.Settings != (engineOptions{Preset: "fixed"}) || def.Description != "all fixes" {
		t.Errorf("default target %q, runs default %v, settings %+v, description %q", def.Target, def.RunsDefault(), def.Settings, def.Description)
	}
	if b, err := yaml.Marshal(def.Options); err != nil || !strings.Contains(string(b), "preset: fixed\n") {
		t.Errorf("options sent %q, %v", b, err)
	}

	if _, err := Parse("t.yaml", []byte("workload: tiny\n")); err == nil || !strings.Contains(err.Error(), "t.yaml:1:1: target: required") {
		t.Errorf("no target and no default: %v", err)
	}
}

func TestParse_TargetErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"default keys for another target", "target: keeper\npreset: fixed\nop_timeout: 1s\n", []string{
			`t.yaml:2:1: preset: applies to the default target engine only; the settings of target "keeper" go under options:`,
			`t.yaml:3:1: op_timeout: applies to the default target engine only`,
		}},
		{"options for the default target", "preset: fixed\noptions: {keep: 1}\n", []string{
			"t.yaml:2:1: options: the default target engine takes its settings as top-level keys (preset, topology, lifetime, views, listeners, op_timeout, idle_gc), not options",
		}},
		{"options not a mapping", "target: keeper\noptions: [1]\n", []string{
			"t.yaml:2:10: options: must be a mapping of the target's settings, got a list",
		}},
		{"bad target name", "target: My Engine\n", []string{
			`t.yaml:1:9: target: "My Engine" must be a target's name`,
		}},
		{"a leak the settings can't have", "lifetime: fresh\nexpect: leak\n", []string{
			`t.yaml:2:9: expect: a leak is expected but the strategy  retains nothing: set lifetime: reuse`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testCatalog.Parse("t.yaml", []byte(tc.src))
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

// TestCatalog_Targets: the target must be one of the catalog's and its
// options are decoded and validated by its Factory, their problems
// reported with the file's own, in one pass.
func TestCatalog_Targets(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"all problems at once", "target: keeper\nroundz: 1\noptions:\n  kep: 1\n  keep: many\nrounds: 0\n",
			"t.yaml:2:1: unknown field \"roundz\" (allowed: " + strings.Join(testCatalog.Fields(), ", ") + ")" +
				"\nt.yaml:4:3: options: unknown field \"kep\" (allowed: keep)" +
				"\nt.yaml:5:9: options.keep: must be an integer, got \"many\"" +
				"\nt.yaml:6:9: rounds: must be between 1 and 100000; got 0"},
		{"Validate at its key", "target: keeper\noptions:\n  keep: 11\n", "t.yaml:3:9: options.keep: at most 10"},
		{"not registered", "target: nope\n", `t.yaml:1:9: target: target "nope" is not registered in this program (registered: engine, keeper)`},
		{"the default target's keys and a top-level problem", "preset: fixed\nlifetime: forever\nworkers: 0\n",
			"t.yaml:2:11: lifetime: unknown value \"forever\" (allowed: reuse, fresh, pool, recycle)" +
				"\nt.yaml:3:10: workers: must be a positive integer or \"auto\", got 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testCatalog.Parse("t.yaml", []byte(tc.src))
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n%v\nwant\n%s", err, tc.want)
			}
		})
	}
	sc, err := testCatalog.Parse("t.yaml", []byte("target: keeper\noptions: {keep: 3}\n"))
	if err != nil || sc.Target != "keeper" || sc.Settings != (keepOptions{Keep: 3}) {
		t.Errorf("a valid scenario: %v, settings %+v", err, sc.Settings)
	}
	if _, err := (Catalog{Targets: factory.Targets{}, Default: "engine"}).Parse("t.yaml", []byte("workload: tiny\n")); err == nil ||
		!strings.Contains(err.Error(), `t.yaml: target: target "engine" is not registered in this program (registered: none)`) {
		t.Errorf("a default target the program lacks: %v", err)
	}
}

// TestCatalog_WithAndSet: settings changed in Go are sent as their YAML
// and checked by the target's Factory; Set changes some keys over them.
func TestCatalog_WithAndSet(t *testing.T) {
	sc, err := testCatalog.Parse("t.yaml", []byte("preset: fixed\nworkload: tiny\n"))
	if err != nil {
		t.Fatal(err)
	}
	with, err := testCatalog.With(sc, engineOptions{Preset: "fixed", Lifetime: "reuse"})
	if err != nil || with.Settings.(engineOptions).Lifetime != "reuse" {
		t.Fatalf("With: %v, settings %+v", err, with.Settings)
	}
	if _, err := testCatalog.With(sc, engineOptions{Lifetime: "forever"}); err == nil || !strings.Contains(err.Error(), `unknown value "forever"`) {
		t.Errorf("With refused settings: %v", err)
	}
	set, err := testCatalog.Set(with, map[string]string{"lifetime": "fresh", "views": "leaked"})
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Settings.(engineOptions); got != (engineOptions{Preset: "fixed", Lifetime: "fresh", Views: "leaked"}) {
		t.Errorf("Set: %+v", got)
	}
	if _, err := testCatalog.Set(with, map[string]string{"lifetme": "fresh"}); err == nil || !strings.Contains(err.Error(), `unknown field "lifetme"`) {
		t.Errorf("Set of an unknown key: %v", err)
	}
}

func TestParse_Exec(t *testing.T) {
	sc, err := testCatalog.Parse("svc.yaml", []byte("exec: [node, bench.js, \"${LEAKBENCH_CACHE}/x\"]\nsetup: [./install.sh, \"1.0\"]\nworkload: tiny\nworkers: 15\nexpect: leak\n"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sc.Exec, " ") != "node bench.js ${LEAKBENCH_CACHE}/x" || strings.Join(sc.Setup, " ") != "./install.sh 1.0" || sc.Name != "svc" || sc.Workers != 15 {
		t.Errorf("parsed %+v", sc)
	}
}

func TestParse_ExecErrors(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"with a preset", "exec: [node, a.js]\npreset: fixed\n",
			"svc.yaml:2:1: preset: exec and preset are mutually exclusive: exec (line 1) runs its own program, preset sets a target; drop one of them"},
		{"with a switch", "lifetime: fresh\nexec: [node]\n",
			"svc.yaml:1:1: lifetime: exec and lifetime are mutually exclusive: exec (line 2)"},
		{"with a target", "exec: [node]\ntarget: mine\n",
			"svc.yaml:2:1: target: exec and target are mutually exclusive"},
		{"with op_timeout", "exec: [node]\nop_timeout: 1s\n",
			"op_timeout: exec and op_timeout are mutually exclusive"},
		{"with idle_gc", "exec: [node]\nidle_gc: v8\n",
			"idle_gc: exec and idle_gc are mutually exclusive"},
		{"with options", "exec: [node]\noptions: {a: 1}\n",
			"options: exec and options are mutually exclusive"},
		{"not a list", "exec: node a.js\n",
			`svc.yaml:1:7: exec: must be a list: the program and its arguments, such as [node, bench.js], got "node a.js"`},
		{"empty list", "exec: []\n", "exec: must be a list"},
		{"empty program", "exec: [\"\", a]\n", "exec: the program (the first word) must not be empty"},
		{"not strings", "exec: [node, {a: 1}]\n", "exec[1]: must be a string, got a mapping"},
		{"setup alone", "preset: fixed\nsetup: [x]\n", "svc.yaml:2:1: setup: applies only beside exec"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := testCatalog.Parse("svc.yaml", []byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, c.want)
			}
		})
	}
}

// TestParse_InjectLeak reads the calibration's known leak per request,
// refuses a bad size at its line, and refuses it beside exec, whose
// program is not the child that injects.
func TestParse_InjectLeak(t *testing.T) {
	sc, err := testCatalog.Parse("inj.yaml", []byte("preset: fixed\nworkload: tiny\ninject_leak: 256KiB\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.InjectLeak != 256<<10 {
		t.Errorf("InjectLeak %d, want %d", sc.InjectLeak, 256<<10)
	}
	if sc, err := testCatalog.Parse("none.yaml", []byte("preset: fixed\n")); err != nil || sc.InjectLeak != 0 {
		t.Errorf("without the key: InjectLeak %d, %v; want 0", sc.InjectLeak, err)
	}
	for _, c := range []struct{ name, yaml, want string }{
		{"bad size", "preset: fixed\ninject_leak: lots\n", "inj.yaml:2:14: inject_leak:"},
		{"exec", "exec: [./server]\ninject_leak: 1MiB\n", "inj.yaml:2:14: inject_leak: an exec target can't inject a leak"},
	} {
		_, err := testCatalog.Parse("inj.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}
