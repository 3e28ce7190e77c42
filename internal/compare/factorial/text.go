package factorial

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/leakbench/leakbench/internal/texttab"
)

// header describes the design and the intervals of one metric.
func (a *Analysis) header(me MetricEffects) string {
	family := a.Design.K() + a.Design.K()*(a.Design.K()-1)/2
	s := fmt.Sprintf("%s: %d runs in %d cells, %d degrees of freedom", me.Metric.Name, me.N, len(me.Cells), me.DF)
	if me.DF > 0 {
		s += fmt.Sprintf("; %g%% intervals from the replicate variance (Student's t); * (†): the simultaneous interval "+
			"(Bonferroni over %d effects) of the difference (ratio) excludes 0 (1)", 100*a.Confidence, family)
	}
	return s
}

// rows lays out one metric's effects: effect, difference, ratio, mark.
func (a *Analysis) rows(me MetricEffects) [][]string {
	ci := fmt.Sprintf("%g%% CI", 100*a.Confidence)
	out := [][]string{{"effect", "difference of means [" + ci + "]", "ratio [" + ci + "]", ""}}
	for _, e := range me.Effects {
		diff := formatValue(me.Metric, e.Diff, true)
		if e.HasInterval() {
			diff += " " + intervalText(me.Metric, e.Lo, e.Hi)
		} else {
			diff += " (no interval)"
		}
		ratio := "n/a"
		if !math.IsNaN(e.Ratio) {
			ratio = "×" + formatRatio(e.Ratio)
			if e.HasInterval() {
				ratio += " " + ratioInterval(e.RatioLo, e.RatioHi)
			}
		}
		mark := ""
		if e.Excludes0() {
			mark = "*"
		}
		if e.RatioExcludes1() {
			mark += "†"
		}
		out = append(out, []string{e.Name(), diff, ratio, mark})
	}
	return out
}

// levels describes what High and Low mean, once for the whole analysis.
func (a *Analysis) levels() string {
	parts := make([]string, 0, a.Design.K())
	for _, s := range a.Design.Switches() {
		parts = append(parts, fmt.Sprintf("%s %s vs %s", s.Name, s.High, s.Low))
	}
	return "Effects are High − Low: " + strings.Join(parts, ", ") +
		"; an interaction s×t is (effect of s with t High − effect of s with t Low) / 2."
}

// WriteText writes every metric's effects as aligned text tables, largest
// first, with the warnings under each.
func (a *Analysis) WriteText(w io.Writer) error {
	var b strings.Builder
	b.WriteString(a.levels() + "\n")
	for _, me := range a.Metrics {
		b.WriteString("\n" + a.header(me) + "\n")
		texttab.Layout(&b, "", a.rows(me), nil)
		for _, wn := range me.Warnings {
			b.WriteString("note: " + wn + "\n")
		}
	}
	return write(w, b.String())
}

// WriteMarkdown writes every metric's effects as a markdown table each.
func (a *Analysis) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString(a.levels() + "\n")
	for _, me := range a.Metrics {
		b.WriteString("\n**" + a.header(me) + "**\n\n")
		for i, r := range a.rows(me) {
			b.WriteString("| " + strings.Join(r, " | ") + " |\n")
			if i == 0 {
				b.WriteString("|---|---:|---:|:-:|\n")
			}
		}
		for _, wn := range me.Warnings {
			b.WriteString("\n" + wn + "\n")
		}
	}
	return write(w, b.String())
}

func write(w io.Writer, s string) error {
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("factorial: writing: %w", err)
	}
	return nil
}
