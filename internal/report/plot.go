package report

import (
	"errors"
	"fmt"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/leakbench/leakbench/internal/results"
)

// The names of the series, as they appear in legends.
const (
	SeriesRSS    = "RSS"
	SeriesHeap   = "Go heap live"
	SeriesWasm   = "wasm linear memory (live instances)"
	SeriesLeaked = "leaked (held by the target's holders)"
	SeriesPSS    = "PSS of the process tree"
	// SeriesOffHeap is linear memory committed outside the Go heap
	// (allocators mmap and v8); SeriesUnreleased is the part of it whose
	// instances are closed but not yet released by a collection (v8): it
	// steps down at each collection that finds them unreachable.
	SeriesOffHeap    = "off-heap wasm memory (committed)"
	SeriesUnreleased = "off-heap, closed, not yet released"
)

// series is one curve of a run.
type series struct {
	name  string
	style draw.LineStyle
	y     func(results.Sample) uint64
}

// runSeries are the curves of PlotRun and PlotGrid, drawn in this order
// (RSS last, on top) and listed in the legend in reverse.
var runSeries = []series{
	{SeriesLeaked, styleLeaked, func(s results.Sample) uint64 { return s.Held }},
	{SeriesUnreleased, styleUnreleased, func(s results.Sample) uint64 { return s.OffHeapUnreleased }},
	{SeriesOffHeap, styleOffHeap, func(s results.Sample) uint64 { return s.OffHeap }},
	{SeriesWasm, styleWasm, func(s results.Sample) uint64 { return s.LinearMemory }},
	{SeriesHeap, styleHeap, func(s results.Sample) uint64 { return s.HeapLive }},
	{SeriesPSS, stylePSS, func(s results.Sample) uint64 { return s.PSS }},
	{SeriesRSS, styleRSS, func(s results.Sample) uint64 { return s.RSS }},
}

// presentSeries are the series of runSeries that some sample of the runs
// has (RSS always): an exec target has no wasm accounting, the builtin
// engine no PSS, and a flat line at zero would only say so.
func presentSeries(runs ...Run) []series {
	var out []series
	for _, s := range runSeries {
		has := s.name == SeriesRSS
		for _, r := range runs {
			for _, x := range r.Samples {
				if has = has || s.y(x) > 0; has {
					break
				}
			}
		}
		if has {
			out = append(out, s)
		}
	}
	return out
}

// marks are the figures a run is annotated with, in bytes, with the times
// of the labelled points; zero when unknown.
type marks struct {
	baseline, peak, hwm   uint64
	endOfLoad, settled    uint64
	tEndOfLoad, tSettled  float64
	hasEndLoad, hasSettle bool
	// A run that did not complete ends at its last sample.
	ended  bool
	tEnd   float64
	endRSS uint64
}

// runMarks reads the annotation figures from the summary, falling back on
// the samples when the summary lacks them (a run that crashed early). The
// end of load is only marked when the load did end: a run killed during
// the load has no end of load, it has an end.
func runMarks(r Run) marks {
	s := r.Summary
	m := marks{baseline: s.Baseline, peak: s.Peak, hwm: s.PeakHWM, endOfLoad: s.EndOfLoad, settled: s.AfterSettle}
	var maxRSS, lastLoadRSS uint64
	loadEnded := false
	for i, x := range r.Samples {
		maxRSS = max(maxRSS, x.RSS)
		switch x.Phase {
		case results.PhaseStartup:
			if s.Baseline == 0 {
				m.baseline = x.RSS
			}
		case results.PhaseLoad:
			m.tEndOfLoad, lastLoadRSS = x.T, x.RSS
		case results.PhaseSettle:
			m.tSettled, m.hasSettle = x.T, true
			if s.AfterSettle == 0 {
				m.settled = x.RSS
			}
			loadEnded = true
		case results.PhaseIdle, results.PhaseDone:
			loadEnded = true
		}
		if i == 0 && m.baseline == 0 {
			m.baseline = x.RSS
		}
	}
	if m.peak == 0 {
		m.peak = maxRSS
	}
	if m.endOfLoad == 0 && loadEnded {
		m.endOfLoad = lastLoadRSS
	}
	m.hasEndLoad = loadEnded && m.endOfLoad > 0 && m.tEndOfLoad > 0
	m.hasSettle = m.hasSettle && m.settled > 0
	if o := s.Outcome; o != "" && o != results.OutcomeCompleted && len(r.Samples) > 0 {
		last := r.Samples[len(r.Samples)-1]
		m.ended, m.tEnd, m.endRSS = true, last.T, last.RSS
	}
	return m
}

