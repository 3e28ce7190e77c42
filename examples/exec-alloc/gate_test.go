//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestExecAlloc_Gate runs the memory gate on exec targets end to end,
// with bench and this program built here: a baseline of a stable and a
// leaky exec scenario, a pass against it, and a regression (exit 1,
// naming the metric) once the stable one keeps 8 MiB chunks instead of
// 64 KiB ones.
func TestExecAlloc_Gate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds bench and runs the gate")
	}
	dir := t.TempDir()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	alloc, bench := filepath.Join(dir, "exec-alloc"), filepath.Join(dir, "bench")
	for _, b := range [][2]string{{alloc, "."}, {bench, "github.com/leakbench/leakbench/cmd/bench"}} {
		if out, err := exec.Command(gobin, "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	write := func(name, chunk, extra string) string {
		p := filepath.Join(dir, name+".yaml")
		y := "name: " + name + "\nexec: [" + alloc + ", -chunk, " + chunk + "]\nworkload: tiny\nrounds: 3\nidle: 300ms\ninterval: 20ms\n" + extra
		if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stable := write("alloc-stable", "64KiB", "limits:\n  - settled < 16MiB\n")
	leaky := write("alloc-leaky", "16MiB", "expect: leak\n")
	base := filepath.Join(dir, "baseline.json")
	gate := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(bench, append([]string{"gate", "--runs", "2", "--baseline", base, "--out", filepath.Join(dir, "gate")}, args...)...)
		out, err := cmd.Output()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0, string(out)
		case errors.As(err, &exit):
			return exit.ExitCode(), string(out)
		}
		t.Fatalf("bench gate: %v", err)
		return 0, ""
	}
	if code, out := gate("--update-baseline", stable, leaky); code != 0 {
		t.Fatalf("baseline: exit %d\n%s", code, out)
	}
	if code, out := gate(stable, leaky); code != 0 || !strings.Contains(out, "alloc-leaky: PASS (leak control") {
		t.Fatalf("unchanged: exit %d\n%s", code, out)
	}
	write("alloc-stable", "8MiB", "limits:\n  - settled < 16MiB\n")
	code, out := gate(stable, leaky)
	t.Logf("regressed:\n%s", out)
	if code != 1 || !strings.Contains(out, "alloc-stable: REGRESSION") || !strings.Contains(out, "alloc-stable: settled: ") {
		t.Errorf("a stable exec target that now keeps 48 MiB: exit %d, want 1 naming settled", code)
	}
}
