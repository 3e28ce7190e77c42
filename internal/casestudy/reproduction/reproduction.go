package reproduction

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
)

// Tolerances of the reproduction checks.
const (
	// GrowthRatioTolerance is how far our growth ratio may be from the
	// published one.
	GrowthRatioTolerance = 0.10
	// RetainedTolerance is the share of its baseline the fixed run may
	// still hold after the idle phase and the settle step. It may always
	// hold metric.NoiseFloor, whatever its baseline: a Go child's baseline
	// is ~17 MiB (the published Node one was ~300 MB), and 20% of it is
	// below the noise of RSS itself.
	RetainedTolerance = 0.20
)

// ReproRow is our figures for one published stage beside the published
// ones.
//
// A stage may have several runs (bench reproduce --runs): every figure is
// then the median of that figure over its runs (compare.Median, the
// harness's one rule: the middle run's for an odd count, the mean of the
// two middle ones for an even count), so the
// checks judge a stage by its typical run rather than by one draw of a
// garbage collector's sawtooth; Spread gives the runs' extremes.
type ReproRow struct {
	Stage Stage // the published figures
	Found bool  // a run of this stage's preset was given
	// Run is the stage's run when it has one, else the run of the median
	// peak (compare.MedianIndex: for an even count, the lower middle one):
	// the one its plots show.
	Run report.Run
	// Runs is how many runs the figures are medians of.
	Runs int
	// Peaks and Growths are every run's peak and growth in bytes, in run
	// order (growth 0 for a run without an end of load).
	Peaks   []uint64
	Growths []int64

	Baseline, End, Peak uint64 // ours, bytes (End: end of load)
	AfterIdle           uint64 // ours, bytes; 0 when never reached
	AfterSettle         uint64 // ours, bytes; 0 when never reached
	Growth              int64  // End - Baseline, bytes
	// EndIsLowerBound is set when a run did not complete and End is its
	// last sampled RSS: growth and peak are then lower bounds.
	EndIsLowerBound bool

	// HasRatios is set when both this run and "before" have a usable
	// growth and peak; the ratios are relative to our "before".
	HasRatios              bool
	GrowthRatio, PeakRatio float64
	GrowthDelta, PeakDelta float64 // ours - published
}

// Check is one pass/fail statement of the reproduction.
type Check struct {
	Name    string // what is checked, e.g. "growth strictly falling"
	Checked bool   // false when a missing stage or figure prevents the check
	OK      bool   // meaningful only when Checked
	Detail  string // the numbers behind the verdict, or why it was not checked
	// Aim marks a check that is reported but does not decide the verdict:
	// the growth ratios, which depend on the runtime, the images and the
	// core count; the ordering and the return to baseline are required.
	Aim bool
}

// CheckResult is how a Check came out: the one rule every rendering of the
// checks follows.
type CheckResult uint8

// The results of a check.
const (
	CheckPassed  CheckResult = iota // checked and holds
	CheckSkipped                    // not checked: a stage or figure is missing
	CheckMissed                     // an aim that does not hold (not required)
	CheckFailed                     // a required check that does not hold
)

// Result says how the check came out.
func (c Check) Result() CheckResult {
	switch {
	case !c.Checked:
		return CheckSkipped
	case c.OK:
		return CheckPassed
	case c.Aim:
		return CheckMissed
	}
	return CheckFailed
}

// Reproduction compares runs of the presets of a case study's published
// stages with the stages. Build it with Reproduce; Write renders it.
type Reproduction struct {
	Stages  Stages     // the published stages compared with
	Rows    []ReproRow // one per published stage, in stage order
	Missing []string   // presets without a run
	Checks  []Check
	Notes   []string // caveats: duplicates, lower bounds, no "before"
	// Modules holds the stages run on the case study's own modules (runs
	// whose strategy names a codec set, moduleRun: for Next.js,
	// next@10.1.0's squoosh modules), when any was given beside runs on
	// the default set: one row per stage, ratios to their own before run.
	// They decide no check. Without runs on the default set, the module
	// runs are the stages (Rows).
	Modules []ReproRow
	// Real holds the real optimizer's runs (RealStage), before and fixed,
	// when any was given: their ratios are to the real before run, their
	// Stage the published before and fixed. They decide no check.
	Real []ReproRow
}

