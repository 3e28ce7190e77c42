package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/compare/gobench"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
)

// fakeCompare is a compareCmd whose runs are fabricated from the
// scenario's strategy, with noise, and written as summary.json so that
// --merge can read them back.
type fakeCompare struct {
	order []string // scenarios in the order run
	env   results.Env
	fail  string // a scenario whose runs crash
	rng   *rand.Rand
}

// figures are a run's figures in MiB (and req/s): each leaky switch adds
// a known amount, reuse and per-worker interact in peak.
func (f *fakeCompare) summary(sc scenario.Scenario) results.Summary {
	st := sc.ResultsStrategy()
	on := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	pw, reuse := on(st.Switch("topology") == "per-worker"), on(st.Switch("lifetime") == "reuse")
	views, lst := on(st.Switch("views") == "leaked"), on(st.Switch("listeners") == "leaked")
	noise := func(sd float64) float64 { return sd * f.rng.NormFloat64() }
	peak := 150 + 200*pw + 300*reuse + 40*views + 20*lst + 100*pw*reuse + noise(3)
	settled := 2 + 120*reuse + 30*views + 60*lst + noise(1)
	var settings map[string]any // as the child reports them (driver)
	if b, err := json.Marshal(sc.Settings); err == nil {
		_ = json.Unmarshal(b, &settings)
	}
	return results.Summary{
		Scenario: sc.Name, Workload: sc.Workload, Strategy: st, Settings: settings, Rounds: sc.Rounds, Env: f.env,
		Outcome: results.OutcomeCompleted,
		Peak:    uint64(peak * results.MiB), PeakHWM: uint64((peak + 1) * results.MiB),
		Growth: int64((peak - 20) * results.MiB), Retained: int64((settled + 30) * results.MiB),
		Settled:        int64(settled * results.MiB),
		Slope:          results.Slope{MiBPerRound: 0.5 + noise(0.2), Rounds: 4},
		Instances:      results.Instances{PeakLive: int(3 + 9*pw)},
		Requests:       24,
		Throughput:     4 - 1.5*pw + noise(0.05),
		RequestLatency: results.Latency{Count: 24, P50: 0.5 + 0.2*pw + noise(0.01), P95: 0.9 + noise(0.01)},
	}
}

func (f *fakeCompare) cmd(stdout, stderr *bytes.Buffer) compareCmd {
	if f.rng == nil {
		f.rng = rand.New(rand.NewPCG(1, 2))
	}
	if f.env.GoVersion == "" {
		f.env = results.Env{GoVersion: "go1.26.8", WazeroVersion: "v1.12.0", GOOS: "linux", GOARCH: "amd64", CPUs: 2,
			CPUModel: "Test CPU", WorkloadHash: "0123456789abcdef", LeakbenchVersion: "test"}
	}
	return compareCmd{
		stdout: stdout, stderr: stderr,
		run: func(_ context.Context, sc scenario.Scenario, opts runner.Options) (results.Run, error) {
			f.order = append(f.order, sc.Name)
			s := f.summary(sc)
			if sc.Name == f.fail {
				s.Outcome, s.Error = results.OutcomeCrashed, "the child exited with status 2"
			}
			if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
				return results.Run{}, err
			}
			return results.Run{Dir: opts.OutDir, Summary: s}, results.WriteSummary(opts.OutDir, s)
		},
		find:      testCLI.find,
		catalog:   testCLI.catalog,
		factorial: testCLI.factorial,
		now:       func() time.Time { return time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC) },
	}
}

