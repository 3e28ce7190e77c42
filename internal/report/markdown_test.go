package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

const mb = results.MiB

// knownRun is a run with round numbers: growth +250 MiB, retained +200,
// settled +20, slope 2.50 ± 0.40.
func knownRun() Run {
	return Run{results.Run{Dir: "out/known", Summary: results.Summary{
		Scenario: "known|pipe",
		Strategy: results.Strategy{Preset: "fix1", Switches: []results.Switch{{Name: "topology", Value: "pipeline", Text: "pipeline"}, {Name: "lifetime", Value: "reuse", Text: "reuse"}, {Name: "views", Value: "leaked"}, {Name: "listeners", Value: "leaked"}}, Workers: 6},
		Rounds:   8, Outcome: results.OutcomeCompleted, Seconds: 61.5,
		Baseline: 100 * mb, Peak: 500 * mb, PeakHWM: 520 * mb,
		EndOfLoad: 350 * mb, AfterIdle: 300 * mb, AfterSettle: 120 * mb,
		Growth: 250 * mb, Retained: 200 * mb, Settled: 20 * mb,
		HeapLiveAfterSettle: 30 * mb, LeakedAfterSettle: 12 * mb,
		Slope:     results.Slope{MiBPerRound: 2.5, CILow: 2.1, CIHigh: 2.9, Rounds: 8},
		Instances: results.Instances{Created: 6, PeakLive: 6, EndLive: 6},
		Requests:  480, Errors: 3, Throughput: 12.345,
		Env:      results.Env{GoVersion: "go1.26.8", WazeroVersion: "v1.12.0", GOOS: "linux", GOARCH: "amd64", CPUs: 2},
		Warnings: []string{"only 8 rounds"},
	}}}
}

func TestWriteMarkdown(t *testing.T) {
	crashed := Run{results.Run{Dir: "out/crash", Summary: results.Summary{
		Scenario: "crashy", Outcome: results.OutcomeRSSCap, Baseline: 90 * mb, Peak: 900 * mb,
		Error: "RSS 900 MiB over the cap of 800 MiB", Env: results.Env{GoVersion: "go1.26.8", CPUs: 16},
		Slope: results.Slope{MiBPerRound: 40, Rounds: 2},
	}, Warnings: []string{"samples.jsonl: dropped line 77, the last one, as truncated (a killed writer?)"}}}
	// Killed during the load the runner's way: end of load is the last
	// load sample, so growth is a lower bound.
	killed := knownRun()
	killed.Summary.Scenario, killed.Summary.Strategy.Preset, killed.Summary.Outcome = "killed", "before", results.OutcomeRSSCap
	killed.Summary.AfterIdle, killed.Summary.AfterSettle, killed.Summary.Retained, killed.Summary.Settled = 0, 0, 0, 0
	killed.Samples = []results.Sample{{T: 0, Phase: results.PhaseStartup}, {T: 1, Phase: results.PhaseLoad}}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, []Run{knownRun(), crashed, killed}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	keepOutput("summary-test.md", b.Bytes())
	wantTexts(t, "markdown", md,
		"| known\\|pipe | fix1 (pipeline, reuse, views leaked, listeners leaked) | 100.0 | 500.0 / 520.0 | 350.0 | 300.0 | 120.0 | +250.0 | +200.0 | +20.0 | 2.50 ± 0.40 | 12.0 |",
		"| known\\|pipe | completed | 8 | 6 / 6 | 480 | 3 | 12.35 | 30.0 | 61.5 |",
		// The crashed run: figures it never reached are dashes, the CI is unbounded.
		"| crashy | — | 90.0 | 900.0 / — | — | — | — | — | — | — | 40.00 (CI unbounded, 2 rounds) | 0.0 |",
		"⚠ **rss-cap**",
		"- **known|pipe**: only 8 rounds",
		"- **crashy**: did not complete: rss-cap: RSS 900 MiB over the cap of 800 MiB",
		"- **crashy**: samples.jsonl: dropped line 77",
		"Environments differ",
		"| killed | before (pipeline, reuse, views leaked, listeners leaked) | 100.0 | 500.0 / 520.0 | ≥ 350.0 | — | — | ≥ +250.0 | — | — |",
		"≥: the run ended during its load phase",
	)
	// The crashed run reported no Go heap: "n/a", not 0.0, in the second
	// table (the one with the heap column).
	heapRow := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| crashy | ") && strings.Contains(line, " | n/a | ") {
			heapRow = true
		}
	}
	if !heapRow || !strings.Contains(md, "| 30.0 | 61.5 |") {
		t.Errorf("markdown lacks the crashed run's heap as n/a beside the known run's 30.0:\n%s", md)
	}
	// Every table row has as many cells as its header.
	for _, table := range strings.Split(md, "\n\n") {
		lines := strings.Split(strings.TrimSpace(table), "\n")
		if !strings.HasPrefix(lines[0], "|") {
			continue
		}
		n := strings.Count(strings.ReplaceAll(lines[0], `\|`, ""), "|")
		for _, l := range lines[1:] {
			if c := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|"); c != n {
				t.Errorf("row %q has %d bars, header %d", l, c, n)
			}
		}
	}

	b.Reset()
	if err := WriteMarkdown(&b, nil); err != nil || !strings.Contains(b.String(), "No runs") {
		t.Errorf("no runs: %q, %v", b.String(), err)
	}
}