// modulesName names the codec set of rep.Modules' runs in the table:
// "squoosh modules".
func (rep Reproduction) modulesName() string {
	for _, r := range rep.Modules {
		if r.Found {
			return r.Run.Summary.Strategy.Switch(modulesSwitch) + " modules"
		}
	}
	return "own modules"
}

// modulesSwitch is the switch of a run's strategy that names the codec
// set it ran on when not the default one (the builtin engine's codecs,
// recorded only when not embedded).
const modulesSwitch = "codecs"

// moduleRun reports whether r ran on a codec set of its own
// (modulesSwitch), not the default one: a run for Reproduction.Modules.
func moduleRun(r report.Run) bool { return r.Summary.Strategy.Switch(modulesSwitch) != "" }

// Passed reports whether all four stages ran and every required check
// (every check but the aims) was made and passed.
func (r Reproduction) Passed() bool {
	if len(r.Missing) > 0 {
		return false
	}
	required := 0
	for _, c := range r.Checks {
		if c.Aim {
			continue
		}
		required++
		if !c.Checked || !c.OK {
			return false
		}
	}
	return required > 0
}

// Reproduce picks the runs whose strategy preset is one of pub's (for
// Next.js PR 23565 before, fix1, fix1+2 or fixed; a run that names a
// preset but overrides one of its switches is left out, with a note;
// several runs of a stage are summarised by their medians, see ReproRow)
// and compares them with pub, the case study's published stages: our
// growth (end of load - baseline) and sampled peak relative to our first
// stage ("before"), against the published ratios. Checks: growth
// and peak strictly falling across the stages present, the fixed run's
// RSS after idle and settle within RetainedTolerance of its baseline, and each growth
// ratio within GrowthRatioTolerance of the published one. A missing stage
// is listed in Missing, its checks are marked not checked, and no ratio is
// invented for it. Runs of the real optimizer (RealStage) go to Real.
func Reproduce(pub Stages, runs []report.Run) Reproduction {
	rep := Reproduction{Stages: pub}
	if len(pub) == 0 {
		rep.Notes = append(rep.Notes, "no published stages to compare the runs with")
		return rep
	}
	rep.Rows = make([]ReproRow, len(pub))
	for i, st := range pub {
		rep.Rows[i].Stage = st
	}
	var ours, moduleRuns []report.Run
	for _, r := range runs {
		switch {
		case RealStage(r) >= 0:
		case moduleRun(r):
			moduleRuns = append(moduleRuns, r)
		default:
			ours = append(ours, r)
		}
	}
	if len(ours) == 0 {
		// Every stage ran on the one codec set (bench reproduce --codecs
		// squoosh): those runs are the stages, checked as ours would be.
		ours, moduleRuns = moduleRuns, nil
	}
	for i, rs := range rep.byStage(ours) {
		if len(rs) == 0 {
			continue
		}
		fillRow(&rep.Rows[i], rs)
		for _, r := range rs {
			if _, _, lower, _ := r.Growth(); lower {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s did not complete (%s): its end of load is its last sampled RSS, so its growth and peak are lower bounds",
					runRef(r), r.Summary.Outcome))
			}
		}
	}
	for _, row := range rep.Rows {
		if !row.Found {
			rep.Missing = append(rep.Missing, row.Stage.Preset)
		}
	}

	before := rep.Rows[0]
	ratiosOK := before.Found && before.Growth > 0 && before.Peak > 0
	switch {
	case !before.Found:
		rep.Notes = append(rep.Notes, "no run of preset before: ratios need it, none computed")
	case !ratiosOK:
		rep.Notes = append(rep.Notes, fmt.Sprintf("before has growth %s MiB and peak %s MiB: ratios need both above zero, none computed",
			report.FormatDelta(before.Growth), report.FormatMiB(before.Peak)))
	}
	setRatios(rep.Rows, before)

	rep.Checks = append(rep.Checks,
		fallingCheck(rep.Rows, "growth falling", func(r ReproRow) (float64, []float64, bool) {
			return mib(r.Growth), mibs(r.Growths), r.End > 0 && r.Baseline > 0
		}, "%+.1f"),
		fallingCheck(rep.Rows, "peak falling", func(r ReproRow) (float64, []float64, bool) {
			return mib(r.Peak), mibs(r.Peaks), r.Peak > 0
		}, "%.1f"),
		retainedCheck(rep.Rows[len(rep.Rows)-1]),
	)
	for _, row := range rep.Rows[1:] {
		rep.Checks = append(rep.Checks, ratioCheck(row, ratiosOK))
	}
	rep.moduleRows(moduleRuns)
	rep.realRows(runs)
	return rep
}

