// Package published is the case study's published figures: the four
// stages of the Next.js pull request 23565 ("Fix memory leak in image
// optimization", merged 2021-03-31), with the RSS figures read off its
// memory graphs for one page of 20 high-resolution PNGs, and the ratios
// to "before" it states (growth 1.00, 0.41, 0.28, 0.06; peak 1.00, 0.57,
// 0.46, 0.34).
//
// It is the one table of the published stages. Which stages there are,
// in which order, and the engine switches that reproduce each are the
// engine's published presets (engine.Presets, engine.Preset); the figures
// are this package's; Stages puts them together as the data a
// reproduction compares runs with (reproduction.Reproduce,
// reproduction.PlotGrid).
package published

import (
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/casestudy/reproduction"
)

// figures are one stage's published figures, in MB as published (read off
// graphs, so approximate); the ratios are as published, to two decimals.
type figures struct {
	label                  string // the stage as the pull request names it
	startMB, endMB, peakMB float64
	growthRatio, peakRatio float64
	after                  string // what the graph shows after the load, "" when it says nothing
}

// byPreset are the figures of each of engine.Presets.
var byPreset = map[string]figures{
	"before": {label: "before (all four causes)", startMB: 250, endMB: 3200, peakMB: 3500,
		growthRatio: 1.00, peakRatio: 1.00, after: "never decreased"},
	"fix1": {label: "fix 1", startMB: 280, endMB: 1500, peakMB: 2000,
		growthRatio: 0.41, peakRatio: 0.57},
	"fix1+2": {label: "fix 1+2", startMB: 280, endMB: 1100, peakMB: 1600,
		growthRatio: 0.28, peakRatio: 0.46},
	"fixed": {label: "fix 1+2+3+4", startMB: 300, endMB: 480, peakMB: 1200,
		growthRatio: 0.06, peakRatio: 0.34, after: "GC visibly returns memory"},
}

// Stages returns the published stages in publication order (before,
// fix1, fix1+2, fixed): each engine published preset with its switches
// and its figures. Each call returns a fresh slice.
func Stages() reproduction.Stages {
	names := engine.Presets()
	out := make(reproduction.Stages, 0, len(names))
	for _, name := range names {
		s, _ := engine.Preset(name)
		f := byPreset[name]
		out = append(out, reproduction.Stage{
			Preset: name, Label: f.label,
			Switches:   s.Switches(0),
			RSSStartMB: f.startMB, RSSEndMB: f.endMB, PeakMB: f.peakMB, GrowthMB: f.endMB - f.startMB,
			GrowthRatio: f.growthRatio, PeakRatio: f.peakRatio,
			After: f.after,
		})
	}
	return out
}
