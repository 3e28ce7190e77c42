package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leakbench/leakbench/internal/compare/factorial"
	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
)

// Defaults of `bench compare --factorial`.
const (
	defaultFactorialBase = "quick-fixed"
	// defaultFactorialWorkers is the worker count of the per-worker cells:
	// the published 16-thread machine's cpus - 1, as the builtin stages
	// use, so that the topology's effect is the published one and not
	// that of this machine's core count.
	defaultFactorialWorkers = 15
)

// factorialPlan is the design of a factorial comparison, as compare.json
// records it.
type factorialPlan struct {
	// Base is the scenario the cells were built from.
	Base string `json:"base"`
	// Switches are the switches varied, in design order.
	Switches []string `json:"switches"`
	// Workers is the worker count of the per-worker cells.
	Workers int `json:"workers"`
}

// factorialSwitch is one of the four causes as a two-level factor: High
// is the leaky level (the published cause), Low the fix, so an effect is
// what the cause costs.
type factorialSwitch struct {
	factorial.Switch
	// set puts the cell's level into the strategy.
	set func(st *engine.Strategy, high bool)
}

// allFactorialSwitches are the four causes in the published order.
func allFactorialSwitches() []factorialSwitch {
	return []factorialSwitch{
		{factorial.Switch{Name: "topology", Low: engine.Pipeline.String(), High: engine.PerWorker.String()},
			func(st *engine.Strategy, high bool) { st.Topology = pick(high, engine.PerWorker, engine.Pipeline) }},
		{factorial.Switch{Name: "lifetime", Low: engine.Fresh.String(), High: engine.Reuse.String()},
			func(st *engine.Strategy, high bool) { st.Lifetime = pick(high, engine.Reuse, engine.Fresh) }},
		{factorial.Switch{Name: "views", Low: engine.ViewsCleared.String(), High: engine.ViewsLeaked.String()},
			func(st *engine.Strategy, high bool) { st.Views = pick(high, engine.ViewsLeaked, engine.ViewsCleared) }},
		{factorial.Switch{Name: "listeners", Low: engine.ListenersRemoved.String(), High: engine.ListenersLeaked.String()},
			func(st *engine.Strategy, high bool) {
				st.Listeners = pick(high, engine.ListenersLeaked, engine.ListenersRemoved)
			}},
	}
}

func pick[T any](high bool, h, l T) T {
	if high {
		return h
	}
	return l
}

// factorialSwitchNames are the names --switches accepts, in order.
func factorialSwitchNames() []string {
	var out []string
	for _, s := range allFactorialSwitches() {
		out = append(out, s.Name)
	}
	return out
}

// factorialSwitches returns the named switches in the order given.
func factorialSwitches(names []string) ([]factorialSwitch, error) {
	if len(names) == 0 {
		return nil, errors.New("no switches")
	}
	all := allFactorialSwitches()
	var out []factorialSwitch
	for i, n := range names {
		j := slices.IndexFunc(all, func(s factorialSwitch) bool { return s.Name == n })
		switch {
		case j < 0:
			return nil, fmt.Errorf("unknown switch %q (switches: %s)", n, strings.Join(factorialSwitchNames(), ", "))
		case slices.Index(names, n) != i:
			return nil, fmt.Errorf("switch %s given twice", n)
		}
		out = append(out, all[j])
	}
	return out, nil
}

// factorialDesign is the design over the named switches.
func factorialDesign(names []string) (factorial.Design, error) {
	sws, err := factorialSwitches(names)
	if err != nil {
		return factorial.Design{}, err
	}
	fs := make([]factorial.Switch, len(sws))
	for i, s := range sws {
		fs[i] = s.Switch
	}
	return factorial.NewDesign(fs...)
}

// factorialCells builds one scenario per cell of the design from base:
// the base's workload, rounds, phases and caps, each switch of the design
// at the cell's level in the scenario's Strategy (the others as the base
// has them; the runner hands the Strategy to the builtin target as its
// options), per-worker cells with workers workers. A cell is named after
// the base and its levels: "quick-fixed.lifetime-reuse.listeners-removed".
// Cells carry no expectation or limits: a comparison has no verdict. The
// base must run the builtin target, the only one with the four switches,
// and every cell's strategy must be one the engine accepts
// (engine.Strategy.Validate: a base with pool_size, say, cannot have its
// topology switched to pipeline).
func factorialCells(base scenario.Scenario, names []string, workers int) (factorialPlan, []scenario.Scenario, error) {
	fp := factorialPlan{Base: base.Name, Switches: names, Workers: workers}
	if !base.Builtin() {
		what := "target " + base.Target
		if len(base.Exec) > 0 {
			what = "the program " + base.Exec[0] + " (exec)"
		}
		return fp, nil, fmt.Errorf("--base %s runs %s: the factorial switches the builtin target's four causes", base.Name, what)
	}
	sws, err := factorialSwitches(names)
	if err != nil {
		return fp, nil, err
	}
	d, err := factorialDesign(names)
	if err != nil {
		return fp, nil, err
	}
	var cells []scenario.Scenario
	for _, c := range d.Cells() {
		sc := base
		sc.Preset, sc.File = "", ""
		sc.Expect, sc.Limits = metric.ExpectStable, nil
		sc.Workers = workers
		name := []string{base.Name}
		for i, s := range sws {
			s.set(&sc.Strategy, c.High(i))
			name = append(name, s.Name+"-"+d.Levels(c)[i])
		}
		sc.Name = strings.Join(name, ".")
		sc.Description = fmt.Sprintf("factorial cell %s of %s", d.CellName(c), base.Name)
		if errs := sc.Validate(); len(errs) > 0 {
			return fp, nil, fmt.Errorf("cell %s: %w", sc.Name, errors.Join(errs...))
		}
		cells = append(cells, sc)
	}
	return fp, cells, nil
}

