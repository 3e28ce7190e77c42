// Package factorial analyses a 2^k full-factorial experiment over named
// two-level switches (leakbench's topology, lifetime, views and
// listeners, or any subset): replicate runs in each of the 2^k cells, and
// for each metric every main effect and every two-way interaction, as a
// difference of means and as a ratio (on the log scale), with confidence
// intervals from the replicate variance.
//
// # Model
//
// The cell-means model: y = μ_cell + ε with ε independent, of one variance
// σ² in every cell, estimated from the replicates pooled over the cells
// with N − 2^k degrees of freedom (N runs). With x_s = +1 when switch s is
// at its High level and −1 at Low, an effect is a contrast of the cell
// means (Box, Hunter and Hunter, Statistics for Experimenters, ch. 5):
//
//	main effect of s         E_s  = mean of ȳ over cells with x_s = +1 − mean over x_s = −1
//	interaction of s and t   E_st = mean of ȳ over cells with x_s·x_t = +1 − mean over x_s·x_t = −1
//	                              = (effect of s with t High − effect of s with t Low) / 2
//
// so an interaction is on the same scale as a main effect and they can be
// sorted together. The variance of a contrast Σ c_i ȳ_i is σ² Σ c_i²/n_i,
// which also holds for unequal replicate counts; intervals use Student's t
// with N − 2^k degrees of freedom (gonum's distuv.StudentsT). With one run
// per cell there are no degrees of freedom and no interval: the analysis
// says so and gives the point estimates only.
//
// The ratio is the same contrast on ln y, exponentiated: a main effect's
// ratio is the ratio of geometric means High/Low, an interaction's is the
// square root of (ratio of s with t High) / (ratio of s with t Low). It
// needs every value of the metric to be positive.
//
// # Multiplicity
//
// Each Effect has its own interval at the requested confidence and a
// simultaneous one (Bonferroni over the k + k(k−1)/2 effects of that
// metric). "Which pairs interact" is answered with the simultaneous
// intervals: with ten effects per metric and ten metrics, individual 95%
// intervals would flag about five effects by chance alone.
package factorial

import (
	"fmt"
	"slices"
	"strings"
)

// Switch is one two-level factor of the design.
type Switch struct {
	// Name names the switch: "topology".
	Name string
	// Low is the baseline level: "pipeline" (the fix).
	Low string
	// High is the level whose effect is measured, High − Low: "per-worker"
	// (the leak).
	High string
}

// MaxSwitches is the largest number of switches a Design takes (256 cells).
const MaxSwitches = 8

// Design is a 2^k full factorial over k named switches.
type Design struct {
	switches []Switch
}

// NewDesign returns the design over the given switches, in that order.
func NewDesign(switches ...Switch) (Design, error) {
	if len(switches) == 0 || len(switches) > MaxSwitches {
		return Design{}, fmt.Errorf("factorial: need 1 to %d switches, got %d", MaxSwitches, len(switches))
	}
	for i, s := range switches {
		switch {
		case s.Name == "" || s.Low == "" || s.High == "":
			return Design{}, fmt.Errorf("factorial: switch %d: name and both levels must be set, got %+v", i+1, s)
		case s.Low == s.High:
			return Design{}, fmt.Errorf("factorial: switch %s: both levels are %q", s.Name, s.Low)
		case strings.ContainsAny(s.Name, "×/= "):
			return Design{}, fmt.Errorf("factorial: switch name %q may not contain ×, /, = or spaces", s.Name)
		case slices.IndexFunc(switches, func(o Switch) bool { return o.Name == s.Name }) != i:
			return Design{}, fmt.Errorf("factorial: switch %s given twice", s.Name)
		}
	}
	return Design{switches: slices.Clone(switches)}, nil
}

// Switches returns the design's switches in order.
func (d Design) Switches() []Switch { return slices.Clone(d.switches) }

// K is the number of switches.
func (d Design) K() int { return len(d.switches) }

// Cell is one combination of levels: bit i is set when switch i is at its
// High level.
type Cell uint32

// High reports whether switch i is at its High level in the cell.
func (c Cell) High(i int) bool { return c&(1<<i) != 0 }

// sign is x_i: +1 when switch i is High, −1 when Low.
func (c Cell) sign(i int) float64 {
	if c.High(i) {
		return 1
	}
	return -1
}

// Cells returns the 2^k cells in standard (Yates) order: switch 0 changes
// fastest.
func (d Design) Cells() []Cell {
	cs := make([]Cell, 1<<d.K())
	for i := range cs {
		cs[i] = Cell(i)
	}
	return cs
}

// Levels returns the cell's level of each switch, in switch order.
func (d Design) Levels(c Cell) []string {
	out := make([]string, d.K())
	for i, s := range d.switches {
		out[i] = s.Low
		if c.High(i) {
			out[i] = s.High
		}
	}
	return out
}

// CellName names the cell as "topology=per-worker/lifetime=fresh/…".
func (d Design) CellName(c Cell) string {
	parts := make([]string, d.K())
	for i, l := range d.Levels(c) {
		parts[i] = d.switches[i].Name + "=" + l
	}
	return strings.Join(parts, "/")
}

// CellOf returns the cell of a run from its levels (switch name → level).
// Every switch must be given one of its two levels; other keys are
// ignored, so a run may carry more configuration than the design uses.
func (d Design) CellOf(levels map[string]string) (Cell, error) {
	var c Cell
	for i, s := range d.switches {
		l, ok := levels[s.Name]
		switch {
		case !ok:
			return 0, fmt.Errorf("factorial: run has no level for switch %s", s.Name)
		case l == s.High:
			c |= 1 << i
		case l != s.Low:
			return 0, fmt.Errorf("factorial: switch %s: level %q is neither %q nor %q", s.Name, l, s.Low, s.High)
		}
	}
	return c, nil
}
