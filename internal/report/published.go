package report

import (
	"fmt"
	"strings"
)

// Stage is one of the four published stages of the Next.js pull request
// 23565 ("Fix memory leak in image optimization"), with the figures read
// off its memory graphs. Sizes are in MB as published (read off graphs, so
// approximate); the ratios are relative to "before" and are what a
// reproduction is compared on, since absolute sizes depend on the runtime,
// the images and the core count.
type Stage struct {
	Preset string // the engine preset that reproduces this stage: "before", "fix1", "fix1+2", "fixed"
	Label  string // the stage as the pull request names it

	// The engine switches of the preset (engine.Preset), as results.Strategy
	// writes them. A run only counts as this stage when its switches match:
	// a scenario may name a preset and override a switch.
	Topology, Lifetime, Views, Listeners string

	RSSStartMB float64 // RSS at the start of the load
	RSSEndMB   float64 // RSS at the end of the load
	PeakMB     float64 // highest RSS
	GrowthMB   float64 // RSSEndMB - RSSStartMB

	GrowthRatio float64 // GrowthMB relative to before's, as published (two decimals)
	PeakRatio   float64 // PeakMB relative to before's, as published (two decimals)

	After string // what the graph shows after the load, "" when it says nothing
}

// Published returns the four published stages in order: before, fix1,
// fix1+2, fixed. Each call returns a fresh slice.
func Published() []Stage {
	return []Stage{
		{Preset: "before", Label: "before (all four causes)",
			Topology: "per-worker", Lifetime: "reuse", Views: "leaked", Listeners: "leaked",
			RSSStartMB: 250, RSSEndMB: 3200, PeakMB: 3500, GrowthMB: 2950,
			GrowthRatio: 1.00, PeakRatio: 1.00, After: "never decreased"},
		{Preset: "fix1", Label: "fix 1",
			Topology: "pipeline", Lifetime: "reuse", Views: "leaked", Listeners: "leaked",
			RSSStartMB: 280, RSSEndMB: 1500, PeakMB: 2000, GrowthMB: 1220,
			GrowthRatio: 0.41, PeakRatio: 0.57},
		{Preset: "fix1+2", Label: "fix 1+2",
			Topology: "pipeline", Lifetime: "fresh", Views: "leaked", Listeners: "leaked",
			RSSStartMB: 280, RSSEndMB: 1100, PeakMB: 1600, GrowthMB: 820,
			GrowthRatio: 0.28, PeakRatio: 0.46},
		{Preset: "fixed", Label: "fix 1+2+3+4",
			Topology: "pipeline", Lifetime: "fresh", Views: "cleared", Listeners: "removed",
			RSSStartMB: 300, RSSEndMB: 480, PeakMB: 1200, GrowthMB: 180,
			GrowthRatio: 0.06, PeakRatio: 0.34, After: "GC visibly returns memory"},
	}
}

// stageIndex returns the position of preset among the published stages,
// or -1.
func stageIndex(preset string) int {
	for i, s := range Published() {
		if s.Preset == preset {
			return i
		}
	}
	return -1
}

// stageOf returns the position of r's stage among the published stages,
// or -1 when r has no published preset or overrides one of its switches;
// why says which switch, for a run that names a preset but is not its
// stage. Switches the summary leaves empty are not compared.
func stageOf(r Run) (i int, why string) {
	st := r.Summary.Strategy
	i = stageIndex(st.Preset)
	if i < 0 {
		return -1, ""
	}
	pub := Published()[i]
	var diffs []string
	for _, c := range []struct{ name, got, want string }{
		{"topology", st.Topology, pub.Topology},
		{"lifetime", st.Lifetime, pub.Lifetime},
		{"views", st.Views, pub.Views},
		{"listeners", st.Listeners, pub.Listeners},
	} {
		if c.got != "" && c.got != c.want {
			diffs = append(diffs, fmt.Sprintf("%s %s instead of %s", c.name, c.got, c.want))
		}
	}
	if len(diffs) > 0 {
		return -1, fmt.Sprintf("%s names preset %s but runs %s: not that stage", r.Name(), st.Preset, strings.Join(diffs, ", "))
	}
	return i, ""
}
