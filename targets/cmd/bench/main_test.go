package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/childtest"
	leakgate "github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/targets/internal/perimage"
)

// programs are the builds of this program the tests run (without build
// flags, and with -tags nodynamic), each built once.
var programs = childtest.NewPrograms("bench-test-")

// benchBin is this program, built once by TestMain (without build
// flags): the tests run it as a user would, its own child processes
// included.
var benchBin string

func TestMain(m *testing.M) {
	var err error
	benchBin, err = programs.Build("bench", ".")
	code := 2
	if err == nil {
		code = m.Run()
	} else {
		println(err.Error())
	}
	programs.Remove()
	os.Exit(code)
}

// runsChildren skips t under -short, runs it in parallel with the other
// tests that run child processes, and returns a temporary directory for it.
func runsChildren(t *testing.T) string {
	t.Helper()
	childtest.RunsChildren(t, "runs child processes")
	return t.TempDir()
}

// TestRefusesSharedLibraries: when a library finds its system shared
// library (here libheif.so, made findable through LD_LIBRARY_PATH), the
// program refuses to start, naming the library and the build tag; built
// with -tags nodynamic it runs under wazero whatever is installed.
func TestRefusesSharedLibraries(t *testing.T) {
	var lib string
	for _, dir := range []string{"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"} {
		if m, _ := filepath.Glob(filepath.Join(dir, "libheif.so.1*")); len(m) > 0 {
			lib = m[0]
			break
		}
	}
	if lib == "" {
		t.Skip("no system libheif.so.1 to offer the heic library")
	}
	dir := t.TempDir()
	if err := os.Symlink(lib, filepath.Join(dir, "libheif.so")); err != nil {
		t.Fatal(err)
	}
	env := []string{"LD_LIBRARY_PATH=" + dir}
	code, out := childtest.Run(t, env, benchBin, "list")
	if code != 2 || !strings.Contains(out, "github.com/gen2brain/heic") || !strings.Contains(out, "-tags nodynamic") {
		t.Errorf("with %s findable: exit %d, output %q; want 2 and an error naming heic and -tags nodynamic", lib, code, out)
	}
	nodynamic := programs.Built(t, "bench-nodynamic", ".", "-tags", "nodynamic")
	if code, out := childtest.Run(t, env, nodynamic, "list"); code != 0 || !strings.Contains(out, "heic-decode-keep") {
		t.Errorf("built with -tags nodynamic: exit %d, output %q; want the scenario list", code, out)
	}
}

