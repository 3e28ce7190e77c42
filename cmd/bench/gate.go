package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
)

// Defaults of `bench gate`.
const (
	defaultBaseline = "reports/baseline.json"
	defaultGateOut  = "reports/gate"
	defaultRuns     = 3
)

// defaultGateScenarios are the scenarios the gate runs when none are named:
// the stable one and its leaky control.
func defaultGateScenarios() []string { return []string{"quick-fixed", "quick-leaky"} }

// gateHelp is the --help of `bench gate`.
func gateHelp() help {
	return help{
		usage: "bench gate [--baseline FILE] [--runs R] [--update-baseline] [--junit FILE] [--out DIR] [scenario ...]",
		description: `
The CI memory-regression gate. Runs each scenario R times (each run in its
own child process), takes the median of every metric, and compares it with
the committed baseline. A metric regresses only when it is worse than the
baseline by more than BOTH its relative threshold and its absolute noise
floor: peak +15% and 32 MiB; end_of_load and retained (after idle) +25%
and 48 MiB; settled (after GC) +15% and 16 MiB; peak live instances more
than +1; instances left open and failed requests: any increase. The slope
(+15% and 16 MiB/round) and throughput (-30%) are advisory: warnings, as
they swing widely on unchanged code. The scenarios' own limits ("settled < 64MiB")
are checked on the medians too, and the leaky control (a scenario with
"expect: leak") must still leak, clearly above the stable scenarios, or
the gate fails: a harness that cannot see leaks would pass everything.

Scenarios default to quick-fixed and quick-leaky: builtin names or paths of
.yaml files. Flags may come before or after the scenarios.

Outputs: the table on stdout; in a new folder DIR/<UTC time>/: every run
(<scenario>-<i>/), gate.txt, gate.md, plots of the runs of failing
scenarios, and baseline.json with this gate run's numbers in baseline form
(copy it over the committed baseline to accept them). The markdown is also
appended to $GITHUB_STEP_SUMMARY when that is set. --update-baseline
writes the baseline only when no run failed, every scenario limit holds
and the leaky control leaks.

Exit status:
  0  pass
  1  regression: a metric past both thresholds, a scenario limit broken, a
     stable run killed at its RSS cap, or the leaky control no longer leaks
  2  error: bad usage, a missing or corrupt baseline, a scenario missing
     from it or measured with another workload, strategy, rounds or request
     count (update the baseline), a run that crashed or could not start`,
		examples: []string{
			"# gate the default scenarios against reports/baseline.json",
			"bench gate",
			"# five runs per scenario, JUnit XML for the CI test tab",
			"bench gate --runs 5 --junit reports/gate.xml",
			"# measure and (re)write the committed baseline",
			"bench gate --update-baseline",
			"# a quick look at one scenario",
			"bench gate quick-fixed --runs 1",
		},
	}
}

// gateCmd is `bench gate` with its dependencies as fields, so that tests
// can replace the runner and the clock.
type gateCmd struct {
	stdout, stderr io.Writer
	// run runs one scenario once into opts.OutDir; runner.Run in production.
	run func(ctx context.Context, sc scenario.Scenario, opts runner.Options) (results.Summary, error)
	// now is the clock of the baseline's creation time and the output folder.
	now func() time.Time
	// getenv reads GITHUB_STEP_SUMMARY.
	getenv func(string) string
	// plot draws one run's curves (report.PlotRun); nil disables plots.
	plot func(dir, base string) error
	// workloads prepares the scenarios' workloads before the first run
	// and is shared by all runs; nil leaves it to each run.
	workloads *runner.Workloads
}

// gateFlags are the parsed flags of `bench gate`.
type gateFlags struct {
	Baseline  string
	Runs      int
	Update    bool
	JUnit     string
	Out       string
	Scenarios []string
}

