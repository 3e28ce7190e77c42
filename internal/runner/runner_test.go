package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/childtest"
	"github.com/leakbench/leakbench/internal/driver"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/sampler"
	"github.com/leakbench/leakbench/internal/scenario"
)

// childEnvVar makes the test binary act as a child: the tests spawn
// themselves as the child process, as bench does with its hidden
// subcommand.
const childEnvVar = "LEAKBENCH_RUNNER_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnvVar) == "1" {
		targets := factory.Targets{builtin.Name: builtin.Factory(), stuckTarget: factory.New(newStuck), settledTarget: factory.New(newSettled)}
		if err := driver.Child(context.Background(), nil, targets); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	// The parallel tests mostly wait for their children (idle phases,
	// time limits, the drain time), not for this process's CPU: unless
	// -test.parallel says otherwise, eight run at once, not GOMAXPROCS.
	flag.Parse()
	if !flagSet("test.parallel") {
		flag.Set("test.parallel", "8")
	}
	os.Exit(m.Run())
}

// flagSet reports whether the flag was given on the command line.
func flagSet(name string) (set bool) {
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// testOptions runs the test binary as the child.
func testOptions(t *testing.T) Options {
	t.Helper()
	return Options{
		OutDir:  filepath.Join(t.TempDir(), "run"),
		Command: []string{os.Args[0]},
		Env:     []string{childEnvVar + "=1"},
		Timeout: 2 * time.Minute,
	}
}

// benchCatalog reads scenarios as bench does: the builtin target is the
// default one, its settings top-level keys.
var benchCatalog = scenario.Catalog{Targets: factory.Targets{builtin.Name: builtin.Factory()}, Default: builtin.Name}

// testScenario is a small scenario on the tiny workload with the given
// preset.
func testScenario(t *testing.T, name, preset string, rounds int) scenario.Scenario {
	t.Helper()
	sc, err := benchCatalog.Parse(name+".yaml", []byte("preset: "+preset+"\n"))
	if err != nil {
		t.Fatalf("preset %q: %v", preset, err)
	}
	sc.Workload, sc.Workers, sc.Rounds, sc.InFlight = "tiny", 1, rounds, 2
	sc.Idle, sc.Interval, sc.GOGC = 100*time.Millisecond, 20*time.Millisecond, 100
	return sc
}

// withOptions returns sc with its builtin settings changed by set.
func withOptions(t *testing.T, sc scenario.Scenario, set func(*builtin.Options)) scenario.Scenario {
	t.Helper()
	o := sc.Settings.(builtin.Options)
	set(&o)
	sc, err := benchCatalog.With(sc, o)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// bigImages writes n photo-sized (3 MP) PNGs into a new directory: big
// enough that one leaked instance of a decoder holds tens of MiB, so that
// noise can't hide the leak.
func bigImages(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	const w, h = 2048, 1536
	for i := range n {
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			row := img.Pix[y*img.Stride:]
			for x := range w {
				o := 4 * x
				row[o] = uint8(x * 255 / w)
				row[o+1] = uint8(y * 255 / h)
				row[o+2] = uint8((x ^ y) >> (i + 2))
				row[o+3] = 255
			}
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("big%d.png", i)))
		if err != nil {
			t.Fatal(err)
		}
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readSamples reads a run's samples.jsonl back, and checks that
// samples.csv has as many rows.
func readSamples(t *testing.T, dir string) []results.Sample {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, results.SamplesJSON))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []results.Sample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s results.Sample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("%s: %v", results.SamplesJSON, err)
		}
		out = append(out, s)
	}
	csv, err := os.ReadFile(filepath.Join(dir, results.SamplesCSV))
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(string(csv), "\n") - 1; rows != len(out) {
		t.Errorf("%s has %d rows, %s %d", results.SamplesCSV, rows, results.SamplesJSON, len(out))
	}
	return out
}

func readSummary(t *testing.T, dir string) results.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var s results.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// MiB is results.MiB, for short.
const MiB = results.MiB

