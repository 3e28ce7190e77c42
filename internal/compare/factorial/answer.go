package factorial

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/perf/benchunit"

	"github.com/leakbench/leakbench/internal/compare"
)

// Cost is the switch whose change of level worsens one metric most: the
// largest main effect, read from its better level to its worse one.
type Cost struct {
	Metric compare.Metric
	// Switch is the costliest switch; its Name is "" when the metric has no
	// effects.
	Switch Switch
	// Worse and Better are its two levels, the worse one first.
	Worse, Better string
	// Change is the metric at Worse minus the metric at Better (positive
	// for memory, negative for throughput), Lo and Hi its interval (NaN
	// without one).
	Change, Lo, Hi float64
	// Ratio is the metric at Worse over the metric at Better (geometric
	// means), with its interval; NaN without a log scale.
	Ratio, RatioLo, RatioHi float64
	// Effect is the switch's main effect as analysed (High − Low).
	Effect Effect
}

// Scale is the scale an interaction is found on. Whether two switches
// interact depends on it: effects that multiply interact as differences,
// effects that add interact as ratios.
type Scale uint8

// The scales of Effect.
const (
	Difference Scale = iota + 1 // difference of means: Effect.Diff
	Ratio                       // ratio of geometric means: Effect.Ratio
)

// String returns "difference" or "ratio".
func (s Scale) String() string {
	if s == Ratio {
		return "ratio"
	}
	return "difference"
}

// Interaction is a pair of switches that interact in one metric on one
// scale.
type Interaction struct {
	Metric compare.Metric
	Scale  Scale
	Effect Effect
}

// Answers are the questions a factorial is run for, answered in numbers.
type Answers struct {
	// Memory is the switch that costs most of the chosen memory metric.
	Memory Cost
	// Throughput is the switch that costs most throughput.
	Throughput Cost
	// Interactions lists, for every metric of the analysis, the pairs whose
	// simultaneous interval excludes zero (on the difference scale) or one
	// (on the ratio scale), largest first within a metric and scale.
	Interactions []Interaction
	// NoInterval names the metrics that have no intervals (R = 1), for
	// which no interaction can be claimed.
	NoInterval []string
	// Confidence is the family-wise level of the interaction claims.
	Confidence float64
}

// Answer answers which switch costs most of the metric named memory,
// which costs most of the metric named throughput, and which pairs
// interact in any metric.
func (a *Analysis) Answer(memory, throughput string) (Answers, error) {
	ans := Answers{Confidence: a.Confidence}
	var err error
	if ans.Memory, err = a.costliest(memory); err != nil {
		return Answers{}, err
	}
	if ans.Throughput, err = a.costliest(throughput); err != nil {
		return Answers{}, err
	}
	for _, me := range a.Metrics {
		if me.DF == 0 && len(me.Effects) > 0 {
			ans.NoInterval = append(ans.NoInterval, me.Metric.Name)
		}
		for _, e := range me.Effects {
			if e.Interaction() && e.Excludes0() {
				ans.Interactions = append(ans.Interactions, Interaction{Metric: me.Metric, Scale: Difference, Effect: e})
			}
		}
		for _, e := range me.Effects {
			if e.Interaction() && e.RatioExcludes1() {
				ans.Interactions = append(ans.Interactions, Interaction{Metric: me.Metric, Scale: Ratio, Effect: e})
			}
		}
	}
	return ans, nil
}

// costliest returns the largest main effect of the metric, oriented from
// its better level to its worse one.
func (a *Analysis) costliest(name string) (Cost, error) {
	me, err := a.Metric(name)
	if err != nil {
		return Cost{}, err
	}
	c := Cost{Metric: me.Metric}
	for _, e := range me.Effects {
		if e.Interaction() {
			continue
		}
		if c.Switch.Name != "" && math.Abs(e.Diff) <= math.Abs(c.Change) {
			continue
		}
		for _, s := range a.Design.Switches() {
			if s.Name == e.Switches[0] {
				c.Switch = s
			}
		}
		c.Effect = e
		highWorse := e.Diff > 0 != me.Metric.HigherIsBetter
		if highWorse {
			c.Worse, c.Better = c.Switch.High, c.Switch.Low
			c.Change, c.Lo, c.Hi = e.Diff, e.Lo, e.Hi
			c.Ratio, c.RatioLo, c.RatioHi = e.Ratio, e.RatioLo, e.RatioHi
		} else {
			c.Worse, c.Better = c.Switch.Low, c.Switch.High
			c.Change, c.Lo, c.Hi = -e.Diff, -e.Hi, -e.Lo
			c.Ratio, c.RatioLo, c.RatioHi = 1/e.Ratio, 1/e.RatioHi, 1/e.RatioLo
		}
	}
	return c, nil
}