// extent is the data range figures share.
type extent struct{ xmax, ymax float64 }

// runExtent is the range of every series of r, in seconds and MiB.
func runExtent(r Run, ss []series) extent {
	var e extent
	for _, x := range r.Samples {
		e.xmax = max(e.xmax, x.T)
		for _, s := range ss {
			e.ymax = max(e.ymax, mib(s.y(x)))
		}
	}
	e.ymax = max(e.ymax, mib(r.Summary.Peak))
	return e
}

// union widens e to cover o.
func (e extent) union(o extent) extent {
	return extent{max(e.xmax, o.xmax), max(e.ymax, o.ymax)}
}

// apply sets the axes of p to [0, xmax] × [0, ymax + headroom for labels].
func (e extent) apply(p *plot.Plot) {
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max = e.xmax
	if p.X.Max <= 0 {
		p.X.Max = 1
	}
	p.Y.Max = e.ymax * 1.12
	if p.Y.Max <= 0 {
		p.Y.Max = 1
	}
}

// fmtMiBShort formats bytes as "812 MiB" or "12.5 MiB".
func fmtMiBShort(b uint64) string {
	v := mib(b)
	if v >= 100 {
		return fmt.Sprintf("%.0f MiB", v)
	}
	return fmt.Sprintf("%.1f MiB", v)
}

// panelOptions says how much a run panel shows.
type panelOptions struct {
	labels bool    // label the reference lines and points (single-run figure)
	extent *extent // shared axes; nil = the run's own
}

// runPanel builds the plot of one run: phase bands, grid, baseline and
// peak lines, the series, and the end-of-load and after-settle points.
func runPanel(r Run, title string, o panelOptions) (*plot.Plot, error) {
	p := newPlot(title)
	e := runExtent(r, runSeries)
	if o.extent != nil {
		e = *o.extent
	}
	e.apply(p)
	if len(r.Samples) == 0 {
		p.Add(newGrid(), note{"no samples"})
		return p, nil
	}
	p.Add(phaseBands{spans: phaseSpans(r.Samples), labels: true}, newGrid())

	m := runMarks(r)
	lbl := func(s string) string {
		if o.labels {
			return s
		}
		return ""
	}
	var avoid []plotter.XYs
	var lines []*plotter.Line
	for _, s := range presentSeries(r) {
		l, err := newLine(r.Samples, s.y, s.style)
		if err != nil {
			return nil, fmt.Errorf("report: %s: series %s: %w", r.Name(), s.name, err)
		}
		lines = append(lines, l)
		avoid = append(avoid, l.XYs)
	}
	var labels []plot.Plotter
	if m.baseline > 0 {
		h := hline{y: mib(m.baseline), label: lbl("baseline " + fmtMiBShort(m.baseline)), style: styleRef, avoid: avoid}
		p.Add(hline{y: h.y, style: h.style})
		h.noLine = true
		labels = append(labels, h)
	}
	if m.peak > 0 {
		pl := "peak " + fmtMiBShort(m.peak)
		if m.hwm > m.peak {
			pl += " (kernel HWM " + fmtMiBShort(m.hwm) + ")"
		}
		h := hline{y: mib(m.peak), label: lbl(pl), left: true, style: styleRef, avoid: avoid}
		p.Add(hline{y: h.y, style: h.style})
		h.noLine = true
		labels = append(labels, h)
	}
	for _, l := range lines {
		p.Add(l)
	}
	p.Add(labels...)
	if m.hasEndLoad {
		p.Add(marker{x: m.tEndOfLoad, y: mib(m.endOfLoad), glyph: endLoadGlyph,
			label: lbl("end of load " + fmtMiBShort(m.endOfLoad)), dx: 7, dy: 7})
	}
	for _, g := range idleGCMarkers(r, o.labels) {
		p.Add(g)
	}
	for _, g := range externalGCMarkers(r, o.labels) {
		p.Add(g)
	}
	if m.hasSettle {
		p.Add(marker{x: m.tSettled, y: mib(m.settled), glyph: settleGlyph,
			label: lbl("after settle " + fmtMiBShort(m.settled)), dx: -7, dy: -7})
	}
	if m.ended {
		p.Add(marker{x: m.tEnd, y: mib(m.endRSS), glyph: endedGlyph,
			label: lbl(string(r.Summary.Outcome) + " at " + fmtMiBShort(m.endRSS)), dx: -7, dy: 7})
	}
	return p, nil
}

