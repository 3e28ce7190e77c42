package scenario

import (
	"strings"
	"testing"
)

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