// mustRun is Run that fails the test on an error.
func mustRun(t *testing.T, ctx context.Context, sc scenario.Scenario, opts Options) results.Run {
	t.Helper()
	r, err := Run(ctx, sc, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return r
}

func mibf(b uint64) float64 { return float64(b) / MiB }

// TestRun_LeakyVersusFixed runs two real children on the same big images:
// fresh instances with the glue views and listeners leaked (the fix1+2
// stage) and the fully fixed strategy, and checks that the harness sees
// the difference in both the engine's own accounting and in RSS.
func TestRun_LeakyVersusFixed(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes")
	images := bigImages(t, 3)
	run := func(t *testing.T, name, preset string) results.Summary {
		sc := testScenario(t, name, preset, 3)
		sc.Images = images
		opts := testOptions(t)
		r, err := Run(context.Background(), sc, opts)
		if err != nil {
			t.Fatalf("%s: Run: %v", name, err)
		}
		sum := r.Summary
		if sum.Outcome != results.OutcomeCompleted {
			log, _ := os.ReadFile(filepath.Join(opts.OutDir, ChildLog))
			t.Fatalf("%s: outcome %s (%s), child log:\n%s", name, sum.Outcome, sum.Error, log)
		}
		if got := readSummary(t, opts.OutDir); got.Outcome != sum.Outcome || got.Samples != sum.Samples {
			t.Errorf("%s: summary.json says %s/%d samples, Run returned %s/%d", name, got.Outcome, got.Samples, sum.Outcome, sum.Samples)
		}
		samples := readSamples(t, opts.OutDir)
		if len(samples) != sum.Samples {
			t.Errorf("%s: %d samples on disk, summary counts %d", name, len(samples), sum.Samples)
		}
		// Run returns the run as it wrote it.
		disk, err := results.Read(opts.OutDir)
		if err != nil {
			t.Fatalf("%s: reading the run back: %v", name, err)
		}
		if r.Dir != opts.OutDir || !reflect.DeepEqual(disk.Samples, r.Samples) || !reflect.DeepEqual(disk.Events, r.Events) ||
			!reflect.DeepEqual(disk.Summary, r.Summary) || len(disk.Warnings) != 0 {
			t.Errorf("%s: Run returned %d samples and %d events, %s holds %d and %d (warnings %q)",
				name, len(r.Samples), len(r.Events), opts.OutDir, len(disk.Samples), len(disk.Events), disk.Warnings)
		}
		for _, p := range []results.Phase{results.PhaseStartup, results.PhaseLoad, results.PhaseIdle, results.PhaseSettle} {
			found := false
			for _, s := range samples {
				found = found || s.Phase == p
			}
			if !found {
				t.Errorf("%s: no sample in phase %s", name, p)
			}
		}
		if len(sum.RoundRSS) != 3 || sum.Slope.Rounds != 3 {
			t.Errorf("%s: RoundRSS %v, slope rounds %d; want 3 rounds", name, sum.RoundRSS, sum.Slope.Rounds)
		}
		if sum.Requests == 0 || sum.Baseline == 0 || sum.AfterSettle == 0 {
			t.Errorf("%s: requests %d, baseline %d, after settle %d: want all > 0", name, sum.Requests, sum.Baseline, sum.AfterSettle)
		}
		t.Logf("%s: baseline %.1f MiB, peak %.1f, after settle %.1f (settled %+.1f), leaked after settle %.1f MiB, %d requests, %d errors, %d samples",
			name, mibf(sum.Baseline), mibf(sum.Peak), mibf(sum.AfterSettle), float64(sum.Settled)/results.MiB,
			mibf(sum.LeakedAfterSettle), sum.Requests, sum.Errors, sum.Samples)
		return sum
	}
	// The two children run at once: what is compared is each child's
	// own accounting and its RSS over its own baseline.
	var leaky, fixed results.Summary
	t.Run("children", func(t *testing.T) {
		t.Run("leaky", func(t *testing.T) { t.Parallel(); leaky = run(t, "leaky", "fix1+2") })
		t.Run("fixed", func(t *testing.T) { t.Parallel(); fixed = run(t, "fixed", "fixed") })
	})
	if t.Failed() {
		return
	}

	if fixed.LeakedAfterSettle != 0 {
		t.Errorf("fixed: leaked after settle %.1f MiB, want 0", mibf(fixed.LeakedAfterSettle))
	}
	if leaky.LeakedAfterSettle < 16*MiB {
		t.Errorf("leaky: leaked after settle %.1f MiB, want at least 16 MiB (one dead 3 MP decoder alone holds more)", mibf(leaky.LeakedAfterSettle))
	}
	// RSS must show at least half of what the engine says is leaked.
	if margin := leaky.Settled - fixed.Settled; margin < int64(leaky.LeakedAfterSettle/2) {
		t.Errorf("RSS after settle: leaky %+.1f MiB, fixed %+.1f MiB over their baselines: margin %.1f MiB, want at least half the leak (%.1f MiB)",
			float64(leaky.Settled)/MiB, float64(fixed.Settled)/MiB, float64(margin)/MiB, mibf(leaky.LeakedAfterSettle/2))
	}
	if fixed.Settled > 24*MiB {
		t.Errorf("fixed: %+.1f MiB over its baseline after settle, want near it (< 24 MiB)", float64(fixed.Settled)/MiB)
	}
}

// killingSampler is the real sampler that, at its nth sample, does
// something to the run: kills the child, or cancels the run's context.
type killingSampler struct {
	real   *sampler.Sampler
	pid    int
	n      int
	calls  atomic.Int32
	action func(pid int)
}

func (k *killingSampler) Sample() (uint64, uint64, error) {
	rss, hwm, err := k.real.Sample()
	if int(k.calls.Add(1)) == k.n {
		k.action(k.pid)
	}
	return rss, hwm, err
}

func (k *killingSampler) install(opts *Options) {
	opts.NewSampler = func(pid int) (Sampler, error) {
		s, err := sampler.New(pid)
		k.real, k.pid = s, pid
		return k, err
	}
}

// longScenario runs long enough that the test always interrupts it.
func longScenario(t *testing.T, name string) scenario.Scenario {
	sc := testScenario(t, name, "fixed", 10000)
	sc.Idle = time.Hour
	return sc
}

func TestRun_ChildKilled(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes")
	opts := testOptions(t)
	k := &killingSampler{n: 10, action: func(pid int) { syscall.Kill(pid, syscall.SIGKILL) }}
	k.install(&opts)
	sum := mustRun(t, context.Background(), longScenario(t, "killed"), opts).Summary
	if sum.Outcome != results.OutcomeSignaled || sum.Signal != syscall.SIGKILL.String() {
		t.Fatalf("outcome %s, signal %q; want %s, %q", sum.Outcome, sum.Signal, results.OutcomeSignaled, syscall.SIGKILL.String())
	}
	disk := readSummary(t, opts.OutDir)
	if disk.Outcome != results.OutcomeSignaled || disk.Signal != sum.Signal || disk.Error == "" {
		t.Errorf("summary.json: outcome %s, signal %q, error %q", disk.Outcome, disk.Signal, disk.Error)
	}
	samples := readSamples(t, opts.OutDir)
	if len(samples) < k.n-1 || len(samples) != disk.Samples {
		t.Errorf("%d samples on disk, summary counts %d; want the %d taken before the kill", len(samples), disk.Samples, k.n-1)
	}
	for i, s := range samples {
		if s.RSS == 0 {
			t.Errorf("sample %d has RSS 0", i)
		}
	}
}

func TestRun_Interrupted(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := testOptions(t)
	k := &killingSampler{n: 5, action: func(int) { cancel() }}
	k.install(&opts)
	sum := mustRun(t, ctx, longScenario(t, "interrupted"), opts).Summary
	if sum.Outcome != results.OutcomeInterrupted {
		t.Fatalf("outcome %s (%s), want %s", sum.Outcome, sum.Error, results.OutcomeInterrupted)
	}
	if !strings.Contains(sum.Error, "interrupted") {
		t.Errorf("error %q does not say the run was interrupted", sum.Error)
	}
	if got := readSummary(t, opts.OutDir); got.Outcome != results.OutcomeInterrupted || got.Samples < 4 {
		t.Errorf("summary.json: outcome %s, %d samples", got.Outcome, got.Samples)
	}
}

func TestRun_RSSCap(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes")
	sc := longScenario(t, "capped")
	sc.RSSCap = 1 << 20 // any Go process exceeds 1 MiB at once
	opts := testOptions(t)
	sum := mustRun(t, context.Background(), sc, opts).Summary
	if sum.Outcome != results.OutcomeRSSCap {
		t.Fatalf("outcome %s (%s), want %s", sum.Outcome, sum.Error, results.OutcomeRSSCap)
	}
	if !strings.Contains(sum.Error, "cap") || sum.Signal != syscall.SIGKILL.String() {
		t.Errorf("error %q, signal %q: want the cap named and SIGKILL", sum.Error, sum.Signal)
	}
	if got := readSummary(t, opts.OutDir); got.Outcome != results.OutcomeRSSCap || got.Samples < 1 || got.Peak <= sc.RSSCap {
		t.Errorf("summary.json: outcome %s, %d samples, peak %d", got.Outcome, got.Samples, got.Peak)
	}
}

func TestRun_Timeout(t *testing.T) {
	childtest.RunsChildren(t, "runs child processes")
	opts := testOptions(t)
	opts.Timeout = 300 * time.Millisecond
	sum := mustRun(t, context.Background(), longScenario(t, "timeout"), opts).Summary
	if sum.Outcome != results.OutcomeTimeout {
		t.Fatalf("outcome %s (%s), want %s", sum.Outcome, sum.Error, results.OutcomeTimeout)
	}
	if !strings.Contains(sum.Error, "wall-clock limit of 300ms") {
		t.Errorf("error %q does not name the limit", sum.Error)
	}
}

func TestRun_ChildCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	// The child refuses a source that changed after the parent verified
	// it, and exits 2. (A cache of its own: the test corrupts it.)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	sc := testScenario(t, "crash", "fixed", 1)
	ws := NewWorkloads(nil)
	w, err := ws.workload(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	victim := w.Images[0].Path
	if err := os.WriteFile(victim, []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.Workloads = ws
	sum := mustRun(t, context.Background(), sc, opts).Summary
	if sum.Outcome != results.OutcomeCrashed || sum.ExitCode != 2 {
		t.Fatalf("outcome %s, exit code %d; want %s, 2", sum.Outcome, sum.ExitCode, results.OutcomeCrashed)
	}
	if !strings.Contains(sum.Error, victim) {
		t.Errorf("error %q does not name the changed source %s", sum.Error, victim)
	}
}

// TestRun_UnknownWorkload: a workload the parent cannot prepare is an
// error of Run, recorded in summary.json, and no child is started.
func TestRun_UnknownWorkload(t *testing.T) {
	sc := testScenario(t, "nowl", "fixed", 1)
	sc.Workload = "no-such-workload"
	opts := testOptions(t)
	opts.Progress = func(p Progress) {
		if !p.Done {
			t.Errorf("a child was started: %+v", p)
		}
	}
	r, err := Run(context.Background(), sc, opts)
	if err == nil || !strings.Contains(err.Error(), "no-such-workload") {
		t.Fatalf("Run: %v, want an error naming the workload", err)
	}
	if got := readSummary(t, opts.OutDir); got.Outcome != results.OutcomeCrashed || !strings.Contains(got.Error, "no-such-workload") || got.Error != r.Summary.Error {
		t.Errorf("summary.json: outcome %s, error %q", got.Outcome, got.Error)
	}
}

func TestRun_RefusesUsedDir(t *testing.T) {
	opts := testOptions(t)
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(opts.OutDir, results.SummaryFile), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), testScenario(t, "x", "fixed", 1), opts); err == nil {
		t.Fatal("Run into a directory holding a run: want an error")
	}
}