// byStage groups runs by their stage among rep.Stages (Stages.of), in
// stage order, leaving out the runs of none; a run that names a stage's
// preset but overrides one of its switches gets a note.
func (rep *Reproduction) byStage(runs []report.Run) [][]report.Run {
	out := make([][]report.Run, len(rep.Stages))
	for _, r := range runs {
		i, why := rep.Stages.of(r)
		if why != "" {
			rep.Notes = append(rep.Notes, why)
		}
		if i >= 0 {
			out[i] = append(out[i], r)
		}
	}
	return out
}

// runRef names a run by name and directory.
func runRef(r report.Run) string {
	if r.Dir == "" {
		return r.Name()
	}
	return r.Name() + " (" + r.Dir + ")"
}

// fillRow sets row's figures from the stage's runs (at least one): each
// figure the median of the runs' own, Run the run of the median peak.
func fillRow(row *ReproRow, runs []report.Run) {
	n := len(runs)
	row.Found, row.Runs = true, n
	row.Peaks, row.Growths = make([]uint64, n), make([]int64, n)
	var base, peak, idle, settle, end, growth []float64
	for i, r := range runs {
		s, pk := r.Summary, r.PeakRSS()
		g, e, lower, ok := r.Growth()
		if !ok {
			g, e = 0, 0
		}
		row.EndIsLowerBound = row.EndIsLowerBound || lower
		row.Peaks[i], row.Growths[i] = pk, g
		base, peak = append(base, float64(r.BaselineRSS())), append(peak, float64(pk))
		idle, settle = append(idle, float64(s.AfterIdle)), append(settle, float64(s.AfterSettle))
		end, growth = append(end, float64(e)), append(growth, float64(g))
	}
	median := compare.Median
	row.Baseline, row.Peak = uint64(median(base)), uint64(median(peak))
	row.AfterIdle, row.AfterSettle = uint64(median(idle)), uint64(median(settle))
	row.End, row.Growth = uint64(median(end)), int64(median(growth))
	row.Run = runs[compare.MedianIndex(peak)]
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

// Representatives returns the run each stage's plots show (ReproRow.Run),
// in stage order, then the real optimizer's: one run per stage, as the
// grid and the overlay of a reproduction want.
func (rep Reproduction) Representatives() []report.Run {
	var out []report.Run
	for _, r := range append(slices.Clone(rep.Rows), rep.Real...) {
		if r.Found {
			out = append(out, r.Run)
		}
	}
	return out
}

// spread is " (lo–hi)" of a stage's values over several runs, "" for one.
func spread[T int64 | uint64](vs []T, format func(T) string) string {
	if len(vs) < 2 {
		return ""
	}
	return " (" + format(slices.Min(vs)) + "–" + format(slices.Max(vs)) + ")"
}

// mibs converts byte figures to MiB.
func mibs[T int64 | uint64](vs []T) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = mib(v)
	}
	return out
}