func (f *fakeCompare) main(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := f.cmd(&stdout, &stderr).main(t.Context(), args)
	return code, stdout.String(), stderr.String()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCompare_TableAndFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cmp")
	f := &fakeCompare{}
	code, stdout, stderr := f.main(t, "--quiet", "--out", out, "--runs", "4", "quick-fixed", "quick-leaky")
	if code != StatusOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	// Interleaved: every repetition runs each scenario once, in an order
	// that is shuffled per repetition by the seed.
	if len(f.order) != 8 {
		t.Fatalf("%d runs, want 8: %v", len(f.order), f.order)
	}
	orders := map[string]bool{}
	for rep := range 4 {
		pair := f.order[2*rep : 2*rep+2]
		if pair[0] == pair[1] {
			t.Fatalf("repetition %d runs %s twice: %v", rep+1, pair[0], f.order)
		}
		orders[strings.Join(pair, ",")] = true
	}
	if len(orders) != 2 {
		t.Errorf("seed 1 gives the same order in all 4 repetitions: %v", f.order)
	}
	// The table: quick-leaky retains more; the metrics come from
	// internal/metric; the floors from the gate.
	for _, want := range []string{"vs quick-fixed", "settled", "peak_hwm", "latency_p95", "throughput",
		"instances", "ratio [95% CI]"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	settled := lineOf(stdout, "settled ")
	if !strings.Contains(settled, "(p=0.029 n=4)") || strings.Contains(settled, "~") {
		t.Errorf("listeners leaked settle +60 MiB: want a significant difference:\n%s", settled)
	}
	// Peak differs by 20 MiB: within the gate's 32 MiB floor.
	if peak := lineOf(stdout, "peak "); !strings.Contains(peak, "within floor") {
		t.Errorf("peak +20 MiB is within the 32 MiB floor:\n%s", peak)
	}
	for _, name := range []string{"compare.txt", "compare.md", "compare.json", "bench.txt", "quick-fixed-1/summary.json", "quick-leaky-4/summary.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	if md := readFile(t, filepath.Join(out, "compare.md")); !strings.Contains(md, "| metric | quick-fixed median | quick-leaky median | quick-leaky vs quick-fixed |") {
		t.Errorf("compare.md:\n%s", md)
	}
	runs, units, err := gobench.Read(strings.NewReader(readFile(t, filepath.Join(out, "bench.txt"))), "bench.txt")
	if err != nil || len(runs) != 8 || len(units) == 0 {
		t.Fatalf("bench.txt: %d runs, %d units, %v", len(runs), len(units), err)
	}
	if got := runs[0].FullName(); !strings.HasPrefix(got, "Leak/scenario=") || !strings.Contains(got, "/topology=pipeline/lifetime=fresh/views=cleared/listeners=") || !strings.HasSuffix(got, "-2") {
		t.Errorf("benchmark name %q", got)
	}
	cfg := map[string]string{}
	for _, kv := range runs[0].Config {
		cfg[kv.Key] = kv.Value
	}
	if cfg["goos"] != "linux" || cfg["goarch"] != "amd64" || cfg["cpu"] != "Test CPU" || cfg["wazero"] != "v1.12.0" || cfg["workload"] != "quick sha256:0123456789ab" {
		t.Errorf("configuration %v", cfg)
	}
}

// lineOf returns the first line of s that starts with prefix.
func lineOf(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

func TestCompare_RefAndFailedRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cmp")
	f := &fakeCompare{fail: "quick-leaky"}
	code, stdout, stderr := f.main(t, "--quiet", "--out", out, "--runs", "3", "--ref", "quick-leaky", "quick-fixed", "quick-leaky")
	if code != StatusError {
		t.Fatalf("a crashed run: exit %d, want 2\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "left out: ") || !strings.Contains(stdout, "crashed: the child exited with status 2") {
		t.Errorf("the failed runs are not named:\n%s", stdout)
	}
	if !strings.Contains(stdout, "vs quick-leaky") || !strings.Contains(stdout, "n/a") {
		t.Errorf("the reference column (no runs) is not quick-leaky's:\n%s", stdout)
	}
}

func TestCompare_UsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "name the scenarios to compare"},
		{[]string{"--runs", "0", "quick-fixed"}, "--runs must be at least 1"},
		{[]string{"--shard", "3/2", "quick-fixed"}, "K must be between 1 and 2"},
		{[]string{"--factorial", "quick-fixed"}, "takes no scenarios"},
		{[]string{"--factorial", "--switches", "lifetime,colour"}, `unknown switch "colour"`},
		{[]string{"--factorial", "--switches", "views,views"}, "switch views given twice"},
		{[]string{"--switches", "views", "quick-fixed"}, "apply to --factorial only"},
		{[]string{"--merge"}, "--merge needs the result folders"},
		{[]string{"--merge", "--runs", "3", "d"}, "--merge takes the plan from the folders and runs nothing: --runs does not apply"},
		{[]string{"--merge", "--images", "pics", "--workers", "2", "--rounds", "3", "--timeout", "1m", "--quiet", "d"},
			"--merge takes the plan from the folders and runs nothing: --images, --workers, --rounds, --timeout, --quiet do not apply"},
		{[]string{"--allow-mixed", "quick-fixed"}, "--allow-mixed applies to --merge only"},
		{[]string{"--ref", "nope", "quick-fixed", "quick-leaky"}, "--ref nope is not among the scenarios"},
		{[]string{"no-such-scenario"}, `unknown scenario "no-such-scenario"`},
	} {
		f := &fakeCompare{}
		code, _, stderr := f.main(t, append([]string{"--out", filepath.Join(t.TempDir(), "x")}, tc.args...)...)
		if code != StatusError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
		if len(f.order) > 0 {
			t.Errorf("%q: ran %v", tc.args, f.order)
		}
	}
}

