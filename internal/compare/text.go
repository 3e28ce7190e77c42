package compare

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/perf/benchunit"

	"github.com/leakbench/leakbench/internal/texttab"
)

// This file lays a Table out as benchstat does: a column group per
// scenario under a header with │ separators, medians as "value ± ci%",
// a "vs ref" column with the change or "~" and "(p=… n=…)", numbered
// notes for the warnings under the table.

// grid is a table as text: column groups with a title each, a sub-header
// per column, body rows whose first cell is the row label.
type grid struct {
	groups []gridGroup
	rows   [][]string
	notes  []string // numbered in order of first use
}

type gridGroup struct {
	title string
	cols  []string // sub-headers
}

// note returns the superscript mark of a warning, adding it on first use.
func (g *grid) note(w string) string {
	for i, n := range g.notes {
		if n == w {
			return superscript(i + 1)
		}
	}
	g.notes = append(g.notes, w)
	return superscript(len(g.notes))
}

// marks returns the superscript marks of all warnings, joined.
func (g *grid) marks(ws []string) string {
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteString("⁺")
		}
		b.WriteString(g.note(w))
	}
	return b.String()
}

// superscript renders n in superscript digits.
func superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	var b strings.Builder
	for _, c := range strconv.Itoa(n) {
		b.WriteString(string([]rune(digits)[c-'0']))
	}
	return b.String()
}

// grid builds the layout of the table.
func (t *Table) grid() *grid {
	g := &grid{}
	ciLabel := fmt.Sprintf("%g%% CI", 100*t.Confidence)
	for _, s := range t.Scenarios {
		if s == t.Ref {
			g.groups = append(g.groups, gridGroup{title: s, cols: []string{"median"}})
		} else {
			g.groups = append(g.groups, gridGroup{title: s, cols: []string{"median", "vs " + t.Ref, "ratio [" + ciLabel + "]"}})
		}
	}
	for _, r := range t.Rows {
		medians := make([]float64, 0, len(r.Cells))
		for _, c := range r.Cells {
			if c.Summary.N > 0 {
				medians = append(medians, c.Summary.Median)
			}
		}
		scale := benchunit.CommonScale(medians, benchunit.ClassOf(r.Metric.Unit))
		row := []string{r.Metric.Name}
		for _, c := range r.Cells {
			med := "n/a"
			if c.Summary.N > 0 {
				med = scale.Format(c.Summary.Median) + r.Metric.Unit + " ± " + c.Summary.pctRange()
			}
			row = append(row, med+g.marks(c.Summary.Warnings))
			if c.Vs == nil {
				continue
			}
			row = append(row, vsText(r.Metric, *c.Vs)+g.marks(c.Vs.Warnings), ratioText(*c.Vs))
		}
		g.rows = append(g.rows, row)
	}
	return g
}

// vsText is the verdict cell: "~ (p=0.310 n=5)", "+112.60% (p=0.008 n=5)",
// "~ (p=0.008 n=5, within floor)"; a change in the metric's unit where no
// ratio exists ("+12.3MiB (p=…)").
func vsText(m Metric, d Difference) string {
	n := fmt.Sprintf("n=%d", d.Ref.N)
	if d.Ref.N != d.New.N {
		n = fmt.Sprintf("n=%d+%d", d.Ref.N, d.New.N)
	}
	stat := fmt.Sprintf("(p=%.3f %s)", d.P, n)
	switch {
	case d.Verdict != Same && !math.IsNaN(d.Ratio):
		return fmt.Sprintf("%+.2f%% %s", 100*(d.Ratio-1), stat)
	case d.Verdict != Same:
		s := benchunit.Scale(math.Abs(d.Delta), benchunit.ClassOf(m.Unit)) + m.Unit
		if d.Delta < 0 {
			return "-" + s + " " + stat
		}
		return "+" + s + " " + stat
	case d.P < d.Alpha && d.WithinFloor:
		return fmt.Sprintf("~ (p=%.3f %s, within floor)", d.P, n)
	}
	return "~ " + stat
}

// ratioText is the ratio cell: "2.13 [1.95, 2.30]", "n/a" without a ratio.
func ratioText(d Difference) string {
	if math.IsNaN(d.Ratio) {
		return "n/a"
	}
	s := formatRatio(d.Ratio)
	if math.IsNaN(d.RatioLo) {
		return s + " [n/a]"
	}
	return s + " [" + formatRatio(d.RatioLo) + ", " + formatRatio(d.RatioHi) + "]"
}

// formatRatio renders a ratio with three significant digits.
func formatRatio(r float64) string {
	switch {
	case math.IsInf(r, 1):
		return "∞"
	case r == 0:
		return "0"
	}
	prec := max(0, 2-int(math.Floor(math.Log10(math.Abs(r)))))
	return strconv.FormatFloat(r, 'f', prec, 64)
}

