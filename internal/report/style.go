package report

import (
	"image/color"
	"math"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sizes of the figures, in points (1/72 in), and the PNG resolution. At
// 144 dpi a point is two pixels: PlotRun and PlotOverlay write 1440×900 px,
// PlotGrid 1920×1440 px.
const (
	pngDPI = 144

	runWidth, runHeight   = 720, 450
	gridWidth, gridHeight = 960, 720
)

// pixels returns the PNG size of a figure of w×h points.
func pixels(w, h vg.Length) (int, int) {
	px := func(l vg.Length) int { return int(l/vg.Inch*pngDPI + 0.5) }
	return px(w), px(h)
}

// Colours: the Okabe–Ito palette, distinguishable with colour-blindness;
// every series also has its own dash pattern or width, so a greyscale
// print stays readable.
var (
	black      = color.RGBA{A: 255}
	blue       = color.RGBA{R: 0, G: 114, B: 178, A: 255}
	vermillion = color.RGBA{R: 213, G: 94, B: 0, A: 255}
	green      = color.RGBA{R: 0, G: 158, B: 115, A: 255}
	purple     = color.RGBA{R: 204, G: 121, B: 167, A: 255}
	orange     = color.RGBA{R: 230, G: 159, B: 0, A: 255}
	sky        = color.RGBA{R: 86, G: 180, B: 233, A: 255}
	grey       = color.RGBA{R: 110, G: 110, B: 110, A: 255}
	lightGrey  = color.RGBA{R: 215, G: 215, B: 215, A: 255}
)

// sansFont is the face of every text: Liberation Sans, bundled with
// gonum/plot.
func sansFont(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// textStyle returns a plain-text style in Liberation Sans.
func textStyle(size vg.Length, bold bool, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    sansFont(size, bold),
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot with the house style: sans-serif text, axis
// labels with units, a light grid added by the caller.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sansFont(12, true)
	p.Title.Padding = 6
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sansFont(10, false)
		a.Tick.Label.Font = sansFont(9, false)
		a.Padding = 0
	}
	p.X.Tick.Marker = niceTicks{8}
	p.Y.Tick.Marker = niceTicks{7}
	p.X.Label.Text = "time since start (s)"
	p.Y.Label.Text = "memory (MiB)"
	p.Legend.TextStyle.Font = sansFont(10, false)
	return p
}

// seriesStyle is how one series is stroked.
type seriesStyle struct {
	line  draw.LineStyle
	glyph draw.GlyphDrawer // marks a run's end of load in overlays
}

// The series of PlotRun and PlotGrid: RSS is the thick black line, the
// child's own accounting is thinner and dashed.
var (
	styleRSS    = draw.LineStyle{Color: black, Width: 2.2}
	styleHeap   = draw.LineStyle{Color: blue, Width: 1.5, Dashes: []vg.Length{7, 3}}
	styleWasm   = draw.LineStyle{Color: vermillion, Width: 1.6, Dashes: []vg.Length{2, 2}}
	styleLeaked = draw.LineStyle{Color: green, Width: 1.8, Dashes: []vg.Length{10, 3, 2, 3}}
	stylePSS    = draw.LineStyle{Color: purple, Width: 1.4}
	// The off-heap pair: committed, and its closed-but-unreleased part.
	styleOffHeap    = draw.LineStyle{Color: orange, Width: 1.5, Dashes: []vg.Length{5, 2}}
	styleUnreleased = draw.LineStyle{Color: sky, Width: 1.5, Dashes: []vg.Length{1, 2}}
	styleRef        = draw.LineStyle{Color: grey, Width: 0.8, Dashes: []vg.Length{4, 3}}
)

// runStyle returns the style of the i-th run of an overlay: colour, dash
// pattern and end-of-load glyph all differ, and the first run (usually
// "before") is the thick black one.
func runStyle(i int) seriesStyle {
	styles := []seriesStyle{
		{draw.LineStyle{Color: black, Width: 2.2}, draw.CircleGlyph{}},
		{draw.LineStyle{Color: blue, Width: 1.8, Dashes: []vg.Length{8, 3}}, draw.SquareGlyph{}},
		{draw.LineStyle{Color: vermillion, Width: 1.8, Dashes: []vg.Length{2, 2}}, draw.TriangleGlyph{}},
		{draw.LineStyle{Color: green, Width: 1.8, Dashes: []vg.Length{10, 3, 2, 3}}, draw.PyramidGlyph{}},
		{draw.LineStyle{Color: purple, Width: 1.8, Dashes: []vg.Length{5, 2, 1, 2, 1, 2}}, draw.CrossGlyph{}},
		{draw.LineStyle{Color: orange, Width: 1.8, Dashes: []vg.Length{14, 4}}, draw.PlusGlyph{}},
		{draw.LineStyle{Color: sky, Width: 1.8, Dashes: []vg.Length{1, 3}}, draw.RingGlyph{}},
		{draw.LineStyle{Color: grey, Width: 1.0}, draw.BoxGlyph{}},
	}
	return styles[i%len(styles)]
}

// Phase bands: light fills, each labelled in the plot, so they need no
// colour to be told apart.
var phaseFill = map[string]color.Color{
	"load":   color.RGBA{R: 226, G: 236, B: 248, A: 255},
	"idle":   color.RGBA{R: 252, G: 244, B: 222, A: 255},
	"settle": color.RGBA{R: 228, G: 244, B: 226, A: 255},
}

// niceTicks labels about n ticks at steps of 1, 2, 2.5 or 5 × 10^k, with
// an unlabelled minor tick between labels. The default ticker of
// gonum/plot labels only about three.
type niceTicks struct{ n int }

// Ticks implements plot.Ticker.
func (nt niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || !finite(lo) || !finite(hi) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	n := max(nt.n, 2)
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	prec := 0
	if step < 1 {
		prec = int(math.Ceil(-math.Log10(step)))
		if math.Abs(step*math.Pow(10, float64(prec))-math.Round(step*math.Pow(10, float64(prec)))) > 1e-9 {
			prec++
		}
	} else if math.Mod(step, 1) != 0 {
		prec = 1
	}
	var ticks []plot.Tick
	first := math.Ceil(lo/step-1e-9) * step
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if v > hi+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0 // not "-0"
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', prec, 64)})
		if m := v + step/2; m < hi {
			ticks = append(ticks, plot.Tick{Value: m})
		}
	}
	if first-step/2 > lo {
		ticks = append(ticks, plot.Tick{Value: first - step/2})
	}
	return ticks
}
