package reproduction

import (
	"errors"
	"fmt"

	"github.com/leakbench/leakbench/internal/report"
)

// PlotGrid draws the four published stages pub as a 2×2 grid, like the
// published images (report.PlotGrid), as base+".png" and base+".svg": for
// Next.js PR 23565 before and fix1 on the top row, fix1+2 and fixed below,
// each titled with its stage, its growth and its peak, with ratios to
// before when that run is present. Runs are placed by stage (their
// preset, when they keep all of its switches); other runs fill the free
// panels in order. A panel without a run says so. More than four runs, or
// two runs of one stage, is an error, except that runs of the real
// optimizer (RealStage) get a third row of their own, its before on the
// left and its fixed release on the right, on the same scale, their
// ratios taken to the real before.
func PlotGrid(pub Stages, runs []report.Run, title, base string) error {
	rows, err := gridRows(pub, runs)
	if err != nil {
		return err
	}
	return report.PlotGrid(rows, title, base)
}

// gridRows places runs in PlotGrid's panels: the stages' two rows, then
// the real optimizer's when it has a run.
func gridRows(pub Stages, runs []report.Run) ([][]report.Panel, error) {
	if len(runs) == 0 {
		return nil, errors.New("reproduction: grid: no runs")
	}
	if len(pub) != 4 {
		return nil, fmt.Errorf("reproduction: grid: %d published stages, a 2×2 grid shows 4", len(pub))
	}
	var real [2]*report.Run
	var ours []report.Run
	for _, r := range runs {
		i := RealStage(r)
		if i < 0 {
			ours = append(ours, r)
			continue
		}
		if real[i] != nil {
			return nil, fmt.Errorf("reproduction: grid: two runs of the real optimizer's %s (%s and %s)", realNames[i], real[i].Dir, r.Dir)
		}
		real[i] = &r
	}
	if len(ours) > 4 {
		return nil, fmt.Errorf("reproduction: grid: %d runs, a 2×2 grid holds 4", len(ours))
	}
	var slots [4]*report.Run
	var rest []report.Run
	for _, r := range ours {
		i, _ := pub.of(r)
		if i < 0 {
			rest = append(rest, r)
			continue
		}
		if slots[i] != nil {
			return nil, fmt.Errorf("reproduction: grid: two runs of preset %q (%s and %s)", r.Summary.Strategy.Preset, slots[i].Dir, r.Dir)
		}
		slots[i] = &r
	}
	for i := range slots {
		if slots[i] == nil && len(rest) > 0 {
			slots[i] = &rest[0]
			rest = rest[1:]
		}
	}
	var before *report.Run
	if slots[0] != nil {
		if i, _ := pub.of(*slots[0]); i == 0 {
			before = slots[0]
		}
	}
	panels := make([]report.Panel, 4)
	for i, r := range slots {
		panels[i] = report.Panel{Run: r, Ref: before,
			Title: pub[i].Preset + ": no run", Note: "no run of preset " + pub[i].Preset}
	}
	rows := [][]report.Panel{panels[:2], panels[2:]}
	if real[0] != nil || real[1] != nil {
		row := make([]report.Panel, 2)
		for i, r := range real {
			row[i] = report.Panel{Run: r, Ref: real[0], Prefix: "real ",
				Title: realNames[i] + ": no run", Note: "no run of the real optimizer's " + realNames[i]}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// PlotGrid draws runs as the grid of rep's stages (PlotGrid): the grid of
// a reproduction's reports (cli.Analysis).
func (rep Reproduction) PlotGrid(runs []report.Run, title, base string) error {
	return PlotGrid(rep.Stages, runs, title, base)
}
