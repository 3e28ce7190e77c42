package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leakbench/leakbench/internal/compare/factorial"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
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

// switchNames are the names --switches accepts, in order.
func (fd *Factorial) switchNames() []string {
	var out []string
	for _, s := range fd.Switches {
		out = append(out, s.Name)
	}
	return out
}

// pick returns the named switches in the order given.
func (fd *Factorial) pick(names []string) ([]factorial.Switch, error) {
	if fd == nil {
		return nil, errors.New("this program has no factorial design")
	}
	if len(names) == 0 {
		return nil, errors.New("no switches")
	}
	var out []factorial.Switch
	for i, n := range names {
		j := slices.IndexFunc(fd.Switches, func(s factorial.Switch) bool { return s.Name == n })
		switch {
		case j < 0:
			return nil, fmt.Errorf("unknown switch %q (switches: %s)", n, strings.Join(fd.switchNames(), ", "))
		case slices.Index(names, n) != i:
			return nil, fmt.Errorf("switch %s given twice", n)
		}
		out = append(out, fd.Switches[j])
	}
	return out, nil
}

// design is the design over the named switches.
func (fd *Factorial) design(names []string) (factorial.Design, error) {
	sws, err := fd.pick(names)
	if err != nil {
		return factorial.Design{}, err
	}
	return factorial.NewDesign(sws...)
}

// factorialCells builds one scenario per cell of the design from base:
// the base's workload, rounds, phases and caps, each switch of the design
// at the cell's level in the scenario's settings (scenario.Catalog.Set:
// the others as the base has them), every cell with workers workers. A
// cell is named after the base and its levels:
// "quick-fixed.lifetime-reuse.listeners-removed". Cells carry no
// expectation or limits: a comparison has no verdict. The base must run
// a target with settings (no exec program), and every cell's settings
// must be ones its target accepts (the builtin engine's Strategy.Validate:
// a base with pool_size, say, cannot have its topology switched to
// pipeline).
func factorialCells(cat scenario.Catalog, fd *Factorial, base scenario.Scenario, names []string, workers int) (factorialPlan, []scenario.Scenario, error) {
	fp := factorialPlan{Base: base.Name, Switches: names, Workers: workers}
	if base.Settings == nil || len(base.Exec) > 0 {
		what := "target " + base.Target
		if len(base.Exec) > 0 {
			what = "the program " + base.Exec[0] + " (exec)"
		}
		return fp, nil, fmt.Errorf("--base %s runs %s: the factorial switches the settings of a registered target", base.Name, what)
	}
	d, err := fd.design(names)
	if err != nil {
		return fp, nil, err
	}
	var cells []scenario.Scenario
	for _, c := range d.Cells() {
		sc := base
		sc.File = ""
		sc.Expect, sc.Limits = metric.ExpectStable, nil
		sc.Workers = workers
		name := []string{base.Name}
		levels := map[string]string{}
		for i, s := range names {
			levels[s] = d.Levels(c)[i]
			name = append(name, s+"-"+d.Levels(c)[i])
		}
		sc.Name = strings.Join(name, ".")
		sc, err := cat.Set(sc, levels)
		if err != nil {
			return fp, nil, fmt.Errorf("cell %s: %w", strings.Join(name, "."), err)
		}
		sc.Description = fmt.Sprintf("factorial cell %s of %s", d.CellName(c), base.Name)
		if errs := sc.Validate(); len(errs) > 0 {
			return fp, nil, fmt.Errorf("cell %s: %w", sc.Name, errors.Join(errs...))
		}
		cells = append(cells, sc)
	}
	return fp, cells, nil
}

// factorialRuns turns completed runs into the analysis' runs: each run's
// level of every switch from the settings its child reported, its value
// of every metric.
func factorialRuns(d factorial.Design, done []results.Summary, ms []metric.Metric) []factorial.Run {
	out := make([]factorial.Run, 0, len(done))
	for _, s := range done {
		r := factorial.Run{Levels: map[string]string{}, Values: map[string]float64{}}
		for _, sw := range d.Switches() {
			if v, ok := s.Settings[sw.Name]; ok {
				r.Levels[sw.Name] = fmt.Sprint(v)
			}
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
	d, err := c.factorial.design(fp.Switches)
	if err != nil {
		return err
	}
	ms := available(metric.Compared(), done)
	a, err := factorial.Analyze(d, gate.CompareMetrics(ms), factorialRuns(d, done, ms), factorial.Options{})
	if err != nil {
		return err
	}
	answers, err := factorialAnswers(a)
	if err != nil {
		return err
	}
	workers := ""
	key, level := c.factorial.WorkersKey, c.factorial.WorkersLevel
	if key != "" && (slices.Contains(fp.Switches, key) || slices.ContainsFunc(done, func(s results.Summary) bool { return fmt.Sprint(s.Settings[key]) == level })) {
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
