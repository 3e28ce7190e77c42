package report

import (
	"bytes"
	"encoding/xml"
	"image"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/results"
)

// outDir is where the plot tests write: a temporary directory, or
// $LEAKBENCH_REPORT_OUT to keep the pictures and look at them.
func outDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("LEAKBENCH_REPORT_OUT"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// checkPNG checks that path is a PNG of w×h pixels.
func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: not an image: %v", path, err)
	}
	if format != "png" || cfg.Width != w || cfg.Height != h {
		t.Errorf("%s: %s %d×%d, want png %d×%d", path, format, cfg.Width, cfg.Height, w, h)
	}
}

// svgText parses path as XML (failing the test when it is not) and
// returns the text of all its <text> elements, one per line.
func svgText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var b strings.Builder
	inText, sawSVG := false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not XML: %v", path, err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if tk.Name.Local == "svg" {
				sawSVG = true
			}
			inText = tk.Name.Local == "text"
		case xml.EndElement:
			if inText {
				b.WriteString("\n")
			}
			inText = false
		case xml.CharData:
			if inText {
				b.Write(tk)
			}
		}
	}
	if !sawSVG {
		t.Fatalf("%s: no <svg> element", path)
	}
	return b.String()
}

func TestPlotRun(t *testing.T) {
	dir := outDir(t)
	runs := fakeStages()
	base := filepath.Join(dir, "run-before")
	if err := PlotRun(runs[0], base); err != nil {
		t.Fatal(err)
	}
	w, h := pixels(runWidth, runHeight)
	checkPNG(t, base+".png", w, h)
	text := svgText(t, base+".svg")
	wantTexts(t, base+".svg", text,
		SeriesRSS, SeriesHeap, SeriesWasm, SeriesLeaked, // legend
		"repro-before", "per-worker×15", // title
		"time since start (s)", "memory (MiB)", // axes
		"load", "idle", "settle", // phases
		"baseline ", "peak ", "end of load ", "after settle ") // annotations
}

func TestPlotRunOddRuns(t *testing.T) {
	dir := outDir(t)
	c := stageCurves()[0]
	c.outcome, c.cutAt, c.scenario = results.OutcomeRSSCap, 25, "capped"
	capped := fakeRun(c)
	empty := Run{results.Run{Dir: "x/empty", Summary: results.Summary{Scenario: "empty", Outcome: results.OutcomeCrashed}}}
	for _, r := range []Run{capped, empty} {
		base := filepath.Join(dir, "odd-"+r.Summary.Scenario)
		if err := PlotRun(r, base); err != nil {
			t.Fatalf("%s: %v", r.Summary.Scenario, err)
		}
		w, h := pixels(runWidth, runHeight)
		checkPNG(t, base+".png", w, h)
		text := svgText(t, base+".svg")
		wantTexts(t, base+".svg", text, string(r.Summary.Outcome))
	}
	text := svgText(t, filepath.Join(dir, "odd-capped.svg"))
	if strings.Contains(text, "after settle ") {
		t.Error("a run killed during load shows an after-settle point")
	}
	text = svgText(t, filepath.Join(dir, "odd-empty.svg"))
	wantTexts(t, "odd-empty.svg", text, "no samples")
}

func TestPlotOverlay(t *testing.T) {
	dir := outDir(t)
	runs := fakeStages()
	// Drawn in the order given, fixed first here: the report knows no
	// stages of its own to sort by (a reproduction's Representatives come
	// in stage order).
	runs[0], runs[3] = runs[3], runs[0]
	base := filepath.Join(dir, "overlay")
	if err := PlotOverlay(runs, "RSS of the four stages", base); err != nil {
		t.Fatal(err)
	}
	w, h := pixels(runWidth, runHeight)
	checkPNG(t, base+".png", w, h)
	text := svgText(t, base+".svg")
	wantTexts(t, base+".svg", text, "RSS of the four stages", "RSS (MiB)",
		"before: growth +", "fix1: growth +", "fix1+2: growth +", "fixed: growth +")
	if i, j := strings.Index(text, "before: growth"), strings.Index(text, "fixed: growth"); i < j {
		t.Error("legend lists before before fixed, which was given first")
	}
	if err := PlotOverlay(nil, "x", filepath.Join(dir, "none")); err == nil {
		t.Error("overlay of no runs: no error")
	}
}