// The glyphs of the labelled points.
var (
	endLoadGlyph = draw.GlyphStyle{Color: black, Radius: 3.5, Shape: draw.PyramidGlyph{}}
	settleGlyph  = draw.GlyphStyle{Color: black, Radius: 3.5, Shape: draw.BoxGlyph{}}
	endedGlyph   = draw.GlyphStyle{Color: vermillion, Radius: 4.5, Shape: draw.CrossGlyph{}}
)

// runLegend is the legend of PlotRun and PlotGrid: the series and the
// reference lines always, the labelled points and the phase bands only
// when one of the runs shows them.
func runLegend(runs ...Run) []legendEntry {
	var out []legendEntry
	ss := presentSeries(runs...)
	for i := len(ss) - 1; i >= 0; i-- {
		s := ss[i]
		out = append(out, legendEntry{s.name, []plot.Thumbnailer{lineThumb{s.style}}})
	}
	out = append(out, legendEntry{"baseline / peak", []plot.Thumbnailer{lineThumb{styleRef}}})
	var endLoad, settle, ended, idleGC, externalGC bool
	phases := map[results.Phase]bool{}
	for _, r := range runs {
		m := runMarks(r)
		endLoad, settle, ended = endLoad || m.hasEndLoad, settle || m.hasSettle, ended || m.ended
		idleGC = idleGC || len(idleGCMarkers(r, false)) > 0
		externalGC = externalGC || len(externalGCMarkers(r, false)) > 0
		for _, x := range r.Samples {
			phases[x.Phase] = true
		}
	}
	if endLoad {
		out = append(out, legendEntry{"end of load", []plot.Thumbnailer{glyphThumb{endLoadGlyph}}})
	}
	if settle {
		out = append(out, legendEntry{"after settle", []plot.Thumbnailer{glyphThumb{settleGlyph}}})
	}
	if idleGC {
		out = append(out, legendEntry{"idle GC (by the target's model of its runtime)", []plot.Thumbnailer{glyphThumb{idleGCGlyph}}})
	}
	if externalGC {
		out = append(out, legendEntry{"external-memory GC (started by the target)", []plot.Thumbnailer{glyphThumb{externalGCGlyph}}})
	}
	if ended {
		out = append(out, legendEntry{"run ended early", []plot.Thumbnailer{glyphThumb{endedGlyph}}})
	}
	for _, ph := range []results.Phase{results.PhaseLoad, results.PhaseIdle, results.PhaseSettle} {
		if phases[ph] {
			out = append(out, legendEntry{string(ph) + " phase", []plot.Thumbnailer{swatch{phaseFill[string(ph)]}}})
		}
	}
	return out
}

// lineThumb draws a line style in a legend thumbnail.
type lineThumb struct{ draw.LineStyle }

// Thumbnail implements plot.Thumbnailer.
func (l lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.LineStyle, c.Min.X, y, c.Max.X, y)
}

// RunPlot is the name, without extension, of a run's plot in its folder
// (rss.png and rss.svg), whichever command drew it.
const RunPlot = "rss"

// PlotRun draws one run as base+".png" and base+".svg": RSS over time
// (MiB against seconds since the child started) as the main line, with
// the Go heap's live bytes, the linear memory of live wasm instances and
// the memory kept by leaked views and listeners as further lines. The
// load, idle and settle phases are shaded and labelled; baseline and peak
// are dashed reference lines, end of load and after settle labelled
// points. The title is the scenario and strategy (and the outcome when the
// run did not complete); the legend sits below the plot, outside the data.
func PlotRun(r Run, base string) error {
	title := r.Title()
	if o := r.Summary.Outcome; o != "" && o != results.OutcomeCompleted {
		title += " — " + string(o)
	}
	p, err := runPanel(r, title, panelOptions{labels: true})
	if err != nil {
		return err
	}
	f := figure{panels: [][]*plot.Plot{{p}}, legend: runLegend(r), w: runWidth, h: runHeight}
	return f.save(base)
}

// overlayLabel is a run's legend entry in overlays.
func overlayLabel(r Run) string {
	m := runMarks(r)
	s := r.Name()
	s += ": growth " + fmtGrowth(r, "%+.0f MiB") + ", peak " + fmtMiBShort(m.peak)
	if o := r.Summary.Outcome; o != "" && o != results.OutcomeCompleted {
		s += " (" + string(o) + ")"
	}
	return s
}

