// Package report turns saved leakbench runs into pictures and text: gonum/plot
// curves (PNG and SVG) of one run, of several runs on shared axes and of
// rows of runs on one scale (a grid, like a publication's images), plus
// GitHub-flavoured markdown summaries and an index of an invocation
// folder.
//
// It owns how runs are shown: plots, tables, the index. It leaves the
// rest to others: the runs and their files are package results (Load is
// results.Read), measuring is the runner's, verdicts on limits are the
// commands' and the gate's, and what a program concludes from a set of
// runs is the program's (bench's reproduction of the published stages is
// package reproduction, which uses this one's grid and table cells).
// Memory is stored in bytes and shown in MiB; time is in seconds since the
// child started.
//
// # Entry points
//
//	Load(dir)                        one run directory -> Run
//	PlotRun(run, base)               base.png + base.svg: one run, all series, phases
//	PlotOverlay(runs, title, base)   RSS of several runs on shared axes
//	PlotGrid(rows, title, base)      rows of two panels, one shared scale
//	WriteMarkdown(w, runs)           per-run tables for a CI job summary
//	WriteIndex(dir, title, runs)     dir/index.md linking every file below dir
//
// No function panics: gonum/plot panics raised while drawing are returned
// as errors.
package report

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/leakbench/leakbench/internal/results"
)

// Run is one run as the reports see it: a results.Run (directory,
// summary, samples, events, read warnings) with the names it is shown
// under.
type Run struct {
	results.Run
}

// Load reads one run directory (see results.Read for the files, the
// errors and the warnings).
func Load(dir string) (Run, error) {
	r, err := results.Read(dir)
	return Run{r}, err
}

// Name is the short name a run is shown under: its scenario, else its
// strategy preset, else its directory's name.
func (r Run) Name() string {
	switch {
	case r.Summary.Scenario != "":
		return r.Summary.Scenario
	case r.Summary.Strategy.Preset != "":
		return r.Summary.Strategy.Preset
	case r.Dir != "":
		return filepath.Base(r.Dir)
	}
	return "run"
}

// Title is the long name of a run: scenario, strategy and the idle
// phase's model (" · idle GC: v8", when recorded), e.g.
// "quick-leaky · fixed (pipeline, fresh, views cleared, listeners leaked)",
// or "before (per-worker×15, reuse, views leaked, listeners leaked)" when
// the scenario is named after its preset.
func (r Run) Title() string {
	st := r.Summary.Engine()
	idle := idleGCTitle(r.Summary)
	switch {
	case st == "":
		return r.Name() + idle
	case r.Name() == r.Summary.Strategy.Preset:
		return st + idle
	}
	return r.Name() + " · " + st + idle
}

// AllWarnings returns the load warnings followed by the summary's warnings.
func (r Run) AllWarnings() []string {
	out := make([]string, 0, len(r.Warnings)+len(r.Summary.Warnings))
	out = append(out, r.Warnings...)
	return append(out, r.Summary.Warnings...)
}

// mib converts bytes to MiB.
func mib[T uint64 | int64 | int](b T) float64 { return float64(b) / results.MiB }

// FormatMiB formats a byte count in MiB with one decimal, "—" for zero
// (a figure the run never reached).
func FormatMiB(b uint64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f", mib(b))
}

// FormatDelta formats a signed byte difference in MiB with an explicit sign.
func FormatDelta(b int64) string {
	return fmt.Sprintf("%+.1f", mib(b))
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// loadEnded reports whether the run got past its load phase: a sample of a
// later phase, or a figure of one in the summary.
func loadEnded(r Run) bool {
	for i := len(r.Samples) - 1; i >= 0; i-- {
		switch r.Samples[i].Phase {
		case results.PhaseIdle, results.PhaseSettle, results.PhaseDone:
			return true
		}
	}
	s := r.Summary
	return s.AfterIdle > 0 || s.AfterSettle > 0 || (len(r.Samples) == 0 && s.Outcome == results.OutcomeCompleted)
}

// completed reports whether the run ended as planned; a summary without an
// outcome counts as completed.
func completed(r Run) bool {
	return r.Summary.Outcome == "" || r.Summary.Outcome == results.OutcomeCompleted
}

// Growth returns the run's growth (end of load - baseline) and the end
// of load it used, in bytes. A run that ended during its load phase has no
// true end of load: its last load sample (or, failing that, its last
// sample) stands in, and lowerBound says the growth is then a lower bound.
// ok is false when either figure is unknown.
func (r Run) Growth() (growth int64, end uint64, lowerBound, ok bool) {
	s := r.Summary
	base, end := s.Baseline, s.EndOfLoad
	if base == 0 {
		base = runMarks(r).baseline
	}
	if !completed(r) && !loadEnded(r) {
		if end == 0 && len(r.Samples) > 0 {
			end = r.Samples[len(r.Samples)-1].RSS
		}
		lowerBound = end > 0
	}
	if end == 0 || base == 0 {
		return 0, end, false, false
	}
	return int64(end) - int64(base), end, lowerBound, true
}

// BaselineRSS returns the run's baseline RSS: the summary's, or for a
// run whose summary lacks it (one that crashed early) its start-up
// samples'.
func (r Run) BaselineRSS() uint64 { return runMarks(r).baseline }

// PeakRSS returns the run's highest sampled RSS: the summary's, or the
// samples' for a run whose summary lacks it.
func (r Run) PeakRSS() uint64 { return runMarks(r).peak }

// fmtGrowth formats a run's growth in MiB, "≥ " marking a lower bound and
// "—" an unknown.
func fmtGrowth(r Run, format string) string {
	g, _, lb, ok := r.Growth()
	if !ok {
		return "—"
	}
	s := fmt.Sprintf(format, mib(g))
	if lb {
		s = "≥ " + s
	}
	return s
}
