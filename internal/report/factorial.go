package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/compare/factorial"
	"github.com/leakbench/leakbench/internal/results"
)

// This file draws a factorial analysis (internal/compare/factorial): an
// effect plot, one panel per metric with one bar and interval per effect,
// and a heat map of the cell means, one panel per metric.

// Geometry of the factorial figures, in points.
const (
	factorialWidth   = 960
	effectPanelH     = 250 // one row of effect panels
	cellPanelH       = 300 // one row of heat-map panels
	factorialColumns = 2
	factorialChrome  = 70 // title and legend strip
)

// displayUnit converts a metric's values for plotting: bytes as MiB (a
// slope's bytes per round as MiB per round), anything else as it is.
func displayUnit(m compare.Metric) (scale float64, label string) {
	switch m.Unit {
	case "B":
		return 1.0 / results.MiB, "MiB"
	case "B/round":
		return 1.0 / results.MiB, "MiB/round"
	case "":
		return 1, "count"
	}
	return 1, m.Unit
}

// Effect bar colours: main effects blue, interactions vermillion; an
// effect whose simultaneous interval includes zero is drawn pale.
var (
	mainFill     = blue
	mainPale     = color.RGBA{R: 178, G: 210, B: 232, A: 255}
	pairFill     = vermillion
	pairPale     = color.RGBA{R: 242, G: 200, B: 168, A: 255}
	whiskerStyle = draw.LineStyle{Color: black, Width: 1.2}
	zeroStyle    = draw.LineStyle{Color: grey, Width: 0.9}
)

// effectBars draws one horizontal bar per effect from zero to its value,
// with its individual interval as a whisker; effects run top to bottom in
// the order given.
type effectBars struct {
	effects []factorial.Effect
	scale   float64
}

// y is the vertical position of effect i: the first at the top.
func (b effectBars) y(i int) float64 { return float64(len(b.effects) - 1 - i) }

// Plot implements plot.Plotter.
func (b effectBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	x0 := trX(0)
	if c.ContainsX(x0) {
		c.StrokeLine2(zeroStyle, x0, c.Min.Y, x0, c.Max.Y)
	}
	half := (trY(1) - trY(0)) * 0.32
	for i, e := range b.effects {
		y := trY(b.y(i))
		fill := mainFill
		switch {
		case e.Interaction() && e.Excludes0():
			fill = pairFill
		case e.Interaction():
			fill = pairPale
		case !e.Excludes0():
			fill = mainPale
		}
		x1 := trX(e.Diff * b.scale)
		bar := []vg.Point{{X: x0, Y: y - half}, {X: x1, Y: y - half}, {X: x1, Y: y + half}, {X: x0, Y: y + half}}
		c.FillPolygon(fill, c.ClipPolygonXY(bar))
		if !e.HasInterval() {
			continue
		}
		lo, hi := trX(e.Lo*b.scale), trX(e.Hi*b.scale)
		cap := half * 0.6
		c.StrokeLine2(whiskerStyle, lo, y, hi, y)
		c.StrokeLine2(whiskerStyle, lo, y-cap, lo, y+cap)
		c.StrokeLine2(whiskerStyle, hi, y-cap, hi, y+cap)
	}
}

// DataRange implements plot.DataRanger: zero, every bar and every
// interval, and half a bar's room above and below.
func (b effectBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	for _, e := range b.effects {
		for _, v := range []float64{e.Diff, e.Lo, e.Hi} {
			if finite(v) {
				xmin, xmax = math.Min(xmin, v*b.scale), math.Max(xmax, v*b.scale)
			}
		}
	}
	if xmin == xmax {
		xmin, xmax = -1, 1
	}
	pad := (xmax - xmin) * 0.04
	return xmin - pad, xmax + pad, -0.6, float64(len(b.effects)) - 0.4
}

// effectPanel is one metric's panel of the effect plot.
func effectPanel(me factorial.MetricEffects) *plot.Plot {
	scale, unit := displayUnit(me.Metric)
	title := me.Metric.Name
	if me.Metric.HigherIsBetter {
		title += " (higher is better)"
	}
	p := newPlot(title)
	p.X.Label.Text = "effect, High − Low (" + unit + ")"
	p.Y.Label.Text = ""
	if len(me.Effects) == 0 {
		p.Add(newGrid(), note{"no effects: " + strings.Join(me.Warnings, "; ")})
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -1, 1, 0, 1
		p.Y.Tick.Marker = plot.ConstantTicks{}
		return p
	}
	if me.DF == 0 {
		p.Title.Text += " · R = 1: no intervals"
	}
	bars := effectBars{effects: me.Effects, scale: scale}
	ticks := make(plot.ConstantTicks, len(me.Effects))
	for i, e := range me.Effects {
		ticks[i] = plot.Tick{Value: bars.y(i), Label: e.Name()}
	}
	p.Y.Tick.Marker = ticks
	p.Y.Tick.Label.Font = sansFont(9, false)
	p.X.Tick.Marker = niceTicks{6}
	g := newGrid()
	g.Horizontal.Color = color.Transparent
	p.Add(g, bars)
	return p
}