func TestCompare_Factorial(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "fact")
	f := &fakeCompare{}
	var stdout, stderr bytes.Buffer
	c := f.cmd(&stdout, &stderr)
	c.plots = true
	code := c.main(t.Context(), []string{"--quiet", "--factorial", "--runs", "3", "--out", out})
	if code != StatusOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if len(f.order) != 16*3 {
		t.Fatalf("%d runs, want 48", len(f.order))
	}
	var plan comparePlan
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(out, planFile))), &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Factorial == nil || plan.Factorial.Workers != testProgram.Factorial.Workers || plan.Factorial.Base != "quick-fixed" ||
		len(plan.Scenarios) != 16 || plan.Scenarios[15] != "quick-fixed.topology-per-worker.lifetime-reuse.views-leaked.listeners-leaked" {
		t.Fatalf("plan %+v", plan)
	}
	// The answers, in numbers: reuse costs +350 MiB of peak on average
	// (300 + 100/2 from its interaction with per-worker) and +120 MiB
	// settled, per-worker costs 1.5 req/s, and on the difference scale
	// only topology×lifetime interact (+50 MiB, in peak and the figures
	// that follow it). The fake's effects add, so on the ratio scale
	// other pairs interact too: that is the ratio scale's reading.
	got := stdout.String()
	for _, want := range []string{
		"Costs most memory (peak): lifetime: reuse +34",
		"Costs most memory (settled): lifetime: reuse +1",
		"Costs most throughput (throughput): topology: per-worker -1.5",
		"topology×lifetime in peak +4",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("answers lack %q:\n%s", want, got)
		}
	}
	for _, claim := range strings.Split(lineOf(got, "Interacting pairs"), "; ") {
		if strings.HasSuffix(strings.TrimSuffix(claim, "."), "(difference)") && !strings.Contains(claim, "topology×lifetime in ") {
			t.Errorf("an interaction on the difference scale that the fake does not have: %s", claim)
		}
	}
	for _, name := range []string{"factorial.txt", "factorial.md", "effects.png", "effects.svg", "cells.png", "bench.txt"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	// bench.txt names every cell after its base, so that benchstat's
	// -col /lifetime lines up the cells that differ only in lifetime.
	lines, _, err := gobench.Read(strings.NewReader(readFile(t, filepath.Join(out, "bench.txt"))), "bench.txt")
	if err != nil || len(lines) != 48 {
		t.Fatalf("bench.txt: %d lines, %v", len(lines), err)
	}
	names := map[string]bool{}
	for _, l := range lines {
		if l.Parts[0] != (gobench.KV{Key: "scenario", Value: "quick-fixed"}) {
			t.Fatalf("bench.txt line %s", l.FullName())
		}
		names[l.FullName()] = true
	}
	if len(names) != 16 {
		t.Errorf("%d distinct benchmark names, want one per cell (16)", len(names))
	}
	// Each cell ran with its own levels and 15 workers.
	s, err := results.ReadSummary(filepath.Join(out, dirName(plan.Scenarios[15])+"-1"))
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Strategy; st.Switch("topology") != "per-worker" || st.Switch("lifetime") != "reuse" || st.Switch("views") != "leaked" || st.Switch("listeners") != "leaked" || st.Workers != 15 {
		t.Errorf("cell 15 ran %+v", st)
	}
}