// String answers in one line per question.
func (ans Answers) String() string {
	var b strings.Builder
	for _, c := range []struct {
		what string
		cost Cost
	}{{"memory", ans.Memory}, {"throughput", ans.Throughput}} {
		fmt.Fprintf(&b, "Costs most %s (%s): ", c.what, c.cost.Metric.Name)
		if c.cost.Switch.Name == "" {
			b.WriteString("no effects.\n")
			continue
		}
		e := c.cost.Effect
		fmt.Fprintf(&b, "%s: %s %s against %s", c.cost.Switch.Name, c.cost.Worse,
			strings.TrimSpace(formatValue(c.cost.Metric, c.cost.Change, true)+" "+intervalText(c.cost.Metric, c.cost.Lo, c.cost.Hi)),
			c.cost.Better)
		if !math.IsNaN(c.cost.Ratio) {
			fmt.Fprintf(&b, ", ×%s", strings.TrimSpace(formatRatio(c.cost.Ratio)+" "+ratioInterval(c.cost.RatioLo, c.cost.RatioHi)))
		}
		switch {
		case !e.HasInterval():
			b.WriteString(" (R = 1: no interval).\n")
		case e.Excludes0():
			b.WriteString(" (simultaneous interval excludes zero).\n")
		default:
			b.WriteString(" (but its simultaneous interval includes zero).\n")
		}
	}
	fmt.Fprintf(&b, "Interacting pairs (simultaneous %g%% interval excludes 0 for a difference, 1 for a ratio): ", 100*ans.Confidence)
	if len(ans.Interactions) == 0 {
		b.WriteString("none")
	}
	for i, in := range ans.Interactions {
		if i > 0 {
			b.WriteString("; ")
		}
		e := in.Effect
		if in.Scale == Ratio {
			fmt.Fprintf(&b, "%s in %s ×%s %s (ratio)", e.Name(), in.Metric.Name, formatRatio(e.Ratio),
				ratioInterval(e.RatioSimLo, e.RatioSimHi))
			continue
		}
		fmt.Fprintf(&b, "%s in %s %s %s (difference)", e.Name(), in.Metric.Name, formatValue(in.Metric, e.Diff, true),
			intervalText(in.Metric, e.SimLo, e.SimHi))
	}
	b.WriteString(".")
	if len(ans.NoInterval) > 0 {
		fmt.Fprintf(&b, " No interval, so no claim, for %s (R = 1).", strings.Join(ans.NoInterval, ", "))
	}
	b.WriteString("\n")
	return b.String()
}

// formatValue renders v with a benchunit prefix and the metric's unit:
// "+3.10GiB", "-1.20req/s".
func formatValue(m compare.Metric, v float64, signed bool) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	s := scaled(math.Abs(v), m.Unit) + m.Unit
	switch {
	case v < 0:
		return "-" + s
	case signed:
		return "+" + s
	}
	return s
}

// scaled renders a non-negative value with three significant digits: with
// a binary prefix for bytes (benchunit), with an SI prefix for other units
// only from 1000 up, so that 0.98 req/s does not become "980.0mreq/s".
func scaled(v float64, unit string) string {
	cls := benchunit.ClassOf(unit)
	if cls == benchunit.Binary || v >= 1000 {
		return benchunit.Scale(v, cls)
	}
	if v == 0 {
		return "0"
	}
	prec := max(0, 2-int(math.Floor(math.Log10(v))))
	return fmt.Sprintf("%.*f", prec, v)
}

// intervalText renders "[+2.90GiB, +3.30GiB]", or "" without an interval.
func intervalText(m compare.Metric, lo, hi float64) string {
	if math.IsNaN(lo) {
		return ""
	}
	return "[" + formatValue(m, lo, true) + ", " + formatValue(m, hi, true) + "]"
}

// ratioInterval renders "[3.90, 4.50]", or "" without an interval.
func ratioInterval(lo, hi float64) string {
	if math.IsNaN(lo) {
		return ""
	}
	return "[" + formatRatio(lo) + ", " + formatRatio(hi) + "]"
}

// formatRatio renders a ratio with three significant digits.
func formatRatio(r float64) string {
	if math.IsNaN(r) {
		return "n/a"
	}
	if r <= 0 || math.IsInf(r, 0) {
		return fmt.Sprint(r)
	}
	prec := max(0, 2-int(math.Floor(math.Log10(r))))
	return fmt.Sprintf("%.*f", prec, r)
}
