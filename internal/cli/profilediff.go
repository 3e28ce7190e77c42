package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// sideRun is one completed run of one side of a comparison, with its
// directory.
type sideRun struct {
	dir     string
	summary results.Summary
}

// medianRun returns the run of side whose value of m stands for the
// side's median (compare.MedianIndex: the nearest; for an even count the
// lower middle one), the first run when no value of m is finite: the run
// whose profiles stand for the side. It returns false when side is empty.
func medianRun(m metric.Metric, side []sideRun) (sideRun, bool) {
	if len(side) == 0 {
		return sideRun{}, false
	}
	vals := make([]float64, len(side))
	for i, r := range side {
		vals[i] = m.Value(r.summary)
	}
	return side[max(compare.MedianIndex(vals), 0)], true
}

// metricProfiles returns the profile diffs that explain a difference in
// m between two sides: the heap and linear memory profiles at m's
// landmark (Metric.Landmark) of each side's median run, with the go tool
// pprof command that subtracts base from head. None for a metric no
// profile explains or sides that wrote no profiles.
func metricProfiles(m metric.Metric, base, head []sideRun) []results.ProfileDiff {
	at, ok := m.Landmark()
	if !ok {
		return nil
	}
	b, ok1 := medianRun(m, base)
	h, ok2 := medianRun(m, head)
	if !ok1 || !ok2 {
		return nil
	}
	return results.DiffProfiles(at, b.dir, b.summary, h.dir, h.summary)
}

// landmarkMetrics name, for each landmark, the metric whose median run's
// profiles a baseline keeps for it.
var landmarkMetrics = map[results.Landmark]metric.Metric{
	results.LandmarkPeak:        metric.Peak,
	results.LandmarkEndOfLoad:   metric.Growth,
	results.LandmarkAfterSettle: metric.Settled,
}

// baselineProfilesDir is where the profiles a baseline file keeps live:
// beside it, "baseline.json" → "baseline-profiles", a folder per scenario.
func baselineProfilesDir(baselinePath string) string {
	return strings.TrimSuffix(baselinePath, filepath.Ext(baselinePath)) + "-profiles"
}

// keepBaselineProfiles copies, beside a baseline just written at
// baselinePath, the profiles of each measured scenario at each landmark
// from its median run by that landmark's metric (landmarkMetrics), so
// that a later gate's regression is diffed against them. The folder is
// replaced whole: no profile of an older baseline survives.
func keepBaselineProfiles(baselinePath string, ms []gate.Measurement) error {
	root := baselineProfilesDir(baselinePath)
	if err := os.RemoveAll(root); err != nil {
		return fmt.Errorf("replacing the baseline's profiles: %w", err)
	}
	for _, m := range ms {
		side := make([]sideRun, 0, len(m.Runs))
		for i, s := range m.Runs {
			if i < len(m.Dirs) && s.Outcome == results.OutcomeCompleted {
				side = append(side, sideRun{m.Dirs[i], s})
			}
		}
		for _, at := range results.Landmarks {
			r, ok := medianRun(landmarkMetrics[at], side)
			if !ok {
				continue
			}
			for _, kind := range []results.ProfileKind{results.ProfileHeap, results.ProfileLinear} {
				p, ok := r.summary.Profile(kind, at)
				if !ok {
					continue
				}
				if err := copyFile(filepath.Join(r.dir, p.File), filepath.Join(root, m.Scenario, p.File)); err != nil {
					return fmt.Errorf("keeping the baseline's profiles: %w", err)
				}
			}
		}
	}
	return nil
}

// keptProfiles is the baseline side of scenario as a run: the profiles
// kept beside the baseline (keepBaselineProfiles), none if it kept none.
func keptProfiles(baselinePath, scenario string) sideRun {
	dir := filepath.Join(baselineProfilesDir(baselinePath), scenario)
	r := sideRun{dir: dir}
	for _, kind := range []results.ProfileKind{results.ProfileHeap, results.ProfileLinear} {
		for _, at := range results.Landmarks {
			name := results.ProfileFile(kind, at)
			if st, err := os.Stat(filepath.Join(dir, name)); err == nil && st.Mode().IsRegular() {
				r.summary.Profiles = append(r.summary.Profiles, results.Profile{Kind: kind, Landmark: at, File: name})
			}
		}
	}
	return r
}

// attachBaselineProfiles gives every scenario of rep with a regressed
// metric the diffs that explain it: the baseline's kept profiles against
// those of this gate's median run, at each regressed metric's landmark;
// a scenario whose baseline kept none gets a warning saying how to keep
// them, with this gate's profiles.
func attachBaselineProfiles(rep *gate.Report, baselinePath string, ms []gate.Measurement) {
	for i := range rep.Scenarios {
		s := &rep.Scenarios[i]
		var now []sideRun
		for _, m := range ms {
			if m.Scenario != s.Name {
				continue
			}
			for j, sum := range m.Runs {
				if j < len(m.Dirs) && sum.Outcome == results.OutcomeCompleted {
					now = append(now, sideRun{m.Dirs[j], sum})
				}
			}
		}
		base := keptProfiles(baselinePath, s.Name)
		seen := map[results.Landmark]bool{}
		for _, row := range s.Rows {
			at, ok := row.Metric.Landmark()
			if row.Verdict != gate.Regression || !ok || seen[at] {
				continue
			}
			seen[at] = true
			diffs := metricProfiles(row.Metric, []sideRun{base}, now)
			if len(diffs) > 0 {
				s.Profiles = append(s.Profiles, diffs...)
				continue
			}
			if r, ok := medianRun(row.Metric, now); ok && len(r.summary.Profiles) > 0 {
				s.Warnings = append(s.Warnings, fmt.Sprintf("%s: the baseline keeps no profiles to diff with (--update-baseline keeps them in %s); this gate's median run's are in %s",
					row.Metric, baselineProfilesDir(baselinePath), r.dir))
			}
		}
	}
}

// copyFile copies src to dst, creating dst's folder.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
