package gate

import (
	"fmt"
	"io"
	"strings"

	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/texttab"
)

// WriteCalibration writes the calibrations of the named scenarios as text
// tables: per scenario, each metric's noise, null distribution, threshold,
// false-alarm rate and smallest caught leak, then the power at each
// injected size. Names without a calibration are skipped.
func WriteCalibration(w io.Writer, names []string, cals map[string]*Calibration) error {
	var b strings.Builder
	for _, name := range names {
		c := cals[name]
		if c == nil {
			continue
		}
		for _, line := range c.summaryLines(name) {
			b.WriteString(line + "\n")
		}
		texttab.Layout(&b, "  ", c.metricTable(), []bool{false, true, true, true, true, true, true, false})
		if t := c.powerTable(); t != nil {
			b.WriteString("  power: share of trials caught, and the median's shift\n")
			align := make([]bool, len(t[0]))
			for i := range align {
				align[i] = true
			}
			texttab.Layout(&b, "  ", t, align)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCalibrationMarkdown writes the same as WriteCalibration as
// GitHub-flavoured markdown.
func WriteCalibrationMarkdown(w io.Writer, names []string, cals map[string]*Calibration) error {
	var b strings.Builder
	table := func(rows [][]string) {
		for i, r := range rows {
			for j := range r {
				r[j] = texttab.MarkdownCell(r[j])
			}
			fmt.Fprintf(&b, "| %s |\n", strings.Join(r, " | "))
			if i == 0 {
				b.WriteString("|" + strings.Repeat("---|", len(r)) + "\n")
			}
		}
		b.WriteString("\n")
	}
	for _, name := range names {
		c := cals[name]
		if c == nil {
			continue
		}
		lines := c.summaryLines(name)
		fmt.Fprintf(&b, "### %s\n\n", texttab.MarkdownCell(lines[0]))
		for _, l := range lines[1:] {
			fmt.Fprintf(&b, "%s\n\n", texttab.MarkdownCell(strings.TrimSpace(l)))
		}
		table(c.metricTable())
		if t := c.powerTable(); t != nil {
			b.WriteString("Power: share of trials caught, and the median's shift.\n\n")
			table(t)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// fewResamples is the number of trials below which a calibration's
// report warns that its tail is guessed from too few differences.
const fewResamples = 100

// summaryLines are the calibration's heading and its false-alarm figures.
func (c *Calibration) summaryLines(name string) []string {
	lines := []string{
		fmt.Sprintf("calibration of %s: %d unchanged runs of %d requests, for a gate of R = %d; %d resamples (%d runs against the other %d)",
			name, c.Runs, c.Requests, c.GateRuns, c.Resamples, c.GateRuns, c.Runs-c.GateRuns),
		fmt.Sprintf("  false alarms %s per gate run (normal model; target %s over %d metrics); on the resamples the calibrated thresholds alarm %d times, the default thresholds %d",
			oneIn(c.FalseAlarm), oneIn(c.Target), c.Tests, c.Alarms, c.DefaultAlarms),
	}
	if c.Resamples < fewResamples {
		lines = append(lines, fmt.Sprintf("  only %d trials: the normal model's tail rests on few differences; more --calibrate-runs make the thresholds trustworthy", c.Resamples))
	}
	return lines
}

// metricTable is one row per calibrated metric.
func (c *Calibration) metricTable() [][]string {
	rows := [][]string{{"metric", "noise (sd)", "null mean", "null sd", "max null", "threshold", "false alarm", "catches (per request; per run)"}}
	for _, met := range CalibratedMetrics() {
		mc, ok := c.Metrics[met]
		if !ok {
			continue
		}
		catches := "—"
		switch {
		case mc.Catches > 0:
			catches = fmt.Sprintf("≥ %s; ≥ %s", metric.FormatSize(mc.Catches), metric.FormatSize(mc.Catches*uint64(c.Requests)))
		case len(mc.Power) > 0:
			catches = "none up to " + metric.FormatSize(mc.Power[len(mc.Power)-1].PerRequest)
		}
		rows = append(rows, []string{met.String(), met.Format(mc.Noise), met.FormatDelta(mc.NullMean), met.Format(mc.NullSD),
			met.FormatDelta(mc.MaxNull), "+" + met.Format(mc.Threshold), oneIn(mc.FalseAlarm), catches})
	}
	return rows
}

// powerTable is one row per injected size, nil without any.
func (c *Calibration) powerTable() [][]string {
	var sizes []PowerPoint
	for _, met := range CalibratedMetrics() {
		if p := c.Metrics[met].Power; len(p) > len(sizes) {
			sizes = p
		}
	}
	if len(sizes) == 0 {
		return nil
	}
	head := []string{"per request", "per run", "runs"}
	for _, met := range CalibratedMetrics() {
		head = append(head, met.String())
	}
	rows := [][]string{head}
	for i, p := range sizes {
		row := []string{metric.FormatSize(p.PerRequest), metric.FormatSize(p.PerRequest * uint64(c.Requests)), fmt.Sprint(p.Runs)}
		for _, met := range CalibratedMetrics() {
			cell := "—"
			if ps := c.Metrics[met].Power; i < len(ps) {
				cell = fmt.Sprintf("%.0f%% %s", 100*ps[i].Share(), met.FormatDelta(ps[i].Shift))
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return rows
}
