package report

import (
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/leakbench/leakbench/internal/results"
)

// This file holds the small plotters the figures are made of and the
// figure layout: panels aligned with plot.Align, a legend strip outside
// the data, written as PNG and SVG.

// span is a stretch of time spent in one phase.
type span struct {
	phase  results.Phase
	x0, x1 float64
}

// phaseSpans cuts a time series into phases. A span runs from its first
// sample to the next span's first sample, so the bands leave no gaps.
func phaseSpans(ss []results.Sample) []span {
	var out []span
	for _, s := range ss {
		if n := len(out); n > 0 && out[n-1].phase == s.Phase {
			out[n-1].x1 = s.T
			continue
		} else if n > 0 {
			out[n-1].x1 = s.T
		}
		out = append(out, span{phase: s.Phase, x0: s.T, x1: s.T})
	}
	return out
}

// phaseBands shades the load, idle and settle phases as light vertical
// bands across the data area, with the phase name at the top of each
// band and a thin line at each band's start. It has no data range, so it
// never stretches the axes.
type phaseBands struct {
	spans  []span
	labels bool
}

// Plot implements plot.Plotter.
func (b phaseBands) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := textStyle(8.5, false, grey)
	sty.XAlign = draw.XLeft
	sty.YAlign = draw.YTop
	edge := draw.LineStyle{Color: lightGrey, Width: 0.6}
	for _, s := range b.spans {
		fill, ok := phaseFill[string(s.phase)]
		if !ok || s.x1 <= s.x0 {
			continue
		}
		x0, x1 := trX(s.x0), trX(s.x1)
		rect := []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}}
		c.FillPolygon(fill, c.ClipPolygonXY(rect))
		if c.ContainsX(x0) {
			c.StrokeLine2(edge, x0, c.Min.Y, x0, c.Max.Y)
		}
		if b.labels && x1-x0 > sty.Width(string(s.phase))+4 {
			c.FillText(sty, vg.Point{X: x0 + 3, Y: c.Max.Y - 2}, string(s.phase))
		}
	}
}

// hline is a horizontal reference line across the data area with a label
// just above it (baseline, peak). The label goes where it covers the
// fewest curve points: avoid holds the curves, left says which end to
// prefer on a tie.
type hline struct {
	y     float64
	label string
	left  bool
	style draw.LineStyle
	avoid []plotter.XYs
	// noLine draws only the label: add the line before the curves and the
	// label after them, so the label stays on top.
	noLine bool
}

// Plot implements plot.Plotter.
func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	y := trY(h.y)
	if !c.ContainsY(y) {
		return
	}
	if !h.noLine {
		c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
	}
	if h.label == "" {
		return
	}
	sty := textStyle(8.5, false, black)
	sty.YAlign = draw.YBottom
	w, ht := sty.Width(h.label), sty.Height(h.label)
	const pad = 5
	// Candidate positions, as fractions of the width, preferred first.
	fracs := []float64{1, 0, 0.5, 0.75, 0.25, 0.875, 0.125, 0.625, 0.375}
	if h.left {
		fracs[0], fracs[1] = 0, 1
	}
	best, bestHits := 0.0, -1
	for _, f := range fracs {
		x0 := c.Min.X + pad + vg.Length(f)*(c.Max.X-c.Min.X-2*pad-w)
		box := vg.Rectangle{Min: vg.Point{X: x0 - 2, Y: y}, Max: vg.Point{X: x0 + w + 2, Y: y + ht + 5}}
		hits := 0
		for _, xys := range h.avoid {
			hits += segmentHits(xys, trX, trY, box)
		}
		if bestHits < 0 || hits < bestHits {
			best, bestHits = f, hits
		}
		if hits == 0 {
			break
		}
	}
	sty.XAlign = draw.XLeft
	x0 := c.Min.X + pad + vg.Length(best)*(c.Max.X-c.Min.X-2*pad-w)
	boxedText(c, sty, vg.Point{X: x0, Y: y + 3}, h.label)
}

// segmentHits counts the points of a curve, and of four steps along each of
// its segments, that fall in box.
func segmentHits(xys plotter.XYs, trX, trY func(float64) vg.Length, box vg.Rectangle) int {
	in := func(pt vg.Point) bool {
		return pt.X >= box.Min.X && pt.X <= box.Max.X && pt.Y >= box.Min.Y && pt.Y <= box.Max.Y
	}
	n := 0
	var prev vg.Point
	for i, d := range xys {
		pt := vg.Point{X: trX(d.X), Y: trY(d.Y)}
		if i > 0 && (prev.X <= box.Max.X || pt.X <= box.Max.X) && (prev.X >= box.Min.X || pt.X >= box.Min.X) {
			for k := 1; k < 4; k++ {
				f := vg.Length(k) / 4
				if in(vg.Point{X: prev.X + f*(pt.X-prev.X), Y: prev.Y + f*(pt.Y-prev.Y)}) {
					n++
				}
			}
		}
		if in(pt) {
			n++
		}
		prev = pt
	}
	return n
}