// fallingCheck checks that a figure falls from stage to stage over the
// stages present: each stage's median strictly below the one before it
// (">"). With several runs a stage, an inverted pair of medians whose runs
// overlap (the later stage's lowest run at or below the earlier one's
// highest) is within the runs' spread: shown "≈", it fails nothing, since
// the runs cannot order the two stages. A pair fails ("≤") when the later
// stage is at or above the earlier one beyond that spread, which with one
// run a stage is any inversion: then the check is strict.
func fallingCheck(rows []ReproRow, name string, fig func(ReproRow) (median float64, runs []float64, ok bool), format string) Check {
	c := Check{Name: name}
	var parts, absent []string
	var prev float64
	var prevRuns []float64
	n, ties := 0, 0
	c.OK = true
	for _, r := range rows {
		v, vs, ok := fig(r)
		if !r.Found || !ok {
			absent = append(absent, r.Stage.Preset)
			continue
		}
		if n > 0 {
			switch {
			case v < prev:
				parts = append(parts, ">")
			case len(vs)+len(prevRuns) > 2 && slices.Min(vs) <= slices.Max(prevRuns):
				parts = append(parts, "≈")
				ties++
			default:
				parts = append(parts, "≤")
				c.OK = false
			}
		}
		parts = append(parts, r.Stage.Preset+" "+fmt.Sprintf(format, v))
		prev, prevRuns = v, vs
		n++
	}
	if n < 2 {
		c.Checked, c.OK = false, false
		c.Detail = fmt.Sprintf("needs two stages, have %d (missing %s)", n, strings.Join(absent, ", "))
		return c
	}
	c.Checked = true
	c.Detail = strings.Join(parts, " ") + " MiB"
	if n := maxRuns(rows); n > 1 {
		c.Detail += fmt.Sprintf(", medians of up to %d runs per stage", n)
	}
	if ties > 0 {
		c.Detail += fmt.Sprintf("; ≈: %d pair(s) inverted within their runs' spread, which cannot order them", ties)
	}
	if len(absent) > 0 {
		c.Detail += fmt.Sprintf(" (only %d of %d stages: missing %s)", n, len(rows), strings.Join(absent, ", "))
	}
	return c
}

// maxRuns is the largest number of runs of any stage.
func maxRuns(rows []ReproRow) int {
	n := 0
	for _, r := range rows {
		n = max(n, r.Runs)
	}
	return n
}

// retainedCheck checks that the fixed run gives its memory back: after
// the idle phase and the settle step (GC twice, memory returned to the
// OS) it holds at most RetainedTolerance of its baseline above the
// baseline. The settled figure is judged, not the one at the end of the
// idle phase, because it measures what is truly retained whatever the
// idle phase's model: the published stages replay V8's memory reducer
// (idle_gc: v8, which brings a fixed run's curve down during the idle
// phase as in the published graphs), but a run with idle_gc: go stays
// flat for minutes whatever the strategy, since an idle Go process
// collects only every two minutes. The plots show both figures.
func retainedCheck(fixed ReproRow) Check {
	c := Check{Name: fmt.Sprintf("fixed returns within %.0f%% of its baseline (at least %d MiB) after idle and settle", RetainedTolerance*100, metric.NoiseFloor>>20)}
	switch {
	case !fixed.Found:
		c.Detail = "no run of preset fixed"
		return c
	case fixed.AfterSettle == 0 || fixed.Baseline == 0:
		c.Detail = fmt.Sprintf("the fixed run has no after-settle figure (outcome %s)", fixed.Run.Summary.Outcome)
		return c
	}
	c.Checked = true
	retained := int64(fixed.AfterSettle) - int64(fixed.Baseline)
	share := float64(retained) / float64(fixed.Baseline)
	c.OK = share <= RetainedTolerance || retained <= metric.NoiseFloor
	c.Detail = fmt.Sprintf("after settle %s MiB (after idle %s MiB), baseline %s MiB: retained %s MiB = %.0f%% of baseline",
		report.FormatMiB(fixed.AfterSettle), report.FormatMiB(fixed.AfterIdle), report.FormatMiB(fixed.Baseline), report.FormatDelta(retained), share*100)
	return c
}

// ratioCheck checks one stage's growth ratio against the published one.
func ratioCheck(row ReproRow, ratiosOK bool) Check {
	c := Check{Aim: true, Name: fmt.Sprintf("%s growth ratio within %.2f of published %.2f", row.Stage.Preset, GrowthRatioTolerance, row.Stage.GrowthRatio)}
	switch {
	case !row.Found:
		c.Detail = "no run of preset " + row.Stage.Preset
		return c
	case !ratiosOK:
		c.Detail = "no usable before run to divide by"
		return c
	case !row.HasRatios:
		c.Detail = "the run has no end-of-load figure"
		return c
	}
	c.Checked = true
	// Round to the two decimals shown, so the verdict agrees with the table.
	d := math.Round(row.GrowthDelta*100) / 100
	c.OK = math.Abs(d) <= GrowthRatioTolerance+1e-9
	c.Detail = fmt.Sprintf("ours %.2f, published %.2f, difference %s", row.GrowthRatio, row.Stage.GrowthRatio, fmtDiff(row.GrowthDelta))
	return c
}

