package factorial

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/leakbench/leakbench/internal/compare"
)

// Run is one replicate: the levels it ran at and the metrics it gave.
type Run struct {
	// Levels maps each switch name to the level the run used.
	Levels map[string]string
	// Values maps metric names to the run's value. A missing or NaN value
	// leaves the run out of that metric only.
	Values map[string]float64
}

// Analysis is the factorial analysis of every metric.
type Analysis struct {
	Design Design
	// Confidence is the level of every interval.
	Confidence float64
	// Metrics holds one analysis per metric, in the order given.
	Metrics []MetricEffects
}

// MetricEffects is the analysis of one metric.
type MetricEffects struct {
	Metric compare.Metric
	// Cells has one entry per design cell, in Design.Cells order.
	Cells []CellStat
	// N is the number of runs with a value; DF = N − 2^k the degrees of
	// freedom of the replicate variance. DF == 0 means no interval.
	N, DF int
	// Sigma is the pooled within-cell standard deviation, in the metric's
	// unit; NaN when DF == 0.
	Sigma float64
	// LogScale is true when every value is positive, so the effects have
	// ratios.
	LogScale bool
	// Effects are the main effects and two-way interactions, largest
	// |Diff| first. Empty when a cell has no run (see Warnings).
	Effects []Effect
	// Warnings say what the figures cannot be trusted for.
	Warnings []string
}

// CellStat is one cell's replicates of one metric.
type CellStat struct {
	Cell   Cell
	Values []float64
	// Mean is the arithmetic mean of Values; NaN for no values.
	Mean float64
}

// Effect is one main effect or two-way interaction of one metric.
type Effect struct {
	// Switches names one switch (a main effect) or two (an interaction),
	// in design order.
	Switches []string
	// Diff is the effect as a difference of means, in the metric's unit;
	// Lo and Hi bound it at the analysis' confidence, SimLo and SimHi at
	// the same confidence for all effects of the metric together
	// (Bonferroni). All four are NaN when there is no interval (DF == 0).
	Diff, Lo, Hi, SimLo, SimHi float64
	// Ratio is the effect on the log scale, exponentiated, with its
	// individual and simultaneous bounds; all NaN unless LogScale.
	Ratio, RatioLo, RatioHi, RatioSimLo, RatioSimHi float64
}

// Name is "lifetime" or "lifetime×listeners".
func (e Effect) Name() string { return strings.Join(e.Switches, "×") }

// Interaction reports whether the effect is a two-way interaction.
func (e Effect) Interaction() bool { return len(e.Switches) == 2 }

// HasInterval reports whether the effect has an interval (DF > 0).
func (e Effect) HasInterval() bool { return !math.IsNaN(e.Lo) }

// Excludes0 reports whether the effect's simultaneous interval excludes
// zero: the effect is real at the family-wise confidence.
func (e Effect) Excludes0() bool { return e.HasInterval() && (e.SimLo > 0 || e.SimHi < 0) }

// RatioExcludes1 reports whether the effect's simultaneous interval on the
// log scale excludes a ratio of one.
func (e Effect) RatioExcludes1() bool {
	return e.HasInterval() && !math.IsNaN(e.RatioSimLo) && (e.RatioSimLo > 1 || e.RatioSimHi < 1)
}

// Options tune Analyze.
type Options struct {
	// Confidence is the level of every interval; 0 means 0.95.
	Confidence float64
}

// Analyze assigns each run to its cell and computes every metric's
// effects. A run whose levels do not fit the design is an error naming
// the run; a metric with a cell of no runs has no effects and a warning.
func Analyze(d Design, metrics []compare.Metric, runs []Run, opt Options) (*Analysis, error) {
	if d.K() == 0 {
		return nil, fmt.Errorf("factorial: empty design")
	}
	conf := opt.Confidence
	if conf == 0 {
		conf = compare.DefaultConfidence
	}
	if !(conf > 0 && conf < 1) {
		return nil, fmt.Errorf("factorial: confidence must be in (0, 1), is %g", conf)
	}
	if len(metrics) == 0 {
		return nil, fmt.Errorf("factorial: no metrics")
	}
	for i, m := range metrics {
		if err := m.Validate(); err != nil {
			return nil, err
		}
		if slices.IndexFunc(metrics, func(o compare.Metric) bool { return o.Name == m.Name }) != i {
			return nil, fmt.Errorf("factorial: metric %s given twice", m.Name)
		}
	}
	cells := make([]Cell, len(runs))
	for i, r := range runs {
		c, err := d.CellOf(r.Levels)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", i+1, err)
		}
		cells[i] = c
	}
	a := &Analysis{Design: d, Confidence: conf}
	for _, m := range metrics {
		byCell := make([][]float64, 1<<d.K())
		for i, r := range runs {
			if v, ok := r.Values[m.Name]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				byCell[cells[i]] = append(byCell[cells[i]], v)
			}
		}
		a.Metrics = append(a.Metrics, analyzeMetric(d, m, byCell, conf))
	}
	return a, nil
}