func TestCompare_ShardsMergeToTheWhole(t *testing.T) {
	root := t.TempDir()
	f := &fakeCompare{}
	var dirs []string
	for k := 1; k <= 3; k++ {
		dir := filepath.Join(root, fmt.Sprintf("shard%d", k))
		code, stdout, stderr := f.main(t, "--quiet", "--out", dir, "--runs", "4", "--shard", fmt.Sprintf("%d/3", k), "quick-fixed", "quick-leaky")
		if code != StatusOK {
			t.Fatalf("shard %d: exit %d\n%s\n%s", k, code, stdout, stderr)
		}
		if !strings.Contains(stdout, fmt.Sprintf("shard %d/3: this folder holds part of the runs", k)) {
			t.Errorf("shard %d does not say it is partial:\n%s", k, stdout)
		}
		dirs = append(dirs, dir)
	}
	if len(f.order) != 8 {
		t.Fatalf("3 shards ran %d runs, want 8", len(f.order))
	}
	merged := filepath.Join(root, "merged")
	code, stdout, stderr := f.main(t, append([]string{"--merge", "--out", merged}, dirs...)...)
	if code != StatusOK {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(lineOf(stdout, "settled "), "n=4)") || strings.Contains(stdout, "not in the merged folders") {
		t.Errorf("the merge does not hold 4 runs of each scenario:\n%s", stdout)
	}
	runs, _, err := gobench.Read(strings.NewReader(readFile(t, filepath.Join(merged, "bench.txt"))), "bench.txt")
	if err != nil || len(runs) != 8 {
		t.Errorf("merged bench.txt: %d runs, %v", len(runs), err)
	}
	// Two shards only: the report says what is missing.
	code, stdout, _ = f.main(t, "--merge", "--out", filepath.Join(root, "part"), dirs[0], dirs[1])
	if code != StatusOK || !strings.Contains(stdout, "cells not in the merged folders") {
		t.Errorf("partial merge: exit %d\n%s", code, stdout)
	}
}

func TestCompare_MergeRefusesMixedEnvironments(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	fa := &fakeCompare{}
	if code, stdout, stderr := fa.main(t, "--quiet", "--out", a, "--runs", "2", "--shard", "1/2", "quick-fixed", "quick-leaky"); code != StatusOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	fb := &fakeCompare{}
	fb.cmd(new(bytes.Buffer), new(bytes.Buffer)) // defaults, then change the machine
	fb.env.CPUs = 4
	if code, stdout, stderr := fb.main(t, "--quiet", "--out", b, "--runs", "2", "--shard", "2/2", "quick-fixed", "quick-leaky"); code != StatusOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr := fa.main(t, "--merge", "--out", filepath.Join(root, "m"), a, b)
	want := fmt.Sprintf(`CPU count differs: "2" in %s, "4" in %s`, a, b)
	if code != StatusError || !strings.Contains(stderr, want) || !strings.Contains(stderr, "--allow-mixed") {
		t.Fatalf("mixed merge: exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
	code, stdout, stderr := fa.main(t, "--merge", "--allow-mixed", "--out", filepath.Join(root, "m2"), a, b)
	if code != StatusOK || !strings.Contains(stdout, "mixed environments (--allow-mixed): "+want) {
		t.Errorf("--allow-mixed: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// A folder of another comparison is refused.
	c := filepath.Join(root, "c")
	if code, _, _ := fa.main(t, "--quiet", "--out", c, "--runs", "2", "quick-fixed"); code != StatusOK {
		t.Fatal("exit", code)
	}
	if code, _, stderr := fa.main(t, "--merge", "--out", filepath.Join(root, "m3"), a, c); code != StatusError || !strings.Contains(stderr, "do not belong to one comparison: scenarios differ") {
		t.Errorf("merge of two comparisons: exit %d, %q", code, stderr)
	}
	if code, _, stderr := fa.main(t, "--merge", "--out", filepath.Join(root, "m4"), root); code != StatusError || !strings.Contains(stderr, "not a bench compare folder") {
		t.Errorf("merge of a non-folder: exit %d, %q", code, stderr)
	}
}

// TestCompare_RealChildren runs bench compare on real child processes:
// the tiny workload, two scenarios, two runs each, and checks that the
// runs record the environment the merge compares and that bench.txt is
// Go benchmark format.
func TestCompare_RealChildren(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes; skipped with -short")
	dir := t.TempDir()
	paths := writeScenarios(t, dir,
		"tiny-fixed.yaml", "name: tiny-fixed\nworkload: tiny\npreset: fixed\nrounds: 2\nidle: 200ms\ninterval: 20ms\n",
		"tiny-leaky.yaml", "name: tiny-leaky\nworkload: tiny\npreset: fixed\nlisteners: leaked\nrounds: 2\nidle: 200ms\ninterval: 20ms\n")
	out := filepath.Join(dir, "out")
	code, stdout, stderr := bench(t, append([]string{"compare", "--quiet", "--runs", "2", "--out", out}, paths...)...)
	t.Logf("exit %d\n%s\n%s", code, stdout, stderr)
	if code != StatusOK {
		t.Fatalf("exit %d", code)
	}
	s, err := results.ReadSummary(filepath.Join(out, "tiny-leaky-1"))
	if err != nil {
		t.Fatal(err)
	}
	if e := s.Env; len(e.WorkloadHash) != 64 || e.LeakbenchVersion == "" || e.CPUs < 1 || e.GoVersion == "" {
		t.Errorf("the run's environment lacks what a merge compares: %+v", e)
	}
	if s.RequestLatency.Count == 0 || s.RequestLatency.P95 <= 0 {
		t.Errorf("no request latency: %+v", s.RequestLatency)
	}
	runs, _, err := gobench.Read(strings.NewReader(readFile(t, filepath.Join(out, "bench.txt"))), "bench.txt")
	if err != nil || len(runs) != 4 {
		t.Fatalf("bench.txt: %d runs, %v", len(runs), err)
	}
}

// writeScenarios writes scenario files into dir and returns their paths,
// in the order given (name, YAML, name, YAML, ...).
func writeScenarios(t *testing.T, dir string, nameYAML ...string) []string {
	t.Helper()
	var paths []string
	for i := 0; i+1 < len(nameYAML); i += 2 {
		paths = append(paths, writeScenario(t, dir, nameYAML[i], nameYAML[i+1]))
	}
	return paths
}

// writeScenario writes the scenario file name, of text y, into dir and
// returns its path.
func writeScenario(t *testing.T, dir, name, y string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCompare_WorkloadsPreparedInTheParent checks that bench compare
// prepares every workload once, before the first run, and hands that
// one preparation to every run; and that a workload that cannot be
// prepared stops the comparison before any run or output folder.
func TestCompare_WorkloadsPreparedInTheParent(t *testing.T) {
	dir := t.TempDir()
	paths := writeScenarios(t, dir,
		"tiny-fixed.yaml", "name: tiny-fixed\nworkload: tiny\npreset: fixed\n",
		"tiny-leaky.yaml", "name: tiny-leaky\nworkload: tiny\npreset: fixed\nlisteners: leaked\n")
	f := &fakeCompare{}
	var stdout, stderr bytes.Buffer
	c := f.cmd(&stdout, &stderr)
	var (
		ws      *runner.Workloads
		ready   int // workloads reported ready
		early   []string
		handed  []*runner.Workloads
		fakeRun = c.run
	)
	c.newWorkloads = func(progress func(runner.WorkloadProgress)) *runner.Workloads {
		ws = runner.NewWorkloads(func(p runner.WorkloadProgress) {
			if p.Finished && p.Err == nil {
				ready++
			}
			if progress != nil {
				progress(p)
			}
		})
		return ws
	}
	c.run = func(ctx context.Context, sc scenario.Scenario, opts runner.Options) (results.Run, error) {
		if ready == 0 {
			early = append(early, sc.Name)
		}
		handed = append(handed, opts.Workloads)
		return fakeRun(ctx, sc, opts)
	}
	out := filepath.Join(dir, "out")
	if code := c.main(t.Context(), append([]string{"--quiet", "--runs", "2", "--out", out}, paths...)); code != StatusOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if ready != 1 || len(early) > 0 {
		t.Errorf("the tiny workload was made ready %d time(s) (want 1, shared); runs before it was: %v", ready, early)
	}
	if len(handed) != 4 {
		t.Fatalf("%d runs, want 4", len(handed))
	}
	for i, h := range handed {
		if h == nil || h != ws {
			t.Errorf("run %d was not handed the parent's prepared workloads", i+1)
		}
	}
	if strings.Contains(stderr.String(), "workload=") {
		t.Errorf("--quiet, yet the workload's progress was shown:\n%s", stderr.String())
	}

	// Images that cannot be read: an error naming the workload, no run.
	empty := filepath.Join(dir, "no-images")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	f2 := &fakeCompare{}
	stdout.Reset()
	stderr.Reset()
	c2 := f2.cmd(&stdout, &stderr)
	c2.newWorkloads = runner.NewWorkloads
	out2 := filepath.Join(dir, "out2")
	code := c2.main(t.Context(), append([]string{"--quiet", "--runs", "2", "--images", empty, "--out", out2}, paths...))
	if code != StatusError || !strings.Contains(stderr.String(), `preparing workload "tiny"`) {
		t.Errorf("unpreparable workload: exit %d, stderr %q; want 2 naming the workload", code, stderr.String())
	}
	if len(f2.order) > 0 {
		t.Errorf("ran %v with no workload", f2.order)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Errorf("%s was created for a comparison that could not start", out2)
	}
}

// TestFactorialCells_Refused checks the bases a factorial cannot be
// built from: another target's scenario or an exec target's (they have no
// four switches), and a
// base whose cells would hold a strategy the engine refuses.
func TestFactorialCells_Refused(t *testing.T) {
	cat, fd := testCLI.catalog, testProgram.Factorial
	other, err := scenario.Parse("other.yaml", []byte("name: other\ntarget: other\nworkload: tiny\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := factorialCells(cat, fd, other, []string{"lifetime"}, 15); err == nil || !strings.Contains(err.Error(), "runs target other") {
		t.Errorf("a base of another target: %v", err)
	}
	prog, err := scenario.Parse("prog.yaml", []byte("name: prog\nexec: [./alloc]\nworkload: tiny\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := factorialCells(cat, fd, prog, []string{"lifetime"}, 15); err == nil || !strings.Contains(err.Error(), "runs the program ./alloc (exec)") {
		t.Errorf("a base of an exec target: %v", err)
	}
	pooled, err := cat.Parse("pooled.yaml", []byte("name: pooled\nworkload: tiny\npreset: pool-bounded-capped\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = factorialCells(cat, fd, pooled, []string{"topology"}, 15)
	if err == nil || !strings.Contains(err.Error(), "cell pooled.topology-pipeline") || !strings.Contains(err.Error(), "pool_size") {
		t.Errorf("a pooled base switched to pipeline: %v; want the cell and pool_size named", err)
	}
}

// TestCompare_FactorialRealChildren runs a factorial of the topology on
// real children: the per-worker cell must reach the engine with the
// pinned 15 workers (more live instances than one worker can hold: one
// per codec, 6) and record them; the pipeline cell holds at most one
// instance per codec.
func TestCompare_FactorialRealChildren(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes; skipped with -short")
	dir := t.TempDir()
	base := writeScenarios(t, dir, "tiny-before.yaml", "name: tiny-before\nworkload: tiny\npreset: before\nrounds: 2\nidle: 200ms\ninterval: 20ms\n")[0]
	out := filepath.Join(dir, "out")
	code, stdout, stderr := bench(t, "compare", "--quiet", "--factorial", "--switches", "topology", "--base", base, "--runs", "1", "--out", out)
	t.Logf("exit %d\n%s\n%s", code, stdout, stderr)
	if code != StatusOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stdout, "(per-worker cells with 15 workers)") || !strings.Contains(stdout, "R = 1: no interval") {
		t.Errorf("the head lacks the worker count or the answers their R = 1 note:\n%s", stdout)
	}
	for _, tc := range []struct {
		cell         string
		topology     string
		minLive, max int
	}{
		{"tiny-before.topology-per-worker", "per-worker", 7, 15 * 6},
		{"tiny-before.topology-pipeline", "pipeline", 1, 6},
	} {
		s, err := results.ReadSummary(filepath.Join(out, tc.cell+"-1"))
		if err != nil {
			t.Fatal(err)
		}
		if st := s.Strategy; st.Switch("topology") != tc.topology || st.Switch("lifetime") != "reuse" || st.Workers != 15 {
			t.Errorf("%s recorded %+v; want %s, reuse, 15 workers", tc.cell, st, tc.topology)
		}
		if live := s.Instances.PeakLive; live < tc.minLive || live > tc.max {
			t.Errorf("%s: peak live instances %d, want %d to %d", tc.cell, live, tc.minLive, tc.max)
		}
	}
}

// TestBenchRun_Names checks the benchmark names of bench.txt: the
// builtin's four switches, or the target of another engine, which has
// none.
func TestBenchRun_Names(t *testing.T) {
	ms := benchMetrics()
	builtinRun := results.Summary{Scenario: "quick-fixed", Env: results.Env{CPUs: 2},
		Strategy: results.Strategy{Switches: []results.Switch{{Name: "topology", Value: "pipeline", Text: "pipeline"}, {Name: "lifetime", Value: "fresh", Text: "fresh"}, {Name: "views", Value: "cleared"}, {Name: "listeners", Value: "removed"}}, Workers: 1}}
	if got, want := benchRun(builtinRun, ms).FullName(), "Leak/scenario=quick-fixed/topology=pipeline/lifetime=fresh/views=cleared/listeners=removed-2"; got != want {
		t.Errorf("builtin run: %s, want %s", got, want)
	}
	other := results.Summary{Scenario: "imaging", Target: "imaging", Env: results.Env{CPUs: 2}, Strategy: results.Strategy{Workers: 4}}
	if got, want := benchRun(other, ms).FullName(), "Leak/scenario=imaging/target=imaging-2"; got != want {
		t.Errorf("another target's run: %s, want %s", got, want)
	}
}
