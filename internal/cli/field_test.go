package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/results"
)

// TestRun_FieldPattern runs the pool-unclosed pattern through bench run
// and real child processes on the tiny workload, and checks that what the
// pool dropped is in summary.json by holder after the settle step, with
// its instances counted, and that its limits were judged on it. (The
// tiny workload's dropped instances, a few MiB, are below the noise floor
// of expect: leak; the quick twin expects the leak.)
func TestRun_FieldPattern(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes")
	dir := t.TempDir()
	file := writeScenario(t, dir, "tiny-pool-unclosed.yaml", "name: tiny-pool-unclosed\nworkload: tiny\npreset: pool-unclosed\nrounds: 2\nin_flight: 2\nidle: 100ms\ninterval: 20ms\n"+
		"limits:\n  - leaked_after_settle > 0MiB\n  - errors <= 0\n")
	out := filepath.Join(dir, "out")
	code, stdout, stderr := bench(t, "run", "--quiet", "--out", out, file)
	if code != StatusOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if want := "tiny-pool-unclosed · pool-unclosed (pipeline, pool, views cleared, listeners removed): completed"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	s, err := results.ReadSummary(filepath.Join(out, "tiny-pool-unclosed"))
	if err != nil {
		t.Fatal(err)
	}
	pool := s.HeldAfterSettle[engine.HolderPool]
	if pool.Bytes == 0 || pool.Refs == 0 {
		t.Fatalf("held after settle %v: want the instances the pool dropped", s.HeldAfterSettle)
	}
	var sum uint64
	for _, h := range s.HeldAfterSettle {
		sum += h.Bytes
	}
	if sum != s.LeakedAfterSettle {
		t.Errorf("holders sum to %d, leaked_after_settle is %d", sum, s.LeakedAfterSettle)
	}
	// Dropped, not closed: they are no longer counted live, and every one
	// of them was created by the engine.
	if pool.Refs > s.Instances.Created || s.Strategy.Switch("lifetime") != "pool" {
		t.Errorf("%d dropped of %d created; strategy %+v", pool.Refs, s.Instances.Created, s.Strategy)
	}
}

// TestRun_FieldRefusal checks that a combination the engine refuses stops
// bench run before any child, with exit 2 and both settings named.
func TestRun_FieldRefusal(t *testing.T) {
	dir := t.TempDir()
	file := writeScenario(t, dir, "bad.yaml", "workload: tiny\npreset: aliased-cache\nallocator: mmap\n")
	code, _, stderr := bench(t, "run", "--out", filepath.Join(dir, "out"), file)
	if code != StatusError || !strings.Contains(stderr, file+":3:12: allocator: results: aliased with allocator: mmap") {
		t.Errorf("exit %d, stderr %q; want %d and the refusal at line 3 naming both settings", code, stderr, StatusError)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("a refused scenario still created the output folder")
	}
}