// TestPlotGrid: rows of two panels on one scale, each run titled with
// its prefix, name, growth and peak and their ratios to its Ref's, an
// empty panel with its title and note, a third row half as tall again;
// no runs or a row of three are errors.
func TestPlotGrid(t *testing.T) {
	dir := outDir(t)
	runs := fakeStages()
	before := &runs[0]
	panel := func(i int) Panel { return Panel{Run: &runs[i], Ref: before} }
	rows := [][]Panel{{panel(0), panel(1)}, {panel(2), {Title: "fixed: no run", Note: "no run of preset fixed"}}}
	base := filepath.Join(dir, "grid")
	if err := PlotGrid(rows, "leakbench: the four published stages", base); err != nil {
		t.Fatal(err)
	}
	w, h := pixels(gridWidth, gridHeight)
	checkPNG(t, base+".png", w, h)
	wantTexts(t, base+".svg", svgText(t, base+".svg"), "leakbench: the four published stages",
		"before · growth +", "fix1 · growth +", "fix1+2 · growth +", "fixed: no run", "no run of preset fixed",
		"(1.00×)", SeriesRSS, SeriesLeaked)

	// A third row, the last run's own, its ratios to itself; before
	// killed by its RSS cap during the load: growth is a lower bound.
	c := stageCurves()[0]
	c.outcome, c.cutAt = results.OutcomeRSSCap, 30
	capped := fakeRun(c)
	rows = [][]Panel{{{Run: &capped}, panel(1)}, {panel(2), panel(3)}, {{Run: &runs[3], Ref: &runs[3], Prefix: "real "}, {Title: "other: no run"}}}
	base = filepath.Join(dir, "grid-three")
	if err := PlotGrid(rows, "three rows", base); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, base+".png", w, h*3/2)
	wantTexts(t, base+".svg", svgText(t, base+".svg"), "before (rss-cap) · growth ≥ +", "run ended early", "real repro-fixed · growth +", "(1.00×)", "other: no run")

	if err := PlotGrid([][]Panel{{{Title: "a"}, {Title: "b"}}}, "x", filepath.Join(dir, "none")); err == nil {
		t.Error("grid of no runs: no error")
	}
	if err := PlotGrid([][]Panel{{panel(0), panel(1), panel(2)}}, "x", filepath.Join(dir, "three")); err == nil {
		t.Error("a row of three panels: no error")
	}
}

// TestRunTitle_Exec: an exec target's run is titled with its command,
// the program's words without their directories.
func TestRunTitle_Exec(t *testing.T) {
	r := Run{Run: results.Run{Summary: results.Summary{Scenario: "nextjs-before",
		Exec: []string{"/usr/bin/node", "--expose-gc", "/repo/examples/nextjs/driver.js", "/home/u/.cache/leakbench/nextjs/10.1.0"}}}}
	if got := r.Title(); got != "nextjs-before · exec node --expose-gc driver.js 10.1.0" {
		t.Errorf("title %q", got)
	}
}

func TestFitTitle(t *testing.T) {
	p := newPlot(strings.Repeat("a very long scenario name ", 20))
	fitTitle(p, 300)
	if w := p.Title.TextStyle.Width(p.Title.Text); w > 300 || !strings.HasSuffix(p.Title.Text, "…") {
		t.Errorf("title %q is %v wide", p.Title.Text, w)
	}
	if p.Title.TextStyle.Font.Size != 8 {
		t.Errorf("font size %v, want the 8 pt floor", p.Title.TextStyle.Font.Size)
	}
	p = newPlot("short")
	fitTitle(p, 300)
	if p.Title.Text != "short" || p.Title.TextStyle.Font.Size != 12 {
		t.Errorf("short title changed: %q %v", p.Title.Text, p.Title.TextStyle.Font.Size)
	}
}
