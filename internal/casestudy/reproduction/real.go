package reproduction

import (
	"strings"

	"github.com/leakbench/leakbench/internal/report"
)

// The scenarios of the real Next.js image optimizer (examples/nextjs,
// internal/casestudy/scenarios/nextjs-*.yaml), whose runs the grid and the reproduction show
// beside ours: the leaky release and the fixed one, each with its quick
// and tiny twins ("nextjs-before-quick").
const (
	RealBefore = "nextjs-before"
	RealFixed  = "nextjs-fixed"
)

// realNames say what the two real runs are.
var realNames = [2]string{"before (next@10.1.0)", "fixed (next@10.1.3)"}

// RealStage returns 0 for a run of the real optimizer's leaky release, 1
// for its fixed one, and -1 for any other run, by the run's scenario name:
// RealBefore or RealFixed, alone or with a "-" suffix.
func RealStage(r report.Run) int {
	for i, name := range []string{RealBefore, RealFixed} {
		if n := r.Summary.Scenario; n == name || strings.HasPrefix(n, name+"-") {
			return i
		}
	}
	return -1
}

// realRows fills rep.Real from the runs of the real optimizer, with
// ratios to its own before run, against the first and the last of
// rep.Stages (not empty), the published before and fixed.
func (rep *Reproduction) realRows(runs []report.Run) {
	pub := rep.Stages
	stages := [2]Stage{pub[0], pub[len(pub)-1]}
	var rows [2]ReproRow
	var byStage [2][]report.Run
	for _, r := range runs {
		if i := RealStage(r); i >= 0 {
			byStage[i] = append(byStage[i], r)
		}
	}
	for i, rs := range byStage {
		if len(rs) > 0 {
			rows[i].Stage = stages[i]
			fillRow(&rows[i], rs)
		}
	}
	if !rows[0].Found && !rows[1].Found {
		return
	}
	for i := range rows {
		if !rows[i].Found {
			rows[i].Stage = stages[i]
		}
	}
	setRatios(rows[:], rows[0])
	rep.Real = rows[:]
}

// setRatios sets each found row's growth and peak ratios to b, its
// group's own before run, and their differences from the published
// ratios; none when b lacks a growth or a peak.
func setRatios(rows []ReproRow, b ReproRow) {
	for i := range rows {
		row := &rows[i]
		if row.Found && b.Found && b.Growth > 0 && b.Peak > 0 && row.End > 0 && row.Peak > 0 {
			row.HasRatios = true
			row.GrowthRatio = float64(row.Growth) / float64(b.Growth)
			row.PeakRatio = float64(row.Peak) / float64(b.Peak)
			row.GrowthDelta = row.GrowthRatio - row.Stage.GrowthRatio
			row.PeakDelta = row.PeakRatio - row.Stage.PeakRatio
		}
	}
}

// moduleRows fills rep.Modules from the runs on the case study's own
// modules (moduleRun): one row per published stage, medians over its
// runs, ratios to their own before run.
func (rep *Reproduction) moduleRows(runs []report.Run) {
	if len(runs) == 0 {
		return
	}
	rows := make([]ReproRow, len(rep.Stages))
	byStage := make([][]report.Run, len(rep.Stages))
	for _, r := range runs {
		i, why := rep.Stages.of(r)
		if why != "" {
			rep.Notes = append(rep.Notes, why)
		}
		if i >= 0 {
			byStage[i] = append(byStage[i], r)
		}
	}
	for i, rs := range byStage {
		rows[i].Stage = rep.Stages[i]
		if len(rs) > 0 {
			fillRow(&rows[i], rs)
		}
	}
	setRatios(rows, rows[0])
	rep.Modules = rows
}