// doGate is `bench gate`: it returns the exit code (gate.ExitPass,
// gate.ExitRegression or gate.ExitError).
func doGate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := gateCmd{
		stdout: stdout,
		stderr: stderr,
		run:    runSummary,
		now:    time.Now,
		getenv: os.Getenv,
		plot:   gatePlotRun,
	}
	g.workloads = runner.NewWorkloads(newProgressPrinter(stderr).workload)
	return g.main(ctx, args)
}

// gatePlotRun loads a run directory and plots it to base.png and base.svg.
func gatePlotRun(dir, base string) error {
	r, err := report.Load(dir)
	if err != nil {
		return err
	}
	return report.PlotRun(r, base)
}

// parseGateFlags parses flags and scenario names in any order. done is
// true when the command should stop with status: after --help (0) or a
// usage error (2, already reported on stderr).
func parseGateFlags(args []string, stdout, stderr io.Writer) (f gateFlags, status int, done bool) {
	fs := newFlagSet("gate")
	fs.StringVar(&f.Baseline, "baseline", defaultBaseline, "baseline `file` to compare with, or to write with --update-baseline")
	fs.IntVar(&f.Runs, "runs", defaultRuns, "runs per scenario (`R`): the median of the R runs is compared")
	fs.BoolVar(&f.Update, "update-baseline", false, "write the medians as the new baseline (refused when a run failed, a limit broke or the control did not leak)")
	fs.StringVar(&f.JUnit, "junit", "", "also write JUnit XML to `file`: one test case per scenario check and metric")
	fs.StringVar(&f.Out, "out", defaultGateOut, "output `dir`: runs, reports and plots go into a new folder below it")
	if status, done := parseFlags(fs, gateHelp(), args, stdout, stderr); done {
		return f, status, true
	}
	f.Scenarios = fs.Args()
	switch {
	case f.Runs < 1:
		return f, usageError(stderr, "gate", "--runs must be at least 1, is %d", f.Runs), true
	case f.Baseline == "":
		return f, usageError(stderr, "gate", "--baseline must name a file"), true
	case f.Out == "":
		return f, usageError(stderr, "gate", "--out must name a directory"), true
	}
	if len(f.Scenarios) == 0 {
		f.Scenarios = defaultGateScenarios()
	}
	return f, 0, false
}