// fmtDiff formats a ratio difference with its sign, never "-0.00".
func fmtDiff(d float64) string {
	if math.Abs(d) < 0.005 {
		return "±0.00"
	}
	return fmt.Sprintf("%+.2f", d)
}

// Write renders the reproduction as GitHub-flavoured markdown: our growth
// and peak ratios (relative to our "before") beside the published ones
// with the difference, the absolute figures beside the published ones, and
// the checks, each marked ✓, ✗ or "not checked" with its numbers, then a
// one-line verdict. Missing stages are named and get no ratios.
func (rep Reproduction) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "### Reproduction of the published memory graphs (Next.js PR 23565)")
	fmt.Fprintln(bw)
	if len(rep.Missing) > 0 {
		fmt.Fprintf(bw, "**Missing stages: %s.** No ratios or checks are made for them.\n\n", strings.Join(rep.Missing, ", "))
	}
	rep.writeRatios(bw)
	rep.writeAbsolute(bw)
	rep.writeChecks(bw)
	return bw.Flush()
}

// writeRatios writes the table of growth and peak ratios, a row per stage
// of ours, of the other codec set and of the real optimizer, and the
// paragraphs that say how to read it.
func (rep Reproduction) writeRatios(bw *bufio.Writer) {
	report.WriteRow(bw, "stage", "run", "growth MiB", "growth ratio", "published", "difference",
		"peak MiB", "peak ratio", "published", "difference")
	fmt.Fprintln(bw, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for i, r := range slices.Concat(rep.Rows, rep.Modules, rep.Real) {
		switch {
		case i >= len(rep.Rows)+len(rep.Modules):
			r.Stage.Label = "real optimizer, " + realNames[i-len(rep.Rows)-len(rep.Modules)]
		case i >= len(rep.Rows):
			r.Stage.Label = rep.modulesName() + ", " + r.Stage.Label
		}
		if !r.Found {
			report.WriteRow(bw, r.Stage.Label, "missing", "—", "—", fmt.Sprintf("%.2f", r.Stage.GrowthRatio), "—",
				"—", "—", fmt.Sprintf("%.2f", r.Stage.PeakRatio), "—")
			continue
		}
		bound := ""
		if r.EndIsLowerBound {
			bound = "≥ "
		}
		growth := "—"
		if r.End > 0 && r.Baseline > 0 {
			growth = bound + report.FormatDelta(r.Growth) + spread(r.Growths, report.FormatDelta)
		}
		name := r.Run.Name()
		if r.Runs > 1 {
			name = fmt.Sprintf("%s (median of %d)", name, r.Runs)
		}
		gr, gd, pr, pd := "—", "—", "—", "—"
		if r.HasRatios {
			gr, gd = fmt.Sprintf("%.2f", r.GrowthRatio), fmtDiff(r.GrowthDelta)
			pr, pd = fmt.Sprintf("%.2f", r.PeakRatio), fmtDiff(r.PeakDelta)
		}
		report.WriteRow(bw, r.Stage.Label, name, growth, gr, fmt.Sprintf("%.2f", r.Stage.GrowthRatio), gd,
			bound+report.FormatMiB(r.Peak)+spread(r.Peaks, report.FormatMiB), pr, fmt.Sprintf("%.2f", r.Stage.PeakRatio), pd)
	}
	fmt.Fprintln(bw)
	if n := maxRuns(slices.Concat(rep.Rows, rep.Modules, rep.Real)); n > 1 {
		fmt.Fprintf(bw, "Each stage ran up to %d times, interleaved; its figures are medians over its runs (the middle run's, or for an even count the mean of the two middle ones), "+
			"with the runs' lowest and highest value in brackets, and its plots show the run of the median peak (for an even count, the lower middle one).\n\n", n)
	}
	fmt.Fprintln(bw, "Growth is RSS at the end of the load minus the baseline; peak is the highest sampled RSS. "+
		"Ratios are relative to the before stage, ours to our before run. Absolute sizes depend on the runtime, "+
		"the images and the core count (the published graphs came from Node.js on a 16-thread machine), so the "+
		"ratios and their ordering are what a reproduction is judged on.")
	if len(rep.Modules) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintf(bw, "The %s rows are the same stages run on that codec set (squoosh: next@10.1.0's own .wasm files "+
			"from the npm install, under wazero, with the engine's switches around them), ratios to their own before run. They decide no check.\n",
			rep.modulesName())
	}
	if len(rep.Real) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "The real optimizer's rows are Next.js itself (examples/nextjs/driver.js on next@10.1.0 and next@10.1.3) "+
			"on the same workload and worker count: RSS of its node process, ratios to its own before run, beside the "+
			"published before and fixed stages. They decide no check.")
	}
	fmt.Fprintln(bw)

}