// effectLegend explains the bar colours and the whiskers.
func effectLegend(confidence float64, family int) []legendEntry {
	return []legendEntry{
		{name: "main effect", thumbs: []plot.Thumbnailer{swatch{mainFill}}},
		{name: "interaction", thumbs: []plot.Thumbnailer{swatch{pairFill}}},
		{name: fmt.Sprintf("pale: simultaneous %g%% interval (Bonferroni, %d effects) includes 0 or does not exist", 100*confidence, family),
			thumbs: []plot.Thumbnailer{splitSwatch{mainPale, pairPale}}},
		{name: fmt.Sprintf("whisker: %g%% interval", 100*confidence), thumbs: []plot.Thumbnailer{whiskerThumb{}}},
	}
}

// splitSwatch is a legend thumbnail filled half with one colour, half
// with another.
type splitSwatch struct{ left, right color.Color }

// Thumbnail implements plot.Thumbnailer.
func (s splitSwatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	mid := (r.Min.X + r.Max.X) / 2
	c.FillPolygon(s.left, []vg.Point{r.Min, {X: mid, Y: r.Min.Y}, {X: mid, Y: r.Max.Y}, {X: r.Min.X, Y: r.Max.Y}})
	c.FillPolygon(s.right, []vg.Point{{X: mid, Y: r.Min.Y}, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: mid, Y: r.Max.Y}})
}

// whiskerThumb draws an interval whisker in a legend thumbnail.
type whiskerThumb struct{}

// Thumbnail implements plot.Thumbnailer.
func (whiskerThumb) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	y := (r.Min.Y + r.Max.Y) / 2
	c.StrokeLine2(whiskerStyle, r.Min.X+2, y, r.Max.X-2, y)
	c.StrokeLine2(whiskerStyle, r.Min.X+2, r.Min.Y+1, r.Min.X+2, r.Max.Y-1)
	c.StrokeLine2(whiskerStyle, r.Max.X-2, r.Min.Y+1, r.Max.X-2, r.Max.Y-1)
}

// metricPanels draws one panel per metric of a with panel and arranges
// them in rows of factorialColumns, the last row padded with nil; an
// analysis without metrics is an error naming the figure (what).
func metricPanels(a *factorial.Analysis, what string, panel func(factorial.MetricEffects) *plot.Plot) ([][]*plot.Plot, error) {
	if a == nil || len(a.Metrics) == 0 {
		return nil, fmt.Errorf("report: factorial %s: no metrics", what)
	}
	ps := make([]*plot.Plot, len(a.Metrics))
	for i, me := range a.Metrics {
		ps[i] = panel(me)
	}
	var rows [][]*plot.Plot
	for i := 0; i < len(ps); i += factorialColumns {
		row := make([]*plot.Plot, factorialColumns)
		copy(row, ps[i:min(i+factorialColumns, len(ps))])
		rows = append(rows, row)
	}
	return rows, nil
}

// PlotFactorialEffects draws the effect plot of a factorial analysis as
// base+".png" and base+".svg": one panel per metric, two panels a row,
// one horizontal bar per main effect and two-way interaction, largest at
// the top, with its interval as a whisker. An effect whose simultaneous
// interval includes zero is pale; with R = 1 the panel says there are no
// intervals.
func PlotFactorialEffects(a *factorial.Analysis, title, base string) error {
	rows, err := metricPanels(a, "effects", effectPanel)
	if err != nil {
		return err
	}
	k := a.Design.K()
	f := figure{title: title, panels: rows, legend: effectLegend(a.Confidence, k+k*(k-1)/2),
		w: factorialWidth, h: vg.Length(len(rows)*effectPanelH + factorialChrome)}
	return f.save(base)
}

// cellTiles draws the heat map: one coloured tile per cell with its mean
// and replicate count written in it.
type cellTiles struct {
	tiles      []tile
	lo, hi     float64 // colour range, on the colour scale
	logColours bool
}

type tile struct {
	col, row int // row 0 at the top
	rows     int
	mean     float64 // display units
	n        int
}

// shade maps a value to a colour from near-white to the house blue,
// returning also whether text on it should be white.
func (t cellTiles) shade(v float64) (color.Color, bool) {
	if t.logColours {
		v = math.Log(v)
	}
	f := 0.5
	if t.hi > t.lo {
		f = (v - t.lo) / (t.hi - t.lo)
	}
	f = math.Max(0, math.Min(1, f))
	light := color.RGBA{R: 241, G: 246, B: 251, A: 255}
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + f*(float64(b)-float64(a)) + 0.5) }
	c := color.RGBA{R: mix(light.R, 8), G: mix(light.G, 69), B: mix(light.B, 148), A: 255}
	return c, luminance(c) < 0.3
}

