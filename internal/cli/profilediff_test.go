package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
)

// withProfiles gives every run the profiles of every kind and landmark,
// as the child names them.
func withProfiles(runs []abRun) []abRun {
	for i := range runs {
		for _, kind := range []results.ProfileKind{results.ProfileHeap, results.ProfileLinear} {
			for _, at := range results.Landmarks {
				runs[i].summary.Profiles = append(runs[i].summary.Profiles, results.Profile{Kind: kind, Landmark: at, File: results.ProfileFile(kind, at)})
			}
		}
	}
	return runs
}

// TestABDecide_RegressionComesWithProfiles: an A/B regression on settled
// names the two builds' median runs' profiles after settle and the go
// tool pprof command that diffs them, in both reports.
func TestABDecide_RegressionComesWithProfiles(t *testing.T) {
	runs := withProfiles(abRuns("quick-fixed", 5, arms(2, 60), arms(1, 1)))
	rep := abDecide([]scenario.Scenario{{Name: "quick-fixed"}}, runs, gate.DefaultThresholds())
	fs := rep.Scenarios[0].Findings
	if len(fs) != 1 || fs[0].Metric != metric.Settled {
		t.Fatalf("findings %v, want one on settled", fs)
	}
	// The median of five runs is the third (jitter grows with the index).
	want := "go tool pprof -top -diff_base base2/heap-after-settle.pb.gz head2/heap-after-settle.pb.gz"
	if len(fs[0].Profiles) != 2 || fs[0].Profiles[0].Command != want || fs[0].Profiles[1].Kind != results.ProfileLinear {
		t.Errorf("profiles %+v, want heap and linear after settle of the median runs: %s", fs[0].Profiles, want)
	}
	var txt, md bytes.Buffer
	if err := rep.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "    heap after settle: "+want) || !strings.Contains(md.String(), "heap after settle: `"+want+"`") {
		t.Errorf("reports lack the command:\n%s\n%s", txt.String(), md.String())
	}
}

// TestDifferenceProfiles: every significant difference of a comparison
// on a metric a profile explains gets the diff of the two sides' median
// runs; a difference that is not significant, or on a metric no profile
// explains, gets none.
func TestDifferenceProfiles(t *testing.T) {
	var runs []compareRun
	for i, ab := range withProfiles(abRuns("x", 6, arms(2, 60), arms(1, 1))) {
		name := map[string]string{armBase: "before", armHead: "after"}[ab.arm]
		runs = append(runs, compareRun{cell: plannedCell{Scenario: name, Rep: i/2 + 1}, dir: ab.dir, summary: ab.summary})
	}
	ms := []metric.Metric{metric.Settled, metric.Peak, metric.Throughput}
	values := map[compare.Key][]float64{}
	for _, r := range runs {
		for _, m := range ms {
			k := compare.Key{Scenario: r.cell.Scenario, Metric: m.String()}
			values[k] = append(values[k], m.Value(r.summary))
		}
	}
	tab, err := compare.Compare(gate.CompareMetrics(ms), []string{"before", "after"}, values, compare.Options{Ref: "before"})
	if err != nil {
		t.Fatal(err)
	}
	lines := differenceProfiles(tab, ms, runs)
	if len(lines) != 1 || lines[0].head != "settled: after worse than before" || len(lines[0].diffs) != 2 {
		t.Fatalf("lines %+v, want one for settled (peak and throughput are the same on both sides)", lines)
	}
	if d := lines[0].diffs[0]; !strings.HasPrefix(d.Base, "base") || !strings.HasPrefix(d.New, "head") || d.Landmark != results.LandmarkAfterSettle {
		t.Errorf("diff %+v: want base's run against head's, after settle", d)
	}
}

// TestBaselineProfiles_KeptAndDiffed: updating the baseline keeps the
// median runs' profiles beside it; a later regression is diffed against
// them, and without them the report says how to keep them.
func TestBaselineProfiles_KeptAndDiffed(t *testing.T) {
	dir := t.TempDir()
	measure := func(tag string, settled float64) []gate.Measurement {
		m := gate.Measurement{Scenario: "quick-fixed"}
		for i := range 3 {
			rd := filepath.Join(dir, tag+"-"+string(rune('1'+i)))
			s := results.Summary{Scenario: "quick-fixed", Outcome: results.OutcomeCompleted, Settled: int64((settled + float64(i)) * results.MiB)}
			for _, at := range results.Landmarks {
				p := results.Profile{Kind: results.ProfileHeap, Landmark: at, File: results.ProfileFile(results.ProfileHeap, at)}
				s.Profiles = append(s.Profiles, p)
				os.MkdirAll(rd, 0o755)
				if err := os.WriteFile(filepath.Join(rd, p.File), []byte(rd), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m.Runs, m.Dirs = append(m.Runs, s), append(m.Dirs, rd)
		}
		return []gate.Measurement{m}
	}
	baseline := filepath.Join(dir, "baseline.json")
	regressed := &gate.Report{Scenarios: []gate.ScenarioReport{{Name: "quick-fixed", Rows: []gate.Row{{Metric: metric.Settled, Verdict: gate.Regression}}}}}

	attachBaselineProfiles(regressed, baseline, measure("now", 60))
	if s := regressed.Scenarios[0]; len(s.Profiles) != 0 || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "--update-baseline") {
		t.Fatalf("without kept profiles: %+v, want a warning naming --update-baseline", s)
	}

	if err := keepBaselineProfiles(baseline, measure("old", 2)); err != nil {
		t.Fatal(err)
	}
	kept, err := os.ReadFile(filepath.Join(dir, "baseline-profiles", "quick-fixed", "heap-after-settle.pb.gz"))
	if err != nil || string(kept) != filepath.Join(dir, "old-2") {
		t.Fatalf("kept after settle: %q, %v; want the median run old-2's", kept, err)
	}
	regressed.Scenarios[0].Warnings = nil
	attachBaselineProfiles(regressed, baseline, measure("now", 60))
	s := regressed.Scenarios[0]
	want := results.DiffCommand(filepath.Join(dir, "baseline-profiles", "quick-fixed", "heap-after-settle.pb.gz"), filepath.Join(dir, "now-2", "heap-after-settle.pb.gz"))
	if len(s.Profiles) != 1 || s.Profiles[0].Command != want {
		t.Errorf("profiles %+v, want %s", s.Profiles, want)
	}
	var txt bytes.Buffer
	if err := regressed.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "[pprof] heap after settle: "+want) {
		t.Errorf("gate text lacks the command:\n%s", txt.String())
	}
}