// main runs the gate and returns the exit code.
func (g gateCmd) main(ctx context.Context, args []string) int {
	f, status, done := parseGateFlags(args, g.stdout, g.stderr)
	if done {
		return status
	}

	// Everything that can fail without measuring fails first: scenarios,
	// then the baseline.
	var scs []scenario.Scenario
	seen := map[string]bool{}
	for _, name := range f.Scenarios {
		sc, err := scenario.Find(name)
		if err == nil {
			err = errors.Join(sc.Validate()...)
		}
		if err != nil {
			fmt.Fprintf(g.stderr, "bench gate: scenario %s: %v\n", name, err)
			return gate.ExitError
		}
		if seen[sc.Name] {
			fmt.Fprintf(g.stderr, "bench gate: scenario %s named twice\n", sc.Name)
			return gate.ExitError
		}
		seen[sc.Name] = true
		scs = append(scs, sc)
	}
	base, err := gate.Load(f.Baseline)
	if err != nil {
		if !f.Update {
			fmt.Fprintf(g.stderr, "bench gate: %v\n", err)
			return gate.ExitError
		}
		if !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(g.stderr, "bench gate: replacing an unreadable baseline: %v\n", err)
		}
		base = nil
	}

	dir, err := g.outDir(f.Out)
	if err != nil {
		fmt.Fprintf(g.stderr, "bench gate: %v\n", err)
		return gate.ExitError
	}

	// Runs are interleaved (A1 B1 A2 B2 ...), so that a machine whose load
	// drifts during the gate weighs on every scenario alike.
	start := g.now()
	ms := make([]gate.Measurement, len(scs))
	for j, sc := range scs {
		m, err := gateMeasurement(sc)
		if err != nil {
			fmt.Fprintf(g.stderr, "bench gate: scenario %s: %v\n", sc.Name, err)
			return gate.ExitError
		}
		ms[j] = m
	}
	if g.workloads != nil {
		if err := g.workloads.Prepare(ctx, scs...); err != nil {
			fmt.Fprintf(g.stderr, "bench gate: %v\n", err)
			return gate.ExitError
		}
	}
	for i := 1; i <= f.Runs; i++ {
		for j, sc := range scs {
			m := &ms[j]
			if ctx.Err() != nil {
				m.Failures = append(m.Failures, fmt.Errorf("not run: %w", context.Cause(ctx)))
				continue
			}
			runDir := filepath.Join(dir, fmt.Sprintf("%s-%d", sc.Name, i))
			fmt.Fprintf(g.stderr, "bench gate: %s run %d/%d ...", sc.Name, i, f.Runs)
			t0 := g.now()
			sum, err := g.run(ctx, sc, runner.Options{OutDir: runDir, Workloads: g.workloads})
			if err != nil && sum.Outcome == "" {
				fmt.Fprintf(g.stderr, " failed: %v\n", err)
				m.Failures = append(m.Failures, err)
				continue
			}
			if err != nil {
				sum.Warnings = append(sum.Warnings, "runner: "+err.Error())
			}
			fmt.Fprintf(g.stderr, " %s in %.1fs: peak %s, retained %s, slope %s\n", sum.Outcome, g.now().Sub(t0).Seconds(),
				gate.Peak.Format(gate.Peak.Value(sum)), gate.Retained.Format(gate.Retained.Value(sum)), gate.Slope.Format(gate.Slope.Value(sum)))
			m.Runs = append(m.Runs, sum)
			m.Dirs = append(m.Dirs, runDir)
		}
	}
	fmt.Fprintf(g.stderr, "bench gate: measured %d scenario(s) × %d run(s) in %.0fs\n", len(scs), f.Runs, g.now().Sub(start).Seconds())

	rep := gate.Evaluate(base, ms, gate.Config{
		Thresholds:   gate.DefaultThresholds(),
		BaselineName: f.Baseline,
		Updating:     f.Update,
	})
	code := rep.ExitCode()

	// The measured numbers in baseline form, whatever the verdict: the
	// artifact a reviewer copies to accept a change.
	newBase, baseErr := gate.NewBaseline(g.now(), gateEnv(ms), ms)
	if baseErr == nil {
		if err := newBase.Write(filepath.Join(dir, "baseline.json")); err != nil {
			fmt.Fprintf(g.stderr, "bench gate: %v\n", err)
		}
	}
	if f.Update {
		switch {
		case code != gate.ExitPass:
			rep.Warnings = append(rep.Warnings, "baseline NOT updated: fix the failures first")
		case baseErr != nil:
			rep.Warnings = append(rep.Warnings, "baseline NOT updated: "+baseErr.Error())
			code = gate.ExitError
		default:
			if err := newBase.Write(f.Baseline); err != nil {
				rep.Warnings = append(rep.Warnings, "baseline NOT updated: "+err.Error())
				code = gate.ExitError
			} else {
				rep.Warnings = append(rep.Warnings, "baseline updated: wrote "+f.Baseline)
				if base != nil {
					for _, name := range base.Names() {
						if !seen[name] {
							rep.Warnings = append(rep.Warnings, "the new baseline drops scenario "+name+" (not measured in this run)")
						}
					}
				}
			}
		}
	}
	if code != gate.ExitPass && g.plot != nil {
		g.plotFailing(rep)
	}
	if err := g.writeOutputs(rep, f, dir); err != nil {
		fmt.Fprintf(g.stderr, "bench gate: %v\n", err)
		code = max(code, gate.ExitError)
	}
	return code
}