// luminance is the relative luminance of c (sRGB, WCAG), 0 black to 1 white.
func luminance(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Plot implements plot.Plotter.
func (t cellTiles) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, tl := range t.tiles {
		x0, x1 := trX(float64(tl.col)-0.5), trX(float64(tl.col)+0.5)
		yv := float64(tl.rows - 1 - tl.row)
		y0, y1 := trY(yv-0.5), trY(yv+0.5)
		rect := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		fill, dark := color.Color(lightGrey), false
		if finite(tl.mean) {
			fill, dark = t.shade(tl.mean)
		}
		c.FillPolygon(fill, rect)
		c.StrokeLines(draw.LineStyle{Color: color.White, Width: 1.5}, append(rect, rect[0]))
		txt := textStyle(10.5, true, black)
		sub := textStyle(8, false, color.RGBA{R: 60, G: 60, B: 60, A: 255})
		if dark {
			txt.Color, sub.Color = color.White, color.RGBA{R: 225, G: 232, B: 240, A: 255}
		}
		txt.XAlign, txt.YAlign = draw.XCenter, draw.YCenter
		sub.XAlign, sub.YAlign = draw.XCenter, draw.YCenter
		mid := vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}
		label := "no run"
		if finite(tl.mean) {
			label = strconv.FormatFloat(tl.mean, 'f', decimals(tl.mean), 64)
		}
		c.FillText(txt, vg.Point{X: mid.X, Y: mid.Y + 5}, label)
		c.FillText(sub, vg.Point{X: mid.X, Y: mid.Y - 8}, fmt.Sprintf("n=%d", tl.n))
	}
}

// decimals gives three significant digits, none for values of 100 or more.
func decimals(v float64) int {
	a := math.Abs(v)
	switch {
	case a >= 100 || a == 0:
		return 0
	case a >= 10:
		return 1
	case a >= 1:
		return 2
	}
	return 3
}

// DataRange implements plot.DataRanger.
func (t cellTiles) DataRange() (xmin, xmax, ymin, ymax float64) {
	cols, rows := 0, 0
	for _, tl := range t.tiles {
		cols, rows = max(cols, tl.col+1), tl.rows
	}
	return -0.5, float64(cols) - 0.5, -0.5, float64(rows) - 0.5
}

// levelLabel names the levels of the given switches in a cell, one line
// per switch: "topology per-worker\nlifetime reuse".
func levelLabel(d factorial.Design, c factorial.Cell, from, to int) string {
	sw := d.Switches()
	levels := d.Levels(c)
	lines := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		lines = append(lines, sw[i].Name+" "+levels[i])
	}
	return strings.Join(lines, "\n")
}

// cellPanel is one metric's heat map: rows are the combinations of the
// first ⌈k/2⌉ switches, columns those of the others, all-Low at the top
// left.
func cellPanel(d factorial.Design, me factorial.MetricEffects) *plot.Plot {
	scale, unit := displayUnit(me.Metric)
	k := d.K()
	h := (k + 1) / 2
	rows, cols := 1<<h, 1<<(k-h)
	ct := cellTiles{logColours: true, lo: math.Inf(1), hi: math.Inf(-1)}
	for _, cs := range me.Cells {
		tl := tile{row: int(cs.Cell) & (rows - 1), col: int(cs.Cell) >> h, rows: rows, mean: cs.Mean * scale, n: len(cs.Values)}
		ct.tiles = append(ct.tiles, tl)
		if finite(tl.mean) && tl.mean <= 0 {
			ct.logColours = false
		}
	}
	for _, tl := range ct.tiles {
		if !finite(tl.mean) {
			continue
		}
		v := tl.mean
		if ct.logColours {
			v = math.Log(v)
		}
		ct.lo, ct.hi = math.Min(ct.lo, v), math.Max(ct.hi, v)
	}
	p := newPlot(me.Metric.Name + ": mean per cell (" + unit + ")")
	p.X.Label.Text, p.Y.Label.Text = "", ""
	xt := make(plot.ConstantTicks, cols)
	for c := range cols {
		xt[c] = plot.Tick{Value: float64(c), Label: levelLabel(d, factorial.Cell(c<<h), h, k)}
	}
	yt := make(plot.ConstantTicks, rows)
	for r := range rows {
		yt[r] = plot.Tick{Value: float64(rows - 1 - r), Label: levelLabel(d, factorial.Cell(r), 0, h)}
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = xt, yt
	p.X.Tick.Label.Font, p.Y.Tick.Label.Font = sansFont(8.5, false), sansFont(8.5, false)
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	p.X.LineStyle.Width, p.Y.LineStyle.Width = 0, 0
	p.Add(ct)
	return p
}

// PlotFactorialCells draws a heat map of the cell means of a factorial
// analysis as base+".png" and base+".svg": one panel per metric, two a
// row, one tile per cell coloured by its mean (on a log scale when every
// mean is positive) and labelled with the mean and its replicate count.
func PlotFactorialCells(a *factorial.Analysis, title, base string) error {
	rows, err := metricPanels(a, "cells", func(me factorial.MetricEffects) *plot.Plot { return cellPanel(a.Design, me) })
	if err != nil {
		return err
	}
	f := figure{title: title, panels: rows, w: factorialWidth, h: vg.Length(len(rows)*cellPanelH + factorialChrome - 30)}
	return f.save(base)
}