// PlotOverlay draws the RSS of several runs on shared axes (the
// before/after view) as base+".png" and base+".svg", in the order given
// (a reproduction's Representatives are in stage order). Each run has its
// own colour, dash
// pattern and end-of-load glyph; its legend entry gives its growth and
// peak.
func PlotOverlay(runs []Run, title, base string) error {
	if len(runs) == 0 {
		return errors.New("report: overlay: no runs")
	}
	p := newPlot(title)
	p.Y.Label.Text = "RSS (MiB)"
	var e extent
	for _, r := range runs {
		e = e.union(runExtent(r, runSeries[len(runSeries)-1:]))
	}
	e.apply(p)
	p.Add(newGrid())
	var legend []legendEntry
	// Draw the first (thickest) run last so it stays on top.
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		st := runStyle(i)
		g := draw.GlyphStyle{Color: st.line.Color, Radius: 3.5, Shape: st.glyph}
		if len(r.Samples) > 0 {
			l, err := newLine(r.Samples, func(s results.Sample) uint64 { return s.RSS }, st.line)
			if err != nil {
				return fmt.Errorf("report: overlay: %s: %w", r.Name(), err)
			}
			p.Add(l)
			if m := runMarks(r); m.hasEndLoad {
				p.Add(marker{x: m.tEndOfLoad, y: mib(m.endOfLoad), glyph: g})
			} else if m.ended {
				p.Add(marker{x: m.tEnd, y: mib(m.endRSS), glyph: endedGlyph})
			}
		}
		legend = append(legend, legendEntry{overlayLabel(r), []plot.Thumbnailer{lineThumb{st.line}, glyphThumb{g}}})
	}
	slices.Reverse(legend)
	legend = append(legend, legendEntry{"(a run's glyph marks its end of load)", nil})
	f := figure{panels: [][]*plot.Plot{{p}}, legend: legend, w: runWidth, h: runHeight}
	return f.save(base)
}

// Panel is one panel of a grid (PlotGrid): Run, titled with Prefix, its
// name, its growth and its peak, with their ratios to Ref's when Ref is
// set; or, without a Run, an empty panel titled Title that says Note.
type Panel struct {
	Run    *Run
	Ref    *Run   // the run the ratios are to; nil for none
	Prefix string // before a run's title ("real ")
	Title  string // the title of a panel without a run
	Note   string // what a panel without a run says
}

// PlotGrid draws rows of panels, two a row, as base+".png" and
// base+".svg", like the published images of a case study: every panel on
// the same y scale and x extent so that heights compare at a glance, one
// legend for the runs present. Which run goes where, and what an empty
// panel says, is the caller's (a case study's stages).
func PlotGrid(rows [][]Panel, title, base string) error {
	var e extent
	var present []Run
	for _, row := range rows {
		if len(row) != 2 {
			return fmt.Errorf("report: grid: a row of %d panels, a row holds 2", len(row))
		}
		for _, p := range row {
			if p.Run != nil {
				e = e.union(runExtent(*p.Run, runSeries))
				present = append(present, *p.Run)
			}
		}
	}
	if len(present) == 0 {
		return errors.New("report: grid: no runs")
	}
	panels := make([][]*plot.Plot, len(rows))
	for i, row := range rows {
		panels[i] = make([]*plot.Plot, 2)
		for j, pn := range row {
			var p *plot.Plot
			if pn.Run == nil {
				p = newPlot(pn.Title)
				e.apply(p)
				p.Add(newGrid(), note{pn.Note})
			} else {
				var err error
				if p, err = runPanel(*pn.Run, pn.Prefix+gridTitle(*pn.Run, pn.Ref), panelOptions{extent: &e}); err != nil {
					return err
				}
			}
			p.Title.TextStyle.Font = sansFont(10.5, true)
			panels[i][j] = p
		}
	}
	h := vg.Length(gridHeight) * vg.Length(len(rows)) / 2
	f := figure{title: title, panels: panels, legend: runLegend(present...), w: gridWidth, h: h}
	return f.save(base)
}

// gridTitle is a panel's title: stage, growth and peak, with ratios to
// before when known.
func gridTitle(r Run, before *Run) string {
	m := runMarks(r)
	s := r.Name()
	if !completed(r) {
		s += " (" + string(r.Summary.Outcome) + ")"
	}
	s += " · growth " + fmtGrowth(r, "%+.0f MiB")
	if before != nil {
		g, _, _, ok := r.Growth()
		bg, _, _, bok := before.Growth()
		if ok && bok && bg > 0 {
			s += fmt.Sprintf(" (%.2f×)", float64(g)/float64(bg))
		}
	}
	s += " · peak " + fmtMiBShort(m.peak)
	if before != nil {
		if bp := runMarks(*before).peak; bp > 0 {
			s += fmt.Sprintf(" (%.2f×)", float64(m.peak)/float64(bp))
		}
	}
	return s + idleGCTitle(r.Summary)
}
