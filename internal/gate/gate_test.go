package gate

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

const mib = results.MiB

// run builds a completed summary with the figures the gate compares.
type run struct {
	peak, end, retained, settled float64 // MiB
	slope                        float64 // MiB/round, as results.Slope has it
	instances, errors            int
	throughput                   float64
}

func (r run) summary(name string) results.Summary {
	return results.Summary{
		Scenario:   name,
		Workload:   "quick",
		Strategy:   results.Strategy{Switches: []results.Switch{{Name: "topology", Value: "pipeline"}, {Name: "lifetime", Value: "fresh"}}, Workers: 1},
		Rounds:     4,
		Env:        results.Env{GoVersion: "go1.26.8", WazeroVersion: "v1.12.0", GOOS: "linux", GOARCH: "amd64", CPUs: 2},
		Outcome:    results.OutcomeCompleted,
		Baseline:   uint64(40 * mib),
		Peak:       uint64(r.peak * mib),
		EndOfLoad:  uint64(r.end * mib),
		Retained:   int64(r.retained * mib),
		Settled:    int64(r.settled * mib),
		Slope:      results.Slope{MiBPerRound: r.slope, Rounds: 4},
		Instances:  results.Instances{PeakLive: r.instances, Created: 100, EndLive: 0},
		Requests:   48,
		Errors:     r.errors,
		Throughput: r.throughput,
	}
}

var (
	fixedRun = run{peak: 300, end: 200, retained: 20, settled: 8, slope: 0.1, instances: 6, throughput: 4}
	leakyRun = run{peak: 900, end: 850, retained: 700, settled: 650, slope: 160, instances: 6, throughput: 3.5}
)

// measure builds a measurement of three runs jittered around r.
func measure(name string, expect metric.Expect, r run) Measurement {
	m := Measurement{Scenario: name, Expect: expect}
	for _, j := range []float64{-0.02, 0, 0.02} {
		x := r
		x.peak *= 1 + j
		x.end *= 1 + j
		x.retained *= 1 + j
		x.settled *= 1 + j
		x.slope *= 1 + j
		x.throughput *= 1 + j
		m.Runs = append(m.Runs, x.summary(name))
	}
	return m
}

func baselineFor(t *testing.T, ms ...Measurement) *Baseline {
	t.Helper()
	b, err := NewBaseline(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), ms[0].Runs[0].Env, ms)
	if err != nil {
		t.Fatalf("NewBaseline: %v", err)
	}
	return b
}

func defaultConfig() Config {
	return Config{Thresholds: DefaultThresholds(), BaselineName: "baseline.json"}
}

func rowOf(t *testing.T, r *Report, scenario string, m metric.Metric) Row {
	t.Helper()
	for _, s := range r.Scenarios {
		if s.Name != scenario {
			continue
		}
		for _, row := range s.Rows {
			if row.Metric == m {
				return row
			}
		}
	}
	t.Fatalf("no row %s/%s", scenario, m)
	return Row{}
}

func text(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func wantVerdict(t *testing.T, r *Report, want Verdict) {
	t.Helper()
	if r.Verdict != want {
		t.Fatalf("verdict %s, want %s\n%s", r.Verdict, want, text(t, r))
	}
}

func TestNewStat(t *testing.T) {
	tests := []struct {
		name                 string
		in                   []float64
		median, lo, hi, sprd float64
		n                    int
	}{
		{"odd", []float64{30, 10, 20}, 20, 10, 30, 1, 3},
		{"even takes the mean of the two middle (compare.Median)", []float64{4, 1, 3, 2}, 2.5, 1, 4, 1.2, 4},
		{"one", []float64{5}, 5, 5, 5, 0, 1},
		{"non-finite dropped", []float64{math.NaN(), 7, math.Inf(1), 9, 8}, 8, 7, 9, 0.25, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStat(tc.in)
			if s.Median != tc.median || s.Min != tc.lo || s.Max != tc.hi || s.N() != tc.n || s.Spread() != tc.sprd {
				t.Fatalf("NewStat(%v) = %+v spread %g, want median %g min %g max %g n %d spread %g",
					tc.in, s, s.Spread(), tc.median, tc.lo, tc.hi, tc.n, tc.sprd)
			}
		})
	}
	if s := NewStat(nil); s.N() != 0 || !math.IsNaN(s.Median) || !math.IsNaN(s.Spread()) {
		t.Fatalf("NewStat(nil) = %+v", s)
	}
	if s := NewStat([]float64{-1, 0, 1}); !math.IsInf(s.Spread(), 1) {
		t.Fatalf("spread around a zero median = %g, want +Inf", s.Spread())
	}
}

