package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
)

// arms returns a figure of each arm, for abRuns: base's and head's.
func arms(base, head float64) map[string]float64 {
	return map[string]float64{armBase: base, armHead: head}
}

// abRuns fabricates n completed runs of each arm of scenario sc: settled
// and slope in MiB (and MiB/round) per arm, a little noise.
func abRuns(sc string, n int, settled, slope map[string]float64) []abRun {
	var out []abRun
	for i := range n {
		for _, arm := range []string{armBase, armHead} {
			jitter := 1 + 0.01*float64(i)
			out = append(out, abRun{scenario: sc, arm: arm, dir: arm + strconv.Itoa(i), summary: results.Summary{
				Scenario: sc, Outcome: results.OutcomeCompleted,
				Peak:       uint64(200 * jitter * results.MiB),
				EndOfLoad:  uint64(150 * jitter * results.MiB),
				Retained:   int64(80 * jitter * results.MiB),
				Settled:    int64(settled[arm] * jitter * results.MiB),
				Slope:      results.Slope{MiBPerRound: slope[arm] * jitter, Rounds: 4},
				Instances:  results.Instances{PeakLive: 3},
				Throughput: 3.5 * jitter,
			}})
		}
	}
	return out
}

func TestABDecide(t *testing.T) {
	scs := []scenario.Scenario{{Name: "quick-fixed"}}
	th := gate.DefaultThresholds()
	for _, tc := range []struct {
		name    string
		runs    []abRun
		status  int
		finding string // the metric of the one finding, "" for none
		text    string
	}{
		{"head leaks", abRuns("quick-fixed", 6, arms(2, 60), arms(1, 1)),
			StatusFailed, "settled", "REGRESSION settled: head 61.5MiB against base 2.0MiB"},
		{"base leaked, head fixed", abRuns("quick-fixed", 6, arms(60, 2), arms(1, 1)),
			StatusOK, "", ""},
		// Significant (every head run above every base run) but within the
		// 16 MiB floor: no regression.
		{"within the floor", abRuns("quick-fixed", 6, arms(2, 12), arms(1, 1)),
			StatusOK, "", ""},
		// The slope is advisory: a warning, the gate passes.
		{"advisory slope", abRuns("quick-fixed", 6, arms(2, 2), arms(1, 40)),
			StatusOK, "slope", "warning (advisory) slope"},
		// Four runs a side can be significant (p = 0.029); three cannot.
		{"four runs", abRuns("quick-fixed", 4, arms(2, 60), arms(1, 1)),
			StatusFailed, "settled", "p=0.029"},
		{"three runs", abRuns("quick-fixed", 3, arms(2, 60), arms(1, 1)),
			StatusOK, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := abDecide(scs, tc.runs, th)
			var buf bytes.Buffer
			if err := rep.WriteText(&buf); err != nil {
				t.Fatal(err)
			}
			if rep.Status != tc.status {
				t.Errorf("status %d, want %d\n%s", rep.Status, tc.status, buf.String())
			}
			fs := rep.Scenarios[0].Findings
			switch {
			case tc.finding == "" && len(fs) > 0:
				t.Errorf("findings %v, want none\n%s", fs, buf.String())
			case tc.finding != "" && (len(fs) != 1 || fs[0].Metric.String() != tc.finding):
				t.Errorf("findings %v, want one on %s\n%s", fs, tc.finding, buf.String())
			}
			if !strings.Contains(buf.String(), tc.text) {
				t.Errorf("report lacks %q:\n%s", tc.text, buf.String())
			}
		})
	}
	// A run that failed is an error, named; a scenario without runs of an
	// arm has no comparison.
	runs := abRuns("quick-fixed", 4, arms(2, 2), arms(1, 1))
	runs[1].err = errors.New("crashed: the child exited with status 2")
	rep := abDecide(append(scs, scenario.Scenario{Name: "quick-leaky"}), runs, th)
	var buf bytes.Buffer
	if err := rep.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	if rep.Status != StatusError || !strings.Contains(buf.String(), "crashed: the child exited") ||
		!strings.Contains(buf.String(), "no comparison: 0 completed run(s) of base, 0 of head") {
		t.Errorf("status %d\n%s", rep.Status, buf.String())
	}
}