// legend explains the columns in one paragraph.
func (t *Table) legend() string {
	return fmt.Sprintf("median ± half-width of its %g%% confidence interval as a percentage of the median "+
		"(distribution-free, benchmath); vs %s: change of the median, \"~\" when the Mann-Whitney U test gives p ≥ %g "+
		"or the change is within the metric's absolute floor; ratio: median over %s's median with its %g%% interval.",
		100*t.Confidence, t.Ref, t.Alpha, t.Ref, 100*t.Confidence)
}

// WriteText writes the table as benchstat lays out its text tables,
// followed by the numbered notes and a legend.
func (t *Table) WriteText(w io.Writer) error {
	g := t.grid()
	ncols := 0
	for _, gr := range g.groups {
		ncols += len(gr.cols)
	}
	width := make([]int, ncols+1)
	fit := func(i int, s string) { width[i] = max(width[i], utf8.RuneCountInString(s)) }
	for _, r := range g.rows {
		for i, c := range r {
			fit(i, c)
		}
	}
	col := 1
	for _, gr := range g.groups {
		first := col
		for _, h := range gr.cols {
			fit(col, h)
			col++
		}
		// Widen the group's last column until the title fits.
		for groupWidth(width[first:col]) < utf8.RuneCountInString(gr.title) {
			width[col-1]++
		}
	}

	var b strings.Builder
	header := func(cell func(gr gridGroup, first, end int) string) {
		b.WriteString(strings.Repeat(" ", width[0]))
		col := 1
		for _, gr := range g.groups {
			end := col + len(gr.cols)
			b.WriteString(" │ ")
			b.WriteString(cell(gr, col, end))
			col = end
		}
		b.WriteString(" │\n")
	}
	header(func(gr gridGroup, first, end int) string { return center(gr.title, groupWidth(width[first:end])) })
	header(func(gr gridGroup, first, end int) string {
		parts := make([]string, 0, len(gr.cols))
		for i, h := range gr.cols {
			parts = append(parts, center(h, width[first+i]))
		}
		return strings.Join(parts, "  ")
	})
	for _, r := range g.rows {
		b.WriteString(pad(r[0], width[0]))
		col := 1
		for _, gr := range g.groups {
			b.WriteString("   ")
			for i := range gr.cols {
				if i > 0 {
					b.WriteString("  ")
				}
				b.WriteString(pad(r[col], width[col]))
				col++
			}
		}
		trimLine(&b)
	}
	writeNotes(&b, g.notes)
	b.WriteString("\n" + texttab.Wrap(t.legend(), 100) + "\n")
	return writeAll(w, b.String())
}

// trimLine drops the spaces at the end of b and ends the line.
func trimLine(b *strings.Builder) {
	s := strings.TrimRight(b.String(), " ")
	b.Reset()
	b.WriteString(s)
	b.WriteString("\n")
}

// WriteMarkdown writes the table as a GitHub-flavoured markdown table, one
// row per metric, followed by the notes and the legend.
func (t *Table) WriteMarkdown(w io.Writer) error {
	g := t.grid()
	var b strings.Builder
	b.WriteString("| metric |")
	sep := "|---|"
	for _, gr := range g.groups {
		for _, h := range gr.cols {
			b.WriteString(" " + texttab.MarkdownCell(gr.title+" "+h) + " |")
			sep += "---|"
		}
	}
	b.WriteString("\n" + sep + "\n")
	for _, r := range g.rows {
		b.WriteString("|")
		for _, c := range r {
			b.WriteString(" " + texttab.MarkdownCell(c) + " |")
		}
		b.WriteString("\n")
	}
	writeNotes(&b, g.notes)
	b.WriteString("\n" + t.legend() + "\n")
	return writeAll(w, b.String())
}

// writeNotes lists the numbered warnings.
func writeNotes(b *strings.Builder, notes []string) {
	if len(notes) == 0 {
		return
	}
	b.WriteString("\n")
	for i, n := range notes {
		fmt.Fprintf(b, "%s %s\n", superscript(i+1), n)
	}
}

// groupWidth is the width of columns separated by two spaces.
func groupWidth(ws []int) int {
	n := 2 * (len(ws) - 1)
	for _, w := range ws {
		n += w
	}
	return n
}

// pad left-aligns s in width runes.
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}

// center centres s in width runes.
func center(s string, width int) string {
	gap := max(0, width-utf8.RuneCountInString(s))
	return strings.Repeat(" ", gap/2) + s + strings.Repeat(" ", gap-gap/2)
}

// writeAll writes s to w, wrapping the error.
func writeAll(w io.Writer, s string) error {
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("compare: writing table: %w", err)
	}
	return nil
}
