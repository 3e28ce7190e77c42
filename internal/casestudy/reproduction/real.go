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

// moduleRows fills rep.Modules from the runs on the case study's own
// modules (moduleRun): one row per published stage, medians over its
// runs, ratios to their own before run.
func (rep *Reproduction) moduleRows(runs []report.Run) {
	if len(runs) == 0 {
		return
	}
	rows := make([]ReproRow, len(rep.Stages))
	for i, rs := range rep.byStage(runs) {
		rows[i].Stage = rep.Stages[i]
		if len(rs) > 0 {
			fillRow(&rows[i], rs)
		}
	}
	setRatios(rows, rows[0])
	rep.Modules = rows
}