// marker is a labelled point (end of load, after settle).
type marker struct {
	x, y  float64
	label string
	glyph draw.GlyphStyle
	// dx, dy place the label relative to the point, in points; the
	// label's alignment follows their signs.
	dx, dy vg.Length
}

// Plot implements plot.Plotter.
func (m marker) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pt := vg.Point{X: trX(m.x), Y: trY(m.y)}
	if !c.Contains(pt) {
		return
	}
	c.DrawGlyph(m.glyph, pt)
	if m.label == "" {
		return
	}
	sty := textStyle(8.5, false, black)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	// Keep the label inside the data area: flip it to the other side of
	// the point when it would run off an edge.
	if w := sty.Width(m.label); m.dx > 0 && pt.X+m.dx+w > c.Max.X {
		m.dx = -m.dx
	} else if m.dx < 0 && pt.X+m.dx-w < c.Min.X {
		m.dx = -m.dx
	}
	if h := sty.Height(m.label); m.dy > 0 && pt.Y+m.dy+h > c.Max.Y {
		m.dy = -m.dy
	} else if m.dy < 0 && pt.Y+m.dy-h < c.Min.Y {
		m.dy = -m.dy
	}
	if m.dx < 0 {
		sty.XAlign = draw.XRight
	} else if m.dx == 0 {
		sty.XAlign = draw.XCenter
	}
	if m.dy > 0 {
		sty.YAlign = draw.YBottom
	} else if m.dy < 0 {
		sty.YAlign = draw.YTop
	}
	boxedText(c, sty, vg.Point{X: pt.X + m.dx, Y: pt.Y + m.dy}, m.label)
}

// GlyphBoxes implements plot.GlyphBoxer so the axes make room for the
// marker's glyph.
func (m marker) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	return []plot.GlyphBox{{X: p.X.Norm(m.x), Y: p.Y.Norm(m.y), Rectangle: m.glyph.Rectangle()}}
}

// note is a centred message in the data area ("no samples").
type note struct{ text string }

// Plot implements plot.Plotter.
func (n note) Plot(c draw.Canvas, _ *plot.Plot) {
	sty := textStyle(11, false, grey)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	c.FillText(sty, c.Center(), n.text)
}

// boxedText draws text over a translucent white box so it stays legible
// over curves and bands.
func boxedText(c draw.Canvas, sty text.Style, pt vg.Point, s string) {
	r := sty.Rectangle(s)
	const pad = 1.5
	box := []vg.Point{
		{X: pt.X + r.Min.X - pad, Y: pt.Y + r.Min.Y - pad},
		{X: pt.X + r.Max.X + pad, Y: pt.Y + r.Min.Y - pad},
		{X: pt.X + r.Max.X + pad, Y: pt.Y + r.Max.Y + pad},
		{X: pt.X + r.Min.X - pad, Y: pt.Y + r.Max.Y + pad},
	}
	c.FillPolygon(color.NRGBA{R: 255, G: 255, B: 255, A: 215}, box)
	c.FillText(sty, pt, s)
}

// newGrid returns light grid lines.
func newGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical = draw.LineStyle{Color: color.RGBA{R: 0, G: 0, B: 0, A: 28}, Width: 0.5}
	g.Horizontal = g.Vertical
	return g
}

// xyFunc adapts a time series to plotter.XYer: x is seconds, y is MiB.
type xyFunc struct {
	ss []results.Sample
	y  func(results.Sample) uint64
}

// Len implements plotter.XYer.
func (f xyFunc) Len() int { return len(f.ss) }

// XY implements plotter.XYer.
func (f xyFunc) XY(i int) (float64, float64) { return f.ss[i].T, mib(f.y(f.ss[i])) }

// newLine returns a line of one series.
func newLine(ss []results.Sample, y func(results.Sample) uint64, sty draw.LineStyle) (*plotter.Line, error) {
	l, err := plotter.NewLine(xyFunc{ss, y})
	if err != nil {
		return nil, err
	}
	l.LineStyle = sty
	return l, nil
}

// legendEntry is one entry of a figure's legend strip.
type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

// glyphThumb draws a glyph in a legend thumbnail.
type glyphThumb struct{ draw.GlyphStyle }