// analyzeMetric computes one metric's effects from its values per cell.
func analyzeMetric(d Design, m compare.Metric, byCell [][]float64, conf float64) MetricEffects {
	me := MetricEffects{Metric: m, LogScale: true, Sigma: math.NaN()}
	var empty []string
	for c, vs := range byCell {
		me.Cells = append(me.Cells, CellStat{Cell: Cell(c), Values: vs, Mean: mean(vs)})
		me.N += len(vs)
		if len(vs) == 0 {
			empty = append(empty, d.CellName(Cell(c)))
		}
		for _, v := range vs {
			if v <= 0 {
				me.LogScale = false
			}
		}
	}
	if len(empty) > 0 {
		me.LogScale = false
		me.Warnings = append(me.Warnings, fmt.Sprintf("no effects: %d of %d cells have no run (%s)",
			len(empty), len(byCell), strings.Join(empty, ", ")))
		return me
	}
	if !me.LogScale {
		me.Warnings = append(me.Warnings, "no ratios: not every value is positive")
	}
	me.DF = me.N - len(byCell)
	if me.DF == 0 {
		me.Warnings = append(me.Warnings, "no intervals: one run per cell (R = 1) leaves no replicate variance")
	}

	family := d.K() + d.K()*(d.K()-1)/2
	raw := contrasts(d, byCell, identity, conf, family, me.DF)
	me.Sigma = raw.sigma
	var logs contrastSet
	if me.LogScale {
		logs = contrasts(d, byCell, math.Log, conf, family, me.DF)
	}
	for i, e := range raw.effects {
		eff := Effect{Switches: e.switches, Diff: e.est, Lo: e.lo, Hi: e.hi, SimLo: e.simLo, SimHi: e.simHi,
			Ratio: math.NaN(), RatioLo: math.NaN(), RatioHi: math.NaN(), RatioSimLo: math.NaN(), RatioSimHi: math.NaN()}
		if me.LogScale {
			l := logs.effects[i]
			eff.Ratio, eff.RatioLo, eff.RatioHi = math.Exp(l.est), math.Exp(l.lo), math.Exp(l.hi)
			eff.RatioSimLo, eff.RatioSimHi = math.Exp(l.simLo), math.Exp(l.simHi)
		}
		me.Effects = append(me.Effects, eff)
	}
	slices.SortStableFunc(me.Effects, func(a, b Effect) int { return cmp.Compare(math.Abs(b.Diff), math.Abs(a.Diff)) })
	return me
}

// contrastSet is every effect of one metric on one scale.
type contrastSet struct {
	sigma   float64
	effects []contrast
}

type contrast struct {
	switches                  []string
	est, lo, hi, simLo, simHi float64
}

func identity(x float64) float64 { return x }

// contrasts estimates the main effects and two-way interactions of the
// transformed values f(y), in design order: main effects, then pairs.
func contrasts(d Design, byCell [][]float64, f func(float64) float64, conf float64, family, df int) contrastSet {
	means := make([]float64, len(byCell))
	var ss float64
	for c, vs := range byCell {
		t := make([]float64, len(vs))
		for i, v := range vs {
			t[i] = f(v)
		}
		means[c] = mean(t)
		for _, v := range t {
			ss += (v - means[c]) * (v - means[c])
		}
	}
	set := contrastSet{sigma: math.NaN()}
	tq, tsim := math.NaN(), math.NaN()
	if df > 0 {
		set.sigma = math.Sqrt(ss / float64(df))
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}
		tq = t.Quantile(1 - (1-conf)/2)
		tsim = t.Quantile(1 - (1-conf)/(2*float64(family)))
	}
	half := float64(len(byCell)) / 2
	effect := func(sw []string, sign func(Cell) float64) contrast {
		var est, v float64
		for c, vs := range byCell {
			coef := sign(Cell(c)) / half
			est += coef * means[c]
			v += coef * coef / float64(len(vs))
		}
		se := set.sigma * math.Sqrt(v)
		return contrast{switches: sw, est: est, lo: est - tq*se, hi: est + tq*se, simLo: est - tsim*se, simHi: est + tsim*se}
	}
	sw := d.Switches()
	for i := range sw {
		set.effects = append(set.effects, effect([]string{sw[i].Name}, func(c Cell) float64 { return c.sign(i) }))
	}
	for i := range sw {
		for j := i + 1; j < len(sw); j++ {
			set.effects = append(set.effects, effect([]string{sw[i].Name, sw[j].Name},
				func(c Cell) float64 { return c.sign(i) * c.sign(j) }))
		}
	}
	return set
}

// mean is the arithmetic mean, NaN for no values.
func mean(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	return stat.Mean(vs, nil)
}

// Metric returns the analysis of the named metric.
func (a *Analysis) Metric(name string) (*MetricEffects, error) {
	for i := range a.Metrics {
		if a.Metrics[i].Metric.Name == name {
			return &a.Metrics[i], nil
		}
	}
	names := make([]string, len(a.Metrics))
	for i, m := range a.Metrics {
		names[i] = m.Metric.Name
	}
	return nil, fmt.Errorf("factorial: no metric %s in the analysis (have %s)", name, strings.Join(names, ", "))
}