func TestGateAB_UsageErrors(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--base-bin", exe, "--runs", "3"}, "needs at least 4 runs per build"},
		{[]string{"--base-bin", filepath.Join(t.TempDir(), "nope")}, "--base-bin: stat"},
		{[]string{"--base-bin", t.TempDir()}, "not an executable file"},
		{[]string{"--base-bin", exe, "--update-baseline"}, "has no baseline file"},
		{[]string{"--base-bin", exe, "--baseline", "b.json"}, "--baseline does not apply"},
		{[]string{"--base-bin", exe, "--junit", "j.xml"}, "--junit is not written"},
		{[]string{"--seed", "3"}, "apply to the A/B mode (--base-bin) only"},
		{[]string{"--base-bin", exe, "--shard", "0/2"}, "K must be between 1 and 2"},
	} {
		code, _, stderr := bench(t, append([]string{"gate"}, tc.args...)...)
		if code != StatusError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestGateAB_RealBuilds is the A/B gate on real child processes of two
// real builds of bench: a correct one, and one built with the
// leakbench_regress_listeners tag, whose children leak the listeners
// whatever the scenario says (a change that broke the fourth fix). A leaky
// base against a fixed head passes; the reverse fails with exit 1 naming
// the metric; two identical builds pass (LEAKBENCH_AB_REPEAT=5 repeats
// that five times, one after another). The three gates are independent
// processes with their own children and folders, and run at once.
func TestGateAB_RealBuilds(t *testing.T) {
	childtest.RunsChildren(t, "builds bench twice and runs child processes; skipped with -short")
	dir := t.TempDir()
	var wg sync.WaitGroup
	wg.Go(func() { buildBench(regressListenersTag) }) // the two builds at once; errors below
	fixed := builtBench(t, "")
	wg.Wait()
	leaky := builtBench(t, regressListenersTag)
	// The second identical build is a copy of the first: go build of the
	// same source gives the same bytes (the build is reproducible), and a
	// copy is a binary of its own at its own path, as a second checkout's
	// build would be.
	fixed2 := filepath.Join(dir, "bench-fixed-2")
	copyExecutable(t, fixed, fixed2)
	// Ten rounds: the broken build's leak grows by about 2.5 MiB a round
	// on the tiny workload, past the 16 MiB floor of settled memory.
	sc := writeScenario(t, dir, "tiny-fixed.yaml", "name: tiny-fixed\nworkload: tiny\npreset: fixed\nrounds: 10\nidle: 300ms\ninterval: 20ms\n")
	// The gates run at once, in this test's parallel slot (as subtests
	// each would wait for a slot of its own): gateAB starts head's A/B
	// gate against base, and its outcome arrives when it ends.
	type outcome struct {
		code           int
		stdout, stderr string
		err            error
	}
	var gates atomic.Int32
	gateAB := func(head, base string) <-chan outcome {
		out := filepath.Join(dir, fmt.Sprintf("out-%d", gates.Add(1)))
		done := make(chan outcome, 1)
		go func() {
			cmd := exec.Command(head, "gate", "--base-bin", base, "--runs", "4", "--out", out, sc)
			cmd.Env = append(os.Environ(), "GITHUB_STEP_SUMMARY=")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			o := outcome{stdout: stdout.String(), stderr: stderr.String()}
			switch {
			case errors.As(err, &exit):
				o.code = exit.ExitCode()
			case err != nil:
				o.err = err
			}
			done <- o
		}()
		return done
	}
	// result waits for a gate's outcome and logs it; an error is fatal.
	result := func(t *testing.T, head, base string, done <-chan outcome) (int, string) {
		t.Helper()
		o := <-done
		if o.err != nil {
			t.Fatal(o.err)
		}
		t.Logf("%s gate --base-bin %s: exit %d\n%s", filepath.Base(head), filepath.Base(base), o.code, o.stdout)
		if o.code == StatusError {
			t.Fatalf("error:\n%s", o.stderr)
		}
		return o.code, o.stdout
	}
	repeat := 1
	if n, err := strconv.Atoi(os.Getenv("LEAKBENCH_AB_REPEAT")); err == nil && n > 0 {
		repeat = n
	}
	leakyBase, leakyHead := gateAB(fixed, leaky), gateAB(leaky, fixed)
	identical := make(chan outcome, repeat)
	go func() { // the repetitions one after another
		for range repeat {
			identical <- <-gateAB(fixed, fixed2)
		}
	}()
	t.Run("leaky base, fixed head", func(t *testing.T) {
		if code, out := result(t, fixed, leaky, leakyBase); code != StatusOK {
			t.Errorf("leaky base, fixed head: exit %d, want 0\n%s", code, out)
		}
	})
	t.Run("fixed base, leaky head", func(t *testing.T) {
		code, out := result(t, leaky, fixed, leakyHead)
		if code != StatusFailed || !strings.Contains(out, "REGRESSION settled") || !strings.Contains(out, "tiny-fixed: FAIL") {
			t.Errorf("fixed base, leaky head: exit %d, want 1 and a regression of settled\n%s", code, out)
		}
	})
	t.Run("identical builds", func(t *testing.T) {
		passed := 0
		for range repeat {
			if code, _ := result(t, fixed, fixed2, identical); code == StatusOK {
				passed++
			}
		}
		t.Logf("identical builds passed %d of %d", passed, repeat)
		if passed != repeat {
			t.Errorf("identical builds passed %d of %d", passed, repeat)
		}
	})
}

// copyExecutable copies the executable file src to dst.
func copyExecutable(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestGateAB_ShardsMergeAsAComparison runs the A/B gate in two shards
// with a fake runner (base runs settle 40 MiB higher) and merges the two
// folders with bench compare --merge: one table, base against head.
func TestGateAB_ShardsMergeAsAComparison(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	fc := &fakeCompare{}
	var dirs []string
	for k := 1; k <= 2; k++ {
		var stdout, stderr bytes.Buffer
		run := fc.cmd(&stdout, &stderr).run
		g := gateCmd{
			find:     testCLI.find,
			defaults: testCLI.gate,
			stdout:   &stdout, stderr: &stderr,
			run: func(ctx context.Context, sc scenario.Scenario, opts runner.Options) (results.Run, error) {
				if len(opts.Command) > 0 {
					sc = withBuiltin(t, sc, func(o *builtin.Options) { o.Listeners = engine.ListenersLeaked }) // the base leaks
				}
				return run(ctx, sc, opts)
			},
			now:    time.Now,
			getenv: func(string) string { return "" },
		}
		out := filepath.Join(root, fmt.Sprintf("ab%d", k))
		code := g.main(t.Context(), []string{"--base-bin", exe, "--runs", "4", "--shard", fmt.Sprintf("%d/2", k), "--out", out, "quick-fixed"})
		if code != StatusOK || !strings.Contains(stdout.String(), fmt.Sprintf("shard %d/2: only this shard's runs are judged", k)) {
			t.Fatalf("shard %d: exit %d\n%s\n%s", k, code, stdout.String(), stderr.String())
		}
		entries, err := os.ReadDir(out)
		if err != nil || len(entries) != 1 {
			t.Fatalf("%s: %v %v", out, entries, err)
		}
		dirs = append(dirs, filepath.Join(out, entries[0].Name()))
	}
	if len(fc.order) != 8 {
		t.Fatalf("two shards ran %d runs, want 8", len(fc.order))
	}
	code, stdout, stderr := fc.main(t, append([]string{"--merge", "--out", filepath.Join(root, "merged")}, dirs...)...)
	if code != StatusOK || !strings.Contains(stdout, "vs quick-fixed@base") || !strings.Contains(lineOf(stdout, "settled "), "n=4)") ||
		strings.Contains(stdout, "not in the plan") {
		t.Errorf("merge of A/B shards: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