// factorialRuns turns completed runs into the analysis' runs: each run's
// levels from the strategy it recorded, its value of every metric.
func factorialRuns(done []results.Summary, ms []metric.Metric) []factorial.Run {
	out := make([]factorial.Run, 0, len(done))
	for _, s := range done {
		r := factorial.Run{
			Levels: map[string]string{"topology": s.Strategy.Topology, "lifetime": s.Strategy.Lifetime,
				"views": s.Strategy.Views, "listeners": s.Strategy.Listeners},
			Values: map[string]float64{},
		}
		for _, m := range ms {
			r.Values[m.String()] = m.Value(s)
		}
		out = append(out, r)
	}
	return out
}

// reportFactorial analyses the completed runs of a factorial, prints the
// answers and writes factorial.txt, factorial.md and the figures.
func (c compareCmd) reportFactorial(dir string, p comparePlan, done []results.Summary, notes []string) error {
	fp := p.Factorial
	d, err := factorialDesign(fp.Switches)
	if err != nil {
		return err
	}
	ms := available(metric.Compared(), done)
	a, err := factorial.Analyze(d, gate.CompareMetrics(ms), factorialRuns(done, ms), factorial.Options{})
	if err != nil {
		return err
	}
	answers, err := factorialAnswers(a)
	if err != nil {
		return err
	}
	workers := ""
	if slices.Contains(fp.Switches, "topology") || slices.ContainsFunc(done, func(s results.Summary) bool { return s.Strategy.Topology == engine.PerWorker.String() }) {
		workers = fmt.Sprintf(" (per-worker cells with %d workers)", fp.Workers)
	}
	head := fmt.Sprintf("Factorial of %s over %s%s, %d cells: %s",
		strings.Join(fp.Switches, ", "), fp.Base, workers, len(d.Cells()), compareHead(p, done))
	var txt, md strings.Builder
	txt.WriteString(head + "\n\n" + answers + "\n")
	if err := a.WriteText(&txt); err != nil {
		return err
	}
	md.WriteString("# bench compare --factorial\n\n" + head + "\n\n")
	for _, line := range strings.Split(strings.TrimSpace(answers), "\n") {
		md.WriteString("- " + line + "\n")
	}
	md.WriteString("\n![effects](effects.png)\n\n![cells](cells.png)\n\n")
	if err := a.WriteMarkdown(&md); err != nil {
		return err
	}
	for _, n := range notes {
		txt.WriteString("note: " + n + "\n")
		md.WriteString("\n- " + n)
	}
	fmt.Fprint(c.stdout, head+"\n\n"+answers)
	for _, n := range notes {
		fmt.Fprintln(c.stdout, "note: "+n)
	}
	fmt.Fprintf(c.stdout, "(every effect with its interval: %s)\n", filepath.Join(dir, "factorial.txt"))
	errs := []error{writeFile(filepath.Join(dir, "factorial.txt"), txt.String()), writeFile(filepath.Join(dir, "factorial.md"), md.String())}
	if c.plots {
		title := "factorial of " + strings.Join(fp.Switches, ", ") + " over " + fp.Base
		errs = append(errs, report.PlotFactorialEffects(a, title, filepath.Join(dir, "effects")),
			report.PlotFactorialCells(a, title, filepath.Join(dir, "cells")))
	}
	return errors.Join(errs...)
}

// factorialAnswers answers the questions the factorial is run for: the
// switch that costs most peak memory, most settled (truly retained)
// memory, most throughput, and which pairs interact.
func factorialAnswers(a *factorial.Analysis) (string, error) {
	peak, err := a.Answer(metric.Peak.String(), metric.Throughput.String())
	if err != nil {
		return "", err
	}
	settled, err := a.Answer(metric.Settled.String(), metric.Throughput.String())
	if err != nil {
		return "", err
	}
	// peak's answers hold memory (peak), throughput and the interactions;
	// settled's first line is the retained-memory question.
	lines := strings.Split(strings.TrimSpace(peak.String()), "\n")
	settledLine := strings.Split(settled.String(), "\n")[0]
	out := append([]string{lines[0], settledLine}, lines[1:]...)
	return strings.Join(out, "\n") + "\n", nil
}