// Thumbnail implements plot.Thumbnailer.
func (g glyphThumb) Thumbnail(c *draw.Canvas) { c.DrawGlyph(g.GlyphStyle, c.Center()) }

// swatch is a filled legend thumbnail (phase bands).
type swatch struct{ fill color.Color }

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(s.fill, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
	c.StrokeLines(draw.LineStyle{Color: lightGrey, Width: 0.5},
		[]vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})
}

// figure is a page: an optional title, panels in rows and columns aligned
// with plot.Align, and a legend strip below them, outside every data area.
type figure struct {
	title  string
	panels [][]*plot.Plot
	legend []legendEntry
	w, h   vg.Length
}

// legend geometry.
const (
	legendThumbW  = 26
	legendGap     = 5  // thumbnail to text
	legendSpacing = 18 // entry to entry
	legendRowH    = 15
	margin        = 8
)

// legendRows flows the legend entries into rows no wider than width.
func legendRows(entries []legendEntry, sty text.Style, width vg.Length) [][]legendEntry {
	var rows [][]legendEntry
	var cur []legendEntry
	var used vg.Length
	for _, e := range entries {
		w := legendThumbW + legendGap + sty.Width(e.name)
		if len(cur) > 0 && used+legendSpacing+w > width {
			rows = append(rows, cur)
			cur, used = nil, 0
		}
		if len(cur) > 0 {
			used += legendSpacing
		}
		cur = append(cur, e)
		used += w
	}
	if len(cur) > 0 {
		rows = append(rows, cur)
	}
	return rows
}

// draw lays the figure out on c.
func (f figure) draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	c = draw.Crop(c, margin, -margin, margin, -margin)

	if f.title != "" {
		sty := textStyle(14, true, black)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y}, f.title)
		c.Max.Y -= sty.Height(f.title) + 8
	}

	if len(f.legend) > 0 {
		sty := textStyle(10, false, black)
		sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
		rows := legendRows(f.legend, sty, c.Max.X-c.Min.X)
		y := c.Min.Y + vg.Length(len(rows))*legendRowH - legendRowH/2
		for _, row := range rows {
			var width vg.Length
			for i, e := range row {
				if i > 0 {
					width += legendSpacing
				}
				width += legendThumbW + legendGap + sty.Width(e.name)
			}
			x := c.Center().X - width/2
			for _, e := range row {
				icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
					Min: vg.Point{X: x, Y: y - 5}, Max: vg.Point{X: x + legendThumbW, Y: y + 5}}}
				for _, t := range e.thumbs {
					t.Thumbnail(&icon)
				}
				x += legendThumbW + legendGap
				c.FillText(sty, vg.Point{X: x, Y: y}, e.name)
				x += sty.Width(e.name) + legendSpacing
			}
			y -= legendRowH
		}
		c.Min.Y += vg.Length(len(rows))*legendRowH + 10
	}

	rows := len(f.panels)
	if rows == 0 {
		return
	}
	cols := len(f.panels[0])
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 22, PadY: 18}
	canvases := plot.Align(f.panels, tiles, c)
	for j := range f.panels {
		for i, p := range f.panels[j] {
			if p != nil {
				fitTitle(p, canvases[j][i].Max.X-canvases[j][i].Min.X)
				p.Draw(canvases[j][i])
			}
		}
	}
}

// fitTitle shrinks a plot's title font, down to 8 points, and then cuts
// the title with an ellipsis, until it is no wider than width.
func fitTitle(p *plot.Plot, width vg.Length) {
	sty := &p.Title.TextStyle
	for sty.Font.Size > 8 && sty.Width(p.Title.Text) > width {
		sty.Font.Size -= 0.5
	}
	r := []rune(p.Title.Text)
	for len(r) > 1 && sty.Width(string(r)) > width {
		r = append(r[:len(r)-2], '…')
	}
	p.Title.Text = string(r)
}

// save writes the figure as base+".png" and base+".svg", creating base's
// directory. A panic inside gonum/plot comes back as an error.
func (f figure) save(base string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("report: drawing %s: %v", base, r)
		}
	}()
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	img := vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(pngDPI))
	f.draw(draw.New(img))
	if err := writeTo(base+".png", vgimg.PngCanvas{Canvas: img}); err != nil {
		return err
	}
	svg := vgsvg.New(f.w, f.h)
	f.draw(draw.New(svg))
	return writeTo(base+".svg", svg)
}

// writeTo writes one canvas to a file.
func writeTo(path string, wt io.WriterTo) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if _, err := wt.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	return nil
}