// TestHarnessMeasuresRetention runs the gate's two avif scenarios and a
// copy-out variant of the leaky one through the program (tiny workload, a
// child process each) and checks what the harness measured per kept
// image: the RSS after settle it retains is its decoder instance's
// Memory().Size() within 20% and the target's own account of the array
// behind that memory within 20%; copied out, a kept image retains less
// than 1.5 times its pixels in the Go heap (at 0.19 MiB of pixels an
// image, the RSS of 12 of them is within the noise of RSS itself; the
// README's quick-workload figures show it in RSS too).
func TestHarnessMeasuresRetention(t *testing.T) {
	dir := runsChildren(t)
	bin := benchBin
	leaky, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "gate-leaky.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	copyOut := strings.NewReplacer("name: gate-leaky", "name: gate-copyout", "  keep: 12\n", "  keep: 12\n  copy_out: true\n", "expect: leak\n", "", "  - settled > 32MiB\n", "  - settled < 24MiB\n").Replace(string(leaky))
	if !strings.Contains(copyOut, "copy_out: true") || strings.Contains(copyOut, "expect: leak") {
		t.Fatalf("gate-leaky.yaml no longer has the lines the copy-out variant replaces:\n%s", leaky)
	}
	copyFile := filepath.Join(dir, "gate-copyout.yaml")
	if err := os.WriteFile(copyFile, []byte(copyOut), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, text := childtest.Run(t, nil, bin, "run", "--quiet", "--out", out, "gate-stable", "gate-leaky", copyFile)
	t.Logf("run:\n%s", text)
	if code != 0 {
		t.Fatalf("run: exit %d, want 0", code)
	}
	var runs [3]perimage.Run
	for i, name := range []string{"gate-stable", "gate-leaky", "gate-copyout"} {
		if runs[i], err = perimage.Read(filepath.Join(out, name)); err != nil {
			t.Fatal(err)
		}
	}
	const kept = 12
	r, err := perimage.Compute(runs[0], runs[1], runs[2], kept)
	if err != nil {
		t.Fatal(err)
	}
	const mib = 1 << 20
	t.Logf("per kept image: RSS %.2f MiB, heap %.2f MiB; Memory().Size() %.2f MiB, array %.2f MiB, pixels %.2f MiB; copied out: RSS %.2f MiB, heap %.2f MiB",
		r.RSS/mib, r.Heap/mib, r.Memory/mib, r.Backing/mib, r.Pixels/mib, r.CopyRSS/mib, r.CopyHeap/mib)
	within := func(what string, got, want float64) {
		if got < 0.8*want || got > 1.2*want {
			t.Errorf("%s: %.2f MiB retained per kept image, not within 20%% of %.2f MiB", what, got/mib, want/mib)
		}
	}
	within("RSS against the decoder's Memory().Size()", r.RSS, r.Memory)
	within("RSS against the target's account of the array", r.RSS, r.Backing)
	if r.CopyHeap >= 1.5*r.Pixels {
		t.Errorf("copied out: %.2f MiB of heap retained per kept image, not under 1.5× its %.2f MiB of pixels", r.CopyHeap/mib, r.Pixels/mib)
	}
	if r.CopyRSS >= r.RSS/4 {
		t.Errorf("copied out: %.2f MiB of RSS retained per kept image, not under a quarter of the view's %.2f MiB", r.CopyRSS/mib, r.RSS/mib)
	}
}

// TestGate writes a baseline of the shipped gate scenarios (gate without
// names) into a temporary file and gates against it: the leaky control is
// seen to leak, and an unchanged build passes.
func TestGate(t *testing.T) {
	dir := runsChildren(t)
	bin := benchBin
	baseline := filepath.Join(dir, "baseline.json")
	gate := func(extra ...string) (int, string) {
		return childtest.Run(t, nil, bin, append([]string{"gate", "--runs", "1", "--baseline", baseline, "--out", filepath.Join(dir, "gate")}, extra...)...)
	}
	if code, text := gate("--update-baseline"); code != 0 {
		t.Fatalf("gate --update-baseline: exit %d, want 0\n%s", code, text)
	}
	code, text := gate()
	t.Logf("gate:\n%s", text)
	if code != 0 || !strings.Contains(text, "gate-stable") || !strings.Contains(text, "gate-leaky") {
		t.Fatalf("gate against its own baseline: exit %d, want 0 with both scenarios", code)
	}
}

// TestGate_Calibrated calibrates the gate on the library target's stable
// scenario (avif decode on the tiny workload, few runs, short idle), reads the
// smallest leak it reports catching, and checks that a gate with twice
// that leak injected fails with exit 1, said to be within its power.
func TestGate_Calibrated(t *testing.T) {
	dir := runsChildren(t)
	// The calibration runs the scenario 14 times: each idles 200 ms
	// instead of 1 s, as the leak it measures is the settled one, which
	// the idle phase does not change.
	shipped, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "gate-stable.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stable := strings.Replace(string(shipped), "\nidle: 1s\n", "\nidle: 200ms\n", 1)
	if stable == string(shipped) {
		t.Fatalf("gate-stable.yaml no longer says idle: 1s")
	}
	scenarioFile := filepath.Join(dir, "gate-stable.yaml")
	if err := os.WriteFile(scenarioFile, []byte(stable), 0o644); err != nil {
		t.Fatal(err)
	}
	baseline := filepath.Join(dir, "baseline.json")
	gate := func(extra ...string) (int, string) {
		args := append([]string{"gate", "--runs", "2", "--baseline", baseline, "--out", filepath.Join(dir, "gate")}, extra...)
		return childtest.Run(t, nil, benchBin, append(args, scenarioFile)...)
	}
	code, text := gate("--calibrate", "--calibrate-runs", "4", "--inject-runs", "2", "--inject-sizes", "64KiB,1MiB,4MiB")
	t.Logf("calibration:\n%s", text)
	if code != 0 {
		t.Fatalf("gate --calibrate: exit %d, want 0", code)
	}
	b, err := leakgate.Load(baseline)
	if err != nil {
		t.Fatal(err)
	}
	c := b.Scenarios["gate-stable"].Calibration
	if c == nil {
		t.Fatalf("no calibration of gate-stable in %s", baseline)
	}
	catches := c.Metrics[metric.Settled].Catches
	if catches == 0 {
		t.Fatalf("settled catches none of the injected leaks up to 4 MiB per request (72 MiB a run)")
	}
	code, text = gate("--inject-leak", metric.FormatSize(2*catches))
	t.Logf("gate with twice the smallest caught leak:\n%s", text)
	if code != 1 || !strings.Contains(text, "within the gate's power") {
		t.Fatalf("exit %d, want 1 with the leak within the gate's power", code)
	}
}