// gateMeasurement starts a measurement of sc, adapting its expectation and
// limits to the gate's types.
func gateMeasurement(sc scenario.Scenario) (gate.Measurement, error) {
	exp, err := gate.ParseExpect(sc.Expect.String())
	if err != nil {
		return gate.Measurement{}, err
	}
	m := gate.Measurement{Scenario: sc.Name, Expect: exp}
	for _, l := range sc.Limits {
		m.Limits = append(m.Limits, gateLimit(l))
	}
	return m, nil
}

// gateLimit turns a scenario limit into a gate limit, keeping the
// scenario's units (bytes, bytes per round, counts) and comparison.
func gateLimit(l scenario.Limit) gate.Limit {
	unit := l.Metric.Unit
	gl := gate.Limit{
		Text:   l.String(),
		Metric: l.Metric.Name,
		Value:  l.Metric.Value,
		Format: func(v float64) string { return formatUnit(unit, v, "") },
	}
	if l.Op != nil {
		op, bound := l.Op, l.Limit
		gl.Holds = func(v float64) bool { return op(v, bound) }
	}
	return gl
}

// gateEnv is the environment of the first run measured.
func gateEnv(ms []gate.Measurement) results.Env {
	for _, m := range ms {
		if len(m.Runs) > 0 {
			return m.Runs[0].Env
		}
	}
	return results.Env{}
}

// outDir creates a new folder below root named by the UTC time.
func (g gateCmd) outDir(root string) (string, error) {
	stamp := g.now().UTC().Format("20060102T150405Z")
	for i := 1; ; i++ {
		dir := filepath.Join(root, stamp)
		if i > 1 {
			dir += fmt.Sprintf("-%d", i)
		}
		err := os.Mkdir(dir, 0o755)
		if errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(root, 0o755); err != nil {
				return "", fmt.Errorf("creating output folder: %w", err)
			}
			err = os.Mkdir(dir, 0o755)
		}
		if errors.Is(err, os.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("creating output folder: %w", err)
		}
		return dir, nil
	}
}

// plotFailing plots every run of every scenario that did not pass; a
// plot that fails becomes a warning.
func (g gateCmd) plotFailing(rep *gate.Report) {
	for i := range rep.Scenarios {
		s := &rep.Scenarios[i]
		if s.Verdict == gate.Pass {
			continue
		}
		for _, rd := range s.Dirs {
			if err := g.plot(rd, filepath.Join(rd, "plot")); err != nil {
				s.Warnings = append(s.Warnings, fmt.Sprintf("no plot of %s: %v", rd, err))
			}
		}
		if len(s.Dirs) > 0 {
			s.Warnings = append(s.Warnings, fmt.Sprintf("plots: %s (and the other runs')", filepath.Join(s.Dirs[0], "plot.png")))
		}
	}
}

// writeOutputs prints the table and writes gate.txt, gate.md, the JUnit
// XML and the job summary.
func (g gateCmd) writeOutputs(rep *gate.Report, f gateFlags, dir string) error {
	var errs []error
	if err := rep.WriteText(g.stdout); err != nil {
		errs = append(errs, fmt.Errorf("writing the table: %w", err))
	}
	fmt.Fprintf(g.stdout, "\noutputs: %s\n", dir)
	errs = append(errs, writeGateFile(filepath.Join(dir, "gate.txt"), rep.WriteText))
	errs = append(errs, writeGateFile(filepath.Join(dir, "gate.md"), rep.WriteMarkdown))
	if f.JUnit != "" {
		errs = append(errs, writeGateFile(f.JUnit, rep.WriteJUnit))
	}
	if p := g.getenv("GITHUB_STEP_SUMMARY"); p != "" {
		fh, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err == nil {
			err = errors.Join(rep.WriteMarkdown(fh), fh.Close())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("writing the job summary $GITHUB_STEP_SUMMARY: %w", err))
		}
	}
	return errors.Join(errs...)
}

// writeGateFile creates path (and its directory) and fills it with write.
func writeGateFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := errors.Join(write(fh), fh.Close()); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