func TestFmtSlope(t *testing.T) {
	for _, c := range []struct {
		s    results.Slope
		want string
	}{
		{results.Slope{}, "—"},
		{results.Slope{Rounds: 1, CILow: -math.MaxFloat64, CIHigh: math.MaxFloat64}, "— (1 round: no slope)"},
		{results.Slope{MiBPerRound: 1, CILow: 0.5, CIHigh: 1.5, Rounds: 5}, "1.00 ± 0.50"},
		{results.Slope{MiBPerRound: 1, CILow: math.Inf(-1), CIHigh: math.Inf(1), Rounds: 5}, "1.00 (CI unbounded, 5 rounds)"},
		{results.Slope{MiBPerRound: -0.25, CILow: -0.5, CIHigh: 0, Rounds: 3}, "-0.25 ± 0.25"},
	} {
		if got := fmtSlope(c.s); got != c.want {
			t.Errorf("fmtSlope(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestRunNames(t *testing.T) {
	st := results.Strategy{Preset: "fixed", Switches: []results.Switch{{Name: "topology", Value: "pipeline", Text: "pipeline"}, {Name: "lifetime", Value: "fresh", Text: "fresh"}, {Name: "views", Value: "cleared"}, {Name: "listeners", Value: "leaked"}}, Workers: 1}
	for _, c := range []struct {
		r           Run
		name, title string
	}{
		{Run{results.Run{Summary: results.Summary{Scenario: "quick-leaky", Strategy: st}}}, "quick-leaky",
			"quick-leaky · fixed (pipeline, fresh, views cleared, listeners leaked)"},
		{Run{results.Run{Summary: results.Summary{Scenario: "before", Strategy: results.Strategy{Preset: "before", Switches: []results.Switch{{Name: "topology", Value: "per-worker", Text: "per-worker×15"}}, Workers: 15}}}},
			"before", "before (per-worker×15)"},
		{Run{results.Run{Summary: results.Summary{Strategy: results.Strategy{Preset: "fix1"}}}}, "fix1", "fix1"},
		{Run{results.Run{Summary: results.Summary{Scenario: "fix1", Strategy: results.Strategy{Preset: "fix1", Switches: []results.Switch{{Name: "topology", Value: "pipeline", Text: "pipeline"}}}, IdleGC: "v8"}}},
			"fix1", "fix1 (pipeline) · idle GC: v8"},
		{Run{results.Run{Dir: "a/b/run-7"}}, "run-7", "run-7"},
	} {
		if n, ti := c.r.Name(), c.r.Title(); n != c.name || ti != c.title {
			t.Errorf("Name %q Title %q, want %q %q", n, ti, c.name, c.title)
		}
	}
}
