package reproduction

import (
	"fmt"
	"strings"

	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
)

// Stage is one published stage of a case study: the figures read off the
// memory graphs of the change being reproduced, and the preset that
// reproduces it. This package owns the shape, not the figures: the
// table (Stages) is given to Reproduce and PlotGrid, and for Next.js pull
// request 23565 ("Fix memory leak in image optimization") it is
// published.Stages.
// Sizes are in MB as published (read off graphs, so approximate); the
// ratios are relative to the first stage ("before") and are what a
// reproduction is compared on, since absolute sizes depend on the
// runtime, the images and the core count.
type Stage struct {
	Preset string // the preset that reproduces this stage: "before", "fix1", "fix1+2", "fixed"
	Label  string // the stage as the publication names it

	// Switches are the preset's, as a run's results.Strategy records
	// them. A run only counts as this stage when none of its switches of
	// these names differs: a scenario may name a preset and override a
	// switch.
	Switches []results.Switch

	RSSStartMB float64 // RSS at the start of the load
	RSSEndMB   float64 // RSS at the end of the load
	PeakMB     float64 // highest RSS
	GrowthMB   float64 // RSSEndMB - RSSStartMB

	GrowthRatio float64 // GrowthMB relative to the first stage's, as published (two decimals)
	PeakRatio   float64 // PeakMB relative to the first stage's, as published (two decimals)

	After string // what the graph shows after the load, "" when it says nothing
}

// Stages are the published stages of a case study in publication order:
// the first is the one the ratios are relative to ("before"), the last
// the fixed one.
type Stages []Stage

// Presets returns the stages' presets, in order.
func (ss Stages) Presets() []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Preset
	}
	return out
}

// index returns the position of preset among the stages, or -1.
func (ss Stages) index(preset string) int {
	for i, s := range ss {
		if s.Preset == preset {
			return i
		}
	}
	return -1
}

// of returns the position of r's stage among the stages, or -1 when r has
// no stage's preset or overrides one of its switches; why says which
// switch, for a run that names a preset but is not its stage. Switches the
// summary leaves empty are not compared.
func (ss Stages) of(r report.Run) (i int, why string) {
	st := r.Summary.Strategy
	i = ss.index(st.Preset)
	if i < 0 {
		return -1, ""
	}
	pub := ss[i]
	var diffs []string
	for _, want := range pub.Switches {
		if got := st.Switch(want.Name); got != "" && got != want.Value {
			diffs = append(diffs, fmt.Sprintf("%s %s instead of %s", want.Name, got, want.Value))
		}
	}
	if len(diffs) > 0 {
		return -1, fmt.Sprintf("%s names preset %s but runs %s: not that stage", r.Name(), st.Preset, strings.Join(diffs, ", "))
	}
	return i, ""
}