// writeAbsolute writes our absolute figures beside the published ones.
func (rep Reproduction) writeAbsolute(bw *bufio.Writer) {
	fmt.Fprintln(bw, "**Absolute figures** (ours in MiB, published in MB as read off the graphs)")
	fmt.Fprintln(bw)
	report.WriteRow(bw, "stage", "ours: start / end / peak", "after idle / after settle", "published: start / end / peak", "published after the load")
	fmt.Fprintln(bw, "|---|---:|---:|---:|---|")
	for _, r := range rep.Rows {
		ours, after := "missing", "—"
		if r.Found {
			ours = fmt.Sprintf("%s / %s / %s", report.FormatMiB(r.Baseline), report.FormatMiB(r.End), report.FormatMiB(r.Peak))
			after = fmt.Sprintf("%s / %s", report.FormatMiB(r.AfterIdle), report.FormatMiB(r.AfterSettle))
		}
		pa := r.Stage.After
		if pa == "" {
			pa = "—"
		}
		report.WriteRow(bw, r.Stage.Label, ours, after,
			fmt.Sprintf("~%.0f / %.0f / %.0f", r.Stage.RSSStartMB, r.Stage.RSSEndMB, r.Stage.PeakMB), pa)
	}
	fmt.Fprintln(bw)

}

// writeChecks writes the checks, each with its mark and numbers, the
// notes, and the verdict.
func (rep Reproduction) writeChecks(bw *bufio.Writer) {
	fmt.Fprintln(bw, "**Checks**")
	fmt.Fprintln(bw)
	pass, fail, skip := 0, 0, 0
	aims, aimsMet := 0, 0
	for _, c := range rep.Checks {
		r := c.Result()
		mark := [...]string{CheckPassed: "✓", CheckSkipped: "–", CheckMissed: "✗", CheckFailed: "✗"}[r]
		verdict := [...]string{CheckPassed: "passes", CheckSkipped: "not checked", CheckMissed: "missed (an aim, not required)", CheckFailed: "FAILS"}[r]
		switch {
		case c.Aim:
			aims++
			if c.Checked && c.OK {
				aimsMet++
			}
		case !c.Checked:
			skip++
		case !c.OK:
			fail++
		default:
			pass++
		}
		fmt.Fprintf(bw, "- %s %s: %s. %s.\n", mark, c.Name, verdict, c.Detail)
	}
	fmt.Fprintln(bw)
	if len(rep.Notes) > 0 {
		fmt.Fprintln(bw, "Notes:")
		fmt.Fprintln(bw)
		for _, n := range rep.Notes {
			fmt.Fprintf(bw, "- %s.\n", n)
		}
		fmt.Fprintln(bw)
	}
	required := len(rep.Checks) - aims
	switch {
	case rep.Passed():
		fmt.Fprintf(bw, "**Verdict: reproduced. All %d required checks pass; %d of %d growth ratios within %.2f of the published ones.**\n",
			required, aimsMet, aims, GrowthRatioTolerance)
	default:
		fmt.Fprintf(bw, "**Verdict: not reproduced. %d of %d required checks pass, %d fail, %d not checked; %d of %d growth ratios within %.2f of the published ones.**\n",
			pass, required, fail, skip, aimsMet, aims, GrowthRatioTolerance)
	}
}

// mib converts bytes to MiB.
func mib[T uint64 | int64](b T) float64 { return float64(b) / results.MiB }
