package scenario

import (
	"strings"
	"testing"
)

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
