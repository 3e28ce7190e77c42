//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/childtest"
)

// TestExecAlloc_Gate runs the memory gate on exec targets end to end,
// with bench and this program built here: a baseline of a stable and a
// leaky exec scenario, a pass against it, and a regression (exit 1,
// naming the metric) once the stable one keeps 8 MiB chunks instead of
// 64 KiB ones.
func TestExecAlloc_Gate(t *testing.T) {
	childtest.RunsChildren(t, "builds bench and runs the gate")
	dir := t.TempDir()
	bins := built(t)
	alloc, bench := bins.alloc, bins.bench
	write := func(t *testing.T, dir, name, chunk, extra string) string {
		t.Helper()
		p := filepath.Join(dir, name+".yaml")
		y := "name: " + name + "\nexec: [" + alloc + ", -chunk, " + chunk + "]\nworkload: tiny\nrounds: 3\nidle: 300ms\ninterval: 20ms\n" + extra
		if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stable := write(t, dir, "alloc-stable", "64KiB", "limits:\n  - settled < 16MiB\n")
	leaky := write(t, dir, "alloc-leaky", "16MiB", "expect: leak\n")
	base := filepath.Join(dir, "baseline.json")
	gate := func(t *testing.T, args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(bench, append([]string{"gate", "--runs", "2", "--baseline", base, "--out", filepath.Join(t.TempDir(), "gate")}, args...)...)
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
	if code, out := gate(t, "--update-baseline", stable, leaky); code != 0 {
		t.Fatalf("baseline: exit %d\n%s", code, out)
	}
	// Against the baseline, the unchanged scenarios and the regressed
	// one (the same name in a folder of its own) are gated at once.
	t.Run("unchanged", func(t *testing.T) {
		t.Parallel()
		if code, out := gate(t, stable, leaky); code != 0 || !strings.Contains(out, "alloc-leaky: PASS (leak control") {
			t.Fatalf("unchanged: exit %d\n%s", code, out)
		}
	})
	t.Run("regressed", func(t *testing.T) {
		t.Parallel()
		regressed := write(t, t.TempDir(), "alloc-stable", "8MiB", "limits:\n  - settled < 16MiB\n")
		code, out := gate(t, regressed, leaky)
		t.Logf("regressed:\n%s", out)
		if code != 1 || !strings.Contains(out, "alloc-stable: REGRESSION") || !strings.Contains(out, "alloc-stable: settled: ") {
			t.Errorf("a stable exec target that now keeps 48 MiB: exit %d, want 1 naming settled", code)
		}
	})
}

// TestMain removes the programs the tests built (built) after them.
func TestMain(m *testing.M) {
	code := m.Run()
	builds.Remove()
	os.Exit(code)
}

// programs are this program and bench, as go build made them.
type programs struct{ alloc, bench string }

// builds holds the programs, built once for all the tests (built).
var builds = childtest.NewPrograms("exec-alloc-test-")

// built returns this program and bench, building both into a temporary
// folder on the first call; the tests share them and must not modify
// them.
func built(t *testing.T) programs {
	t.Helper()
	return programs{
		alloc: builds.Built(t, "exec-alloc", "."),
		bench: builds.Built(t, "bench", "github.com/leakbench/leakbench/cmd/bench"),
	}
}