func TestEvaluate_PassesOnBaselineOwnNumbers(t *testing.T) {
	fixed, leaky := measure("quick-fixed", metric.ExpectStable, fixedRun), measure("quick-leaky", metric.ExpectLeak, leakyRun)
	base := baselineFor(t, fixed, leaky)

	// Through the file, as CI does.
	path := filepath.Join(t.TempDir(), "reports", "baseline.json")
	if err := base.Write(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(loaded, []Measurement{fixed, leaky}, defaultConfig())
	wantVerdict(t, r, Pass)
	if w := r.AllWarnings(); len(w) != 0 {
		t.Fatalf("unexpected warnings: %q", w)
	}
	row := rowOf(t, r, "quick-fixed", metric.Retained)
	if row.Baseline == nil || row.Baseline.Median != 20*mib || row.Change != 0 {
		t.Fatalf("retained row %+v", row)
	}
	out := text(t, r)
	for _, want := range []string{"memory gate: PASS", "quick-fixed: PASS", "retained", "20.0MiB", "+25% & +48.0MiB", "leaks as expected"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvaluate_RegressionNamesTheMetric(t *testing.T) {
	fixed, leaky := measure("quick-fixed", metric.ExpectStable, fixedRun), measure("quick-leaky", metric.ExpectLeak, leakyRun)
	base := baselineFor(t, fixed, leaky)

	// The fixed scenario with listeners flipped to "leaked": every fresh
	// instance stays reachable, so retained, settled and the slope climb.
	flipped := fixedRun
	flipped.retained, flipped.settled, flipped.slope = 420, 400, 95
	now := measure("quick-fixed", metric.ExpectStable, flipped)

	r := Evaluate(base, []Measurement{now, leaky}, defaultConfig())
	wantVerdict(t, r, Regression)
	for _, m := range []metric.Metric{metric.Retained, metric.Settled} {
		if row := rowOf(t, r, "quick-fixed", m); row.Verdict != Regression {
			t.Errorf("%s: verdict %s, want regression", m, row.Verdict)
		}
	}
	// The slope is advisory by default (too noisy over four rounds): a
	// warning, named.
	if row := rowOf(t, r, "quick-fixed", metric.Slope); row.Verdict != Pass || !row.Warn {
		t.Errorf("slope: verdict %s warn %v, want an advisory warning", row.Verdict, row.Warn)
	}
	if w := strings.Join(r.AllWarnings(), "\n"); !strings.Contains(w, "quick-fixed: slope: 0.10MiB/round -> 95.00MiB/round") {
		t.Errorf("warnings don't name the slope:\n%s", w)
	}
	for _, m := range []metric.Metric{metric.Peak, metric.EndOfLoad, metric.Instances, metric.EndInstances, metric.Errors, metric.Throughput} {
		if row := rowOf(t, r, "quick-fixed", m); row.Verdict != Pass || row.Warn {
			t.Errorf("%s: verdict %s warn %v, want pass", m, row.Verdict, row.Warn)
		}
	}
	f := strings.Join(r.Failures(), "\n")
	if !strings.Contains(f, "quick-fixed: retained: 20.0MiB -> 420.0MiB") || !strings.Contains(f, "quick-fixed: settled: 8.0MiB -> 400.0MiB") {
		t.Fatalf("failures don't name the metrics:\n%s", f)
	}
	// And the control still leaks: only the fixed scenario fails.
	if r.Scenarios[1].Verdict != Pass {
		t.Fatalf("leaky control verdict %s", r.Scenarios[1].Verdict)
	}
}

func TestEvaluate_NoiseBelowTheFloorPasses(t *testing.T) {
	fixed := measure("quick-fixed", metric.ExpectStable, fixedRun)
	base := baselineFor(t, fixed)
	noisy := fixedRun
	noisy.retained = 20 + 47   // +235% but only +47 MiB: below the 48 MiB floor
	noisy.settled = 8 + 15.9   // +199%, still below the 16 MiB floor
	noisy.peak = 300 + 40      // +40 MiB but +13.3%: below the relative threshold
	noisy.slope = 0.1 + 15     // ×150 but below 16 MiB/round
	noisy.throughput = 4 * 0.8 // -20%
	r := Evaluate(base, []Measurement{measure("quick-fixed", metric.ExpectStable, noisy)}, defaultConfig())
	wantVerdict(t, r, Pass)

	// Just past both thresholds fails.
	worse := noisy
	worse.peak = 300 + 50 // +50 MiB, +16.7%
	r = Evaluate(base, []Measurement{measure("quick-fixed", metric.ExpectStable, worse)}, defaultConfig())
	wantVerdict(t, r, Regression)
	if row := rowOf(t, r, "quick-fixed", metric.Peak); row.Verdict != Regression {
		t.Fatalf("peak row %+v", row)
	}
}

func TestEvaluate_ExactAndAdvisoryMetrics(t *testing.T) {
	base := baselineFor(t, measure("quick-fixed", metric.ExpectStable, fixedRun))

	// Peak live instances jitter by one on unchanged code (timing decides
	// how many op types overlap): +1 passes, +2 fails.
	more := fixedRun
	more.instances = 7
	r := Evaluate(base, []Measurement{measure("quick-fixed", metric.ExpectStable, more)}, defaultConfig())
	wantVerdict(t, r, Pass)
	more.instances = 8
	r = Evaluate(base, []Measurement{measure("quick-fixed", metric.ExpectStable, more)}, defaultConfig())
	wantVerdict(t, r, Regression)
	if row := rowOf(t, r, "quick-fixed", metric.Instances); row.Verdict != Regression {
		t.Fatalf("two more instances must fail: %+v", row)
	}

	// Instances alive at the end are exact: one that is never closed fails.
	kept := measure("quick-fixed", metric.ExpectStable, fixedRun)
	kept.Runs[0].Instances.EndLive, kept.Runs[1].Instances.EndLive = 1, 1
	r = Evaluate(base, []Measurement{kept}, defaultConfig())
	wantVerdict(t, r, Regression)
	if row := rowOf(t, r, "quick-fixed", metric.EndInstances); row.Verdict != Regression {
		t.Fatalf("an instance left alive must fail: %+v", row)
	}

	errs := fixedRun
	errs.errors = 1
	r = Evaluate(base, []Measurement{measure("quick-fixed", metric.ExpectStable, errs)}, defaultConfig())
	wantVerdict(t, r, Regression)

	fewer := fixedRun
	fewer.instances = 5
	r = Evaluate(base, []Measurement{measure("quick-fixed", metric.ExpectStable, fewer)}, defaultConfig())
	wantVerdict(t, r, Pass)

	slow := fixedRun
	slow.throughput = 1 // -75%: advisory by default
	r = Evaluate(base, []Measurement{measure("quick-fixed", metric.ExpectStable, slow)}, defaultConfig())
	wantVerdict(t, r, Pass)
	row := rowOf(t, r, "quick-fixed", metric.Throughput)
	if !row.Warn || len(r.AllWarnings()) == 0 || !strings.Contains(strings.Join(r.AllWarnings(), "\n"), "throughput") {
		t.Fatalf("throughput drop should warn: %+v %q", row, r.AllWarnings())
	}

	strict := defaultConfig()
	strict.Thresholds.Throughput.Advisory = false
	r = Evaluate(base, []Measurement{measure("quick-fixed", metric.ExpectStable, slow)}, strict)
	wantVerdict(t, r, Regression)

	faster := fixedRun
	faster.throughput = 40
	r = Evaluate(base, []Measurement{measure("quick-fixed", metric.ExpectStable, faster)}, strict)
	wantVerdict(t, r, Pass)
}

func TestEvaluate_LeakyControlMustLeak(t *testing.T) {
	fixed, leaky := measure("quick-fixed", metric.ExpectStable, fixedRun), measure("quick-leaky", metric.ExpectLeak, leakyRun)
	base := baselineFor(t, fixed, leaky)

	// The control's leak vanished (a broken sampler, a "fixed" control):
	// its figures look like the fixed scenario's.
	blind := measure("quick-leaky", metric.ExpectLeak, fixedRun)
	r := Evaluate(base, []Measurement{fixed, blind}, defaultConfig())
	wantVerdict(t, r, Regression)
	want := "the leaky control quick-leaky no longer leaks: the harness cannot see leaks, so a pass would mean nothing"
	if f := strings.Join(r.Failures(), "\n"); !strings.Contains(f, want) {
		t.Fatalf("failures lack %q:\n%s", want, f)
	}
	// The control's drop from the baseline is information, not a failure
	// of its own: only the leak-control check fails.
	if row := rowOf(t, r, "quick-leaky", metric.Retained); row.Verdict != Pass {
		t.Fatalf("control rows must be advisory: %+v", row)
	}

	// A leak no bigger than the stable scenario's does not count either.
	leakyFixed := fixedRun
	leakyFixed.retained, leakyFixed.settled, leakyFixed.slope = 60, 40, 0.5
	stableToo := leakyFixed
	r = Evaluate(nil, []Measurement{measure("fixed", metric.ExpectStable, stableToo), measure("leaky", metric.ExpectLeak, leakyFixed)},
		Config{Thresholds: DefaultThresholds(), Updating: true})
	wantVerdict(t, r, Regression)

	// Slope alone is not enough (it swings by tens of MiB/round on
	// unchanged code); slope with retained is, and so is settled alone.
	control := func(r run) Check {
		t.Helper()
		rep := Evaluate(base, []Measurement{fixed, measure("quick-leaky", metric.ExpectLeak, r)}, defaultConfig())
		cs := rep.Scenarios[1].Checks
		if c := cs[len(cs)-1]; c.Name == "leak control" {
			return c
		}
		t.Fatalf("no leak-control check in %+v", cs)
		return Check{}
	}
	slopeOnly := fixedRun
	slopeOnly.slope = 20
	if c := control(slopeOnly); c.Verdict != Regression {
		t.Fatalf("slope-only control passed: %+v", c)
	}
	slopeRetained := slopeOnly
	slopeRetained.retained = 20 + 40
	if c := control(slopeRetained); c.Verdict != Pass {
		t.Fatalf("slope+retained control: %+v", c)
	}
	settledOnly := fixedRun
	settledOnly.settled = 8 + 40
	if c := control(settledOnly); c.Verdict != Pass {
		t.Fatalf("settled-only control: %+v", c)
	}
}

func TestEvaluate_RunFailures(t *testing.T) {
	fixed := measure("quick-fixed", metric.ExpectStable, fixedRun)
	base := baselineFor(t, fixed)

	crashed := measure("quick-fixed", metric.ExpectStable, fixedRun)
	crashed.Runs[1].Outcome, crashed.Runs[1].ExitCode, crashed.Runs[1].Error = results.OutcomeCrashed, 2, "panic: boom"
	r := Evaluate(base, []Measurement{crashed}, defaultConfig())
	wantVerdict(t, r, Error)
	if f := strings.Join(r.Failures(), "\n"); !strings.Contains(f, "run 2 of 3 ended crashed (exit 2: panic: boom)") {
		t.Fatalf("failures: %s", f)
	}

	noSummary := measure("quick-fixed", metric.ExpectStable, fixedRun)
	noSummary.Failures = []error{errors.New("runner: child did not start")}
	r = Evaluate(base, []Measurement{noSummary}, defaultConfig())
	wantVerdict(t, r, Error)

	capped := measure("quick-fixed", metric.ExpectStable, fixedRun)
	capped.Runs[0].Outcome = results.OutcomeRSSCap
	r = Evaluate(base, []Measurement{capped}, defaultConfig())
	wantVerdict(t, r, Regression)
}

func TestEvaluate_MissingScenarioIsAnError(t *testing.T) {
	base := baselineFor(t, measure("quick-fixed", metric.ExpectStable, fixedRun))
	r := Evaluate(base, []Measurement{measure("other", metric.ExpectStable, fixedRun)}, defaultConfig())
	wantVerdict(t, r, Error)
	if f := strings.Join(r.Failures(), "\n"); !strings.Contains(f, "scenario other is missing from baseline.json (it has quick-fixed)") {
		t.Fatalf("failures: %s", f)
	}
	// When updating the baseline it is the point.
	cfg := defaultConfig()
	cfg.Updating = true
	wantVerdict(t, Evaluate(base, []Measurement{measure("other", metric.ExpectStable, fixedRun)}, cfg), Pass)
}

func TestEvaluate_Limits(t *testing.T) {
	fixed := measure("quick-fixed", metric.ExpectStable, fixedRun)
	base := baselineFor(t, fixed)
	fixed.Limits = []metric.Limit{{Metric: metric.Retained, Op: metric.Less, Bound: 50 * mib}, {Metric: metric.Instances, Op: metric.LessEq, Bound: 6}}
	r := Evaluate(base, []Measurement{fixed}, defaultConfig())
	wantVerdict(t, r, Pass)
	if row := rowOf(t, r, "quick-fixed", metric.Retained); !strings.Contains(row.Limit, "retained < 50MiB") {
		t.Fatalf("limit column %q", row.Limit)
	}

	fixed.Limits = []metric.Limit{{Metric: metric.Retained, Op: metric.Less, Bound: 10 * mib}}
	r = Evaluate(base, []Measurement{fixed}, defaultConfig())
	wantVerdict(t, r, Regression)
	if f := strings.Join(r.Failures(), "\n"); !strings.Contains(f, "retained: median 20.0MiB breaks the scenario limit retained < 10MiB") {
		t.Fatalf("failures: %s", f)
	}

	// Limits are checked when updating, so a bad baseline is never written.
	cfg := defaultConfig()
	cfg.Updating = true
	wantVerdict(t, Evaluate(nil, []Measurement{fixed}, cfg), Regression)
}

func TestEvaluate_Warnings(t *testing.T) {
	fixed := measure("quick-fixed", metric.ExpectStable, fixedRun)
	base := baselineFor(t, fixed)
	now := measure("quick-fixed", metric.ExpectStable, fixedRun)
	for i := range now.Runs {
		now.Runs[i].Env.GoVersion = "go1.27"
		now.Runs[i].Requests = 96
	}
	now.Runs[2].Peak *= 3 // one wild run: the median ignores it, the spread shows it
	r := Evaluate(base, []Measurement{now}, defaultConfig())
	wantVerdict(t, r, Error)
	if f := strings.Join(r.Failures(), "\n"); !strings.Contains(f, "the scenario no longer runs what baseline.json measured (96 requests per run now, 48 in the baseline)") {
		t.Fatalf("failures: %s", f)
	}
	for i := range now.Runs {
		now.Runs[i].Requests = 48
	}
	r = Evaluate(base, []Measurement{now}, defaultConfig())
	wantVerdict(t, r, Pass)
	w := strings.Join(r.AllWarnings(), "\n")
	for _, want := range []string{"Go version differs", "peak is noisy"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
}

func TestLoad_Errors(t *testing.T) {
	dir := t.TempDir()
	good := baselineFor(t, measure("quick-fixed", metric.ExpectStable, fixedRun))
	data, err := good.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, content, want string
	}{
		{"corrupt", "{\n  \"schema\": 1,\n  \"scenarios\": {,\n}", "corrupt JSON at line 3"},
		{"empty", "", "corrupt JSON"},
		{"wrong schema", `{"schema": 7, "scenarios": {}}`, "schema version 7, this gate reads version 1"},
		{"no schema", `{"scenarios": {}}`, "no schema version"},
		{"unknown field", strings.Replace(string(data), `"runs"`, `"rnus"`, 1), "unknown field"},
		{"no scenarios", `{"schema": 1, "runs": 3, "scenarios": {}}`, "no scenarios"},
		{"bad stat", strings.Replace(string(data), `"median": 20971520`, `"median": 1e30`, 1), "not a valid summary"},
		{"bad metric", strings.Replace(string(data), `"retained"`, `"retianed"`, 1), "unknown metric"},
		{"trailing", string(data) + "{}", "corrupt JSON at line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if err == nil || !errors.Is(err, ErrBaseline) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("Load: %v, want an ErrBaseline naming %s and saying %q", err, p, tc.want)
			}
		})
	}
	_, err = Load(filepath.Join(dir, "absent.json"))
	if !errors.Is(err, ErrBaseline) || !strings.Contains(err.Error(), "--update-baseline") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestNewBaseline_RefusesBadRuns(t *testing.T) {
	m := measure("quick-fixed", metric.ExpectStable, fixedRun)
	m.Runs[0].Outcome = results.OutcomeCrashed
	if _, err := NewBaseline(time.Now(), results.Env{}, []Measurement{m}); err == nil {
		t.Fatal("a baseline from a crashed run was accepted")
	}
	if _, err := NewBaseline(time.Now(), results.Env{}, nil); err == nil {
		t.Fatal("an empty baseline was accepted")
	}
}

func TestWriteJUnit(t *testing.T) {
	fixed, leaky := measure("quick-fixed", metric.ExpectStable, fixedRun), measure("quick-leaky", metric.ExpectLeak, leakyRun)
	base := baselineFor(t, fixed, leaky)
	flipped := fixedRun
	flipped.retained = 420
	crashed := measure("quick-leaky", metric.ExpectLeak, leakyRun)
	crashed.Runs[0].Outcome = results.OutcomeSignaled
	crashed.Runs[0].Error = `killed <"OOM" & co>`
	r := Evaluate(base, []Measurement{measure("quick-fixed", metric.ExpectStable, flipped), crashed}, defaultConfig())

	var b bytes.Buffer
	if err := r.WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Errors   int      `xml:"errors,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				Error *struct {
					Message string `xml:"message,attr"`
				} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit XML is not well-formed: %v\n%s", err, b.String())
	}
	// runs + baseline + 9 metrics, plus the leak control for the control.
	if len(doc.Suites) != 2 || len(doc.Suites[0].Cases) != 11 || len(doc.Suites[1].Cases) != 12 || doc.Tests != 23 {
		t.Fatalf("structure: %d suites, tests %d\n%s", len(doc.Suites), doc.Tests, b.String())
	}
	if doc.Failures != 1 || doc.Errors != 1 {
		t.Fatalf("failures %d errors %d, want 1 and 1\n%s", doc.Failures, doc.Errors, b.String())
	}
	var retained string
	for _, c := range doc.Suites[0].Cases {
		if c.Name == "retained" && c.Failure != nil {
			retained = c.Failure.Message
		}
	}
	if !strings.Contains(retained, "exceeds both thresholds") {
		t.Fatalf("retained failure message %q", retained)
	}
	if !strings.Contains(doc.Suites[1].Cases[0].Error.Message, `killed <"OOM" & co>`) {
		t.Fatalf("error message not round-tripped: %+v", doc.Suites[1].Cases[0])
	}
}

func TestWriteMarkdown(t *testing.T) {
	fixed := measure("quick-fixed", metric.ExpectStable, fixedRun)
	r := Evaluate(baselineFor(t, fixed), []Measurement{fixed}, defaultConfig())
	var b bytes.Buffer
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"## ✅ Memory gate: PASS", "| metric | baseline | now | change | spread | limit | verdict |", "| retained | 20.0MiB | 20.0MiB | +0.0% |"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}

func TestThresholds(t *testing.T) {
	if errs := DefaultThresholds().Validate(); len(errs) != 0 {
		t.Fatalf("defaults invalid: %v", errs)
	}
	bad := DefaultThresholds()
	bad.Peak.Relative = -1
	bad.Control.Slope = math.NaN()
	if errs := bad.Validate(); len(errs) != 2 {
		t.Fatalf("Validate = %v, want 2 errors", errs)
	}
	th := DefaultThresholds().Throughput
	if ex, w := th.Exceeded(metric.Throughput, 10, 6.9); !ex || math.Abs(w-3.1) > 1e-9 {
		t.Fatalf("throughput 10 -> 6.9: exceeded %v worse %g", ex, w)
	}
	if ex, _ := th.Exceeded(metric.Throughput, 10, 20); ex {
		t.Fatal("a throughput gain was a regression")
	}
}

// TestBaselineFile checks that the committed baseline, which keeps the
// slope in MiB/round, reads as bytes/round and writes back to the bit.
func TestBaselineFile(t *testing.T) {
	path := filepath.Join("..", "..", "reports", "baseline.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("no committed baseline: %v", err)
	}
	b, err := Decode(data, path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Scenarios map[string]struct {
			Metrics map[string]Stat `json:"metrics"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for name, sb := range b.Scenarios {
		onDisk, inMemory := raw.Scenarios[name].Metrics["slope"].Median, sb.Metrics[metric.Slope].Median
		if inMemory != onDisk*mib {
			t.Errorf("%s: slope %v bytes/round in memory, %v MiB/round on disk", name, inMemory, onDisk)
		}
		if !reflect.DeepEqual(sb.Metrics[metric.Settled], raw.Scenarios[name].Metrics["settled"]) {
			t.Errorf("%s: settled changed on reading", name)
		}
	}
	back, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, data) {
		t.Errorf("%s read and written again differs:\n%s", path, back)
	}
}
