package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/compare/shard"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
	"github.com/leakbench/leakbench/internal/shellword"
)

// Defaults of `bench gate`.
const (
	defaultBaseline = "reports/baseline.json"
	defaultGateOut  = "reports/gate"
	defaultRuns     = 3
)

// gateHelp is the --help of `bench gate`.
func gateHelp() help {
	return help{
		usage: "bench gate [--baseline FILE] [--runs R] [--update-baseline] [--inject-leak SIZE] [--trials K] [--junit FILE] [--out DIR] [scenario ...]\n       bench gate --calibrate [--baseline FILE] [--runs R] [--calibrate-runs U] [--inject-runs K] [--inject-sizes SIZE,...] [--false-alarm RATE] [scenario ...]\n       bench gate --base-bin PATH [--runs R] [--seed N] [--shard K/N] [--power-leak SIZE] [--out DIR] [scenario ...]",
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

Scenarios default to {gate}: names of the scenarios the program ships or
paths of .yaml files. Flags may come before or after the scenarios.

Outputs: the table on stdout; in a new folder DIR/<UTC time>/: every run
(<scenario>-<i>/), gate.txt, gate.md, plots of the runs of failing
scenarios, and baseline.json with this gate run's numbers in baseline form
(copy it over the committed baseline to accept them). The markdown is also
appended to $GITHUB_STEP_SUMMARY when that is set; bench.txt has every
run in Go's benchmark format. --update-baseline
writes the baseline only when no run failed, every scenario limit holds
and the leaky control leaks.

A scenario calibrated with --calibrate is judged by its own thresholds
instead: the scenario runs U times unchanged (default 12); every split of
R runs against the others is a trial of the gate's median rule on
unchanged code, and each memory metric's threshold (peak, end_of_load,
retained, settled; absolute only) is set so that the whole gate fails
unchanged code at the --false-alarm rate (default 1%), fitted to a
normal model of the trials and never below the largest difference they
saw. Then the scenario runs K times (default 4) with known leaks
injected (inject_leak: bytes retained per request, in the child, any Go
target), and the share of trials that catch each size is the gate's
power. The thresholds and their figures go into the baseline with a
new baseline of the unchanged runs; the tables then say, per scenario,
the smallest leak the gate catches in 95% of trials and its false-alarm
rate. Scenarios never calibrated keep the thresholds above.
--inject-leak SIZE gates with a known leak injected into the stable
scenarios and says whether it is within the calibrated power.

A baseline that can't judge the scenarios (one missing from it, another
workload, strategy or number of rounds) is refused before the first run;
its hints repeat the command as typed, with --update-baseline.

A/B mode, --base-bin PATH: no baseline file. PATH is another bench binary
(say, built from a pull request's base commit); its children and this
build's run the same scenarios, R times each (default 6, at least 4),
interleaved in a seeded shuffled order per repetition on this machine. A
metric fails only when head is worse than base significantly
(Mann-Whitney U, p < 0.05) AND past both of its thresholds above; the
advisory ones warn. The table per scenario compares head with base;
outputs go to DIR/<UTC time>-ab/. Per scenario, the report states the
A/B gate's power at R runs per build for a leak of --power-leak SIZE per
request (default 256KiB), resampling the runs' own noise, and the R that
would catch it in 95% of gates. --shard K/N runs and judges part of the
(build × scenario × repetition) cells.

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
			"bench gate {stable} --runs 1",
			"# calibrate the thresholds (about 10 minutes) and rewrite the baseline",
			"bench gate --calibrate",
			"# does the gate catch a leak of 256 KiB per request?",
			"bench gate --inject-leak 256KiB",
			"# A/B: this build against the base commit's, no baseline",
			"bench gate --base-bin /tmp/bench-base",
		},
	}
}

// gateCmd is `bench gate` with its dependencies as fields, so that tests
// can replace the runner and the clock.
type gateCmd struct {
	prog           progName // the program's name in messages
	stdout, stderr io.Writer
	// run runs one scenario once into opts.OutDir; runner.Run in production.
	run func(ctx context.Context, sc scenario.Scenario, opts runner.Options) (results.Run, error)
	// now is the clock of the baseline's creation time and the output folder.
	now func() time.Time
	// getenv reads GITHUB_STEP_SUMMARY.
	getenv func(string) string
	// plot draws one run's curves (report.PlotRun); nil disables plots.
	plot func(r report.Run, base string) error
	// find resolves a scenario name or file and checks its target (cli.find).
	find func(nameOrPath string) (scenario.Scenario, error)
	// workloads prepares the scenarios' workloads before the first run
	// and is shared by all runs; nil leaves it to each run.
	workloads *runner.Workloads
	// defaults are the scenarios gated when none are named.
	defaults []string
}

// gateFlags are the parsed flags of `bench gate`.
type gateFlags struct {
	Baseline  string
	Runs      int
	Update    bool
	JUnit     string
	Out       string
	Scenarios []string

	// A/B mode (abgate.go): the base build's binary, the order's seed,
	// this machine's shard, and whether --runs was given.
	BaseBin string
	Seed    uint64
	Shard   shard.Shard
	RunsSet bool

	// Calibration (calibrate.go): --calibrate, the unchanged runs, the
	// injected runs per size, the sizes (nil: the calibration's ladder),
	// the false-alarm target; and --inject-leak for a gate run with a
	// known leak (0: none).
	// UpdateCommand is the command that rewrites the baseline, as the
	// user typed theirs (updateCommand), for the hints.
	UpdateCommand string

	Calibrate     bool
	CalibrateRuns int
	InjectRuns    int
	InjectSizes   []uint64
	FalseAlarm    float64
	InjectLeak    uint64

	// PowerLeak is the leak per request whose power the A/B gate states.
	PowerLeak uint64

	// Trials, when set, also judges every choice of Trials of the runs
	// as a gate of that many runs (gate.Trials).
	Trials int
}

// doGate is `bench gate`: it returns the exit status (StatusOK,
// StatusFailed for a regression, StatusError).
func (c cli) doGate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := gateCmd{
		prog:     c.name,
		find:     c.find,
		defaults: c.gate,
		stdout:   stdout,
		stderr:   stderr,
		run:      runner.Run,
		now:      time.Now,
		getenv:   os.Getenv,
		plot:     report.PlotRun,
	}
	g.workloads = runner.NewWorkloads(newProgressPrinter(stderr).workload)
	return g.main(ctx, args)
}

// parseGateFlags parses flags and scenario names in any order. done is
// true when the command should stop with status: after --help (0) or a
// usage error (2, already reported on stderr).
func parseGateFlags(prog progName, args, defaults []string, stdout, stderr io.Writer) (f gateFlags, status int, done bool) {
	fs := newFlagSet("gate")
	fs.StringVar(&f.Baseline, "baseline", defaultBaseline, "baseline `file` to compare with, or to write with --update-baseline")
	fs.IntVar(&f.Runs, "runs", defaultRuns, "runs per scenario (`R`): the median of the R runs is compared")
	fs.BoolVar(&f.Update, "update-baseline", false, "write the medians as the new baseline (refused when a run failed, a limit broke or the control did not leak)")
	fs.StringVar(&f.JUnit, "junit", "", "also write JUnit XML to `file`: one test case per scenario check and metric")
	fs.StringVar(&f.Out, "out", defaultGateOut, "output `dir`: runs, reports and plots go into a new folder below it")
	registerABFlags(fs, &f)
	registerCalibrateFlags(fs, &f)
	if status, done := parseFlags(prog, fs, gateHelp().defaults("{gate}", defaults).withScenarios(defaults), args, stdout, stderr); done {
		return f, status, true
	}
	f.Scenarios = fs.Args()
	if status, done := checkABFlags(prog, fs, &f, stderr); done {
		return f, status, true
	}
	if status, done := checkCalibrateFlags(prog, fs, &f, stderr); done {
		return f, status, true
	}
	switch {
	case f.Runs < 1:
		return f, usageError(stderr, prog, "gate", "--runs must be at least 1, is %d", f.Runs), true
	case f.Baseline == "":
		return f, usageError(stderr, prog, "gate", "--baseline must name a file"), true
	case f.Out == "":
		return f, usageError(stderr, prog, "gate", "--out must name a directory"), true
	}
	if len(f.Scenarios) == 0 {
		f.Scenarios = defaults
	}
	if len(f.Scenarios) == 0 {
		return f, usageError(stderr, prog, "gate", "no scenarios: name the scenarios to gate (scenario names or .yaml files; this program names none by default)"), true
	}
	return f, 0, false
}

// main runs the gate in three steps and returns the exit status: measure
// (resolve the scenarios and the baseline, make the output folder, run),
// decide (a pure function of the measurements) and publish (write the
// baselines, plots, tables and reports).
func (g gateCmd) main(ctx context.Context, args []string) int {
	f, status, done := parseGateFlags(g.prog, args, g.defaults, g.stdout, g.stderr)
	if done {
		return status
	}
	f.UpdateCommand = g.updateCommand(args, !f.Calibrate)
	if f.BaseBin != "" {
		return g.abMain(ctx, f)
	}
	if f.Calibrate {
		return g.calibrateMain(ctx, f)
	}
	m, ok := g.measure(ctx, f)
	if !ok {
		return StatusError
	}
	status = g.publish(decide(m.base, m.ms, f, g.now()), f, m)
	if f.Trials > 0 {
		g.printTrials(m, f)
	}
	return status
}

// gateMeasured is what measure leaves for decide and publish.
type gateMeasured struct {
	base *gate.Baseline     // nil: no baseline to compare with
	ms   []gate.Measurement // per scenario, in the order named
	runs map[string][]results.Run
	dir  string // the gate's output folder
}

// scenarios resolves and validates the gated scenarios, each named once,
// for the baseline gate and the A/B gate alike; a problem is reported on
// stderr with ok false.
func (g gateCmd) scenarios(f gateFlags) (scs []scenario.Scenario, ok bool) {
	seen := map[string]bool{}
	for _, name := range f.Scenarios {
		sc, err := g.find(name)
		if err == nil {
			err = errors.Join(sc.Validate()...)
		}
		if err != nil {
			fmt.Fprintf(g.stderr, "%s gate: scenario %s: %v\n", g.prog, name, err)
			return nil, false
		}
		if seen[sc.Name] {
			fmt.Fprintf(g.stderr, "%s gate: scenario %s named twice\n", g.prog, sc.Name)
			return nil, false
		}
		seen[sc.Name] = true
		scs = append(scs, sc)
	}
	return scs, true
}

// measure resolves the scenarios and the baseline, creates the output
// folder and runs every scenario f.Runs times into it. Everything that can
// fail without measuring fails first, reported on stderr with ok false.
// base is nil when there is no baseline to compare with (updating one
// that is missing or unreadable).
func (g gateCmd) measure(ctx context.Context, f gateFlags) (gateMeasured, bool) {
	scs, ok := g.scenarios(f)
	if !ok {
		return gateMeasured{}, false
	}
	if f.InjectLeak > 0 && !g.canInject(scs) {
		return gateMeasured{}, false
	}
	var m gateMeasured
	base, err := gate.LoadFor(f.Baseline, f.UpdateCommand)
	if err != nil {
		if !f.Update {
			fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
			return gateMeasured{}, false
		}
		if !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(g.stderr, "%s gate: replacing an unreadable baseline: %v\n", g.prog, err)
		}
		base = nil
	}
	if base != nil && !f.Update && !g.usable(base, scs, f) {
		return gateMeasured{}, false
	}
	m.base = base
	dir, ok := g.prepare(ctx, f.Out, "", scs)
	if !ok {
		return gateMeasured{}, false
	}
	start := g.now()
	m.dir = dir
	plans := planRuns(scs, f.Runs, func(p *runPlan) { p.inject = f.InjectLeak })
	ms, runs := g.runBatch(ctx, dir, plans)
	m.runs = runs
	fmt.Fprintf(g.stderr, "%s gate: measured %d scenario(s) × %d run(s) in %.0fs\n", g.prog, len(scs), f.Runs, g.now().Sub(start).Seconds())
	m.ms = ms
	return m, true
}

// prepare prepares the scenarios' workloads, verified once before the
// first child starts (both builds' children under the A/B gate), and
// makes the output folder under out, named after the time and suffix. It
// reports each failure and returns false.
func (g gateCmd) prepare(ctx context.Context, out, suffix string, scs []scenario.Scenario) (string, bool) {
	if g.workloads != nil {
		if err := g.workloads.Prepare(ctx, scs...); err != nil {
			fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
			return "", false
		}
	}
	dir, err := makeFresh(filepath.Join(out, g.now().UTC().Format(stampLayout)+suffix))
	if err != nil {
		fmt.Fprintf(g.stderr, "%s gate: creating output folder: %v\n", g.prog, err)
		return "", false
	}
	return dir, true
}

// runPlan is what runBatch runs: a scenario with inject more bytes
// retained per request than its own inject_leak (0: as it is) runs
// times, into run folders named label-1, label-2, ....
type runPlan struct {
	sc     scenario.Scenario
	inject uint64
	runs   int
	label  string
}

// planRuns plans runs runs of every scenario, under its name, with
// stable applied to the plans of the stable ones (not the leaky
// controls).
func planRuns(scs []scenario.Scenario, runs int, stable func(*runPlan)) []runPlan {
	plans := make([]runPlan, len(scs))
	for j, sc := range scs {
		plans[j] = runPlan{sc: sc, runs: runs, label: sc.Name}
		if sc.Expect == metric.ExpectStable {
			stable(&plans[j])
		}
	}
	return plans
}

// runBatch runs every plan into dir and returns one measurement per
// plan, in order, and the runs by label. Runs are interleaved (A1 B1 A2
// B2 ...), so that a machine whose load drifts weighs on every plan
// alike; a plan with fewer runs drops out of the later repetitions.
func (g gateCmd) runBatch(ctx context.Context, dir string, plans []runPlan) ([]gate.Measurement, map[string][]results.Run) {
	ms := make([]gate.Measurement, len(plans))
	runs := map[string][]results.Run{}
	most := 0
	for j, p := range plans {
		ms[j] = gate.Measurement{Scenario: p.sc.Name, Expect: p.sc.Expect, Limits: p.sc.Limits, Injected: p.inject}
		most = max(most, p.runs)
	}
	// The jobs, interleaved: repetition i of every plan, then i+1.
	var jobs []job
	var of, rep []int // the plan of each job, and which of its runs it is
	for i := 1; i <= most; i++ {
		for j, p := range plans {
			if i > p.runs {
				continue
			}
			sc := p.sc
			sc.InjectLeak += p.inject
			jobs = append(jobs, job{sc: sc, dir: filepath.Join(dir, fmt.Sprintf("%s-%d", p.label, i))})
			of, rep = append(of, j), append(rep, i)
		}
	}
	var t0 time.Time
	x := executor{run: g.run, workloads: g.workloads, profiles: true}
	x.execute(ctx, jobs, func(k int) {
		p := plans[of[k]]
		fmt.Fprintf(g.stderr, "%s gate: %s run %d/%d ...", g.prog, p.label, rep[k], p.runs)
		t0 = g.now()
	}, func(k int, o outcome) bool {
		p, mj := plans[of[k]], &ms[of[k]]
		run, err := o.run, o.err
		switch {
		case o.notRun:
			mj.Failures = append(mj.Failures, err)
			return true
		case err != nil && run.Summary.Outcome == "":
			fmt.Fprintf(g.stderr, " failed: %v\n", err)
			mj.Failures = append(mj.Failures, err)
			return true
		case err != nil:
			run.Summary.Warnings = append(run.Summary.Warnings, "runner: "+err.Error())
		}
		sum := run.Summary
		fmt.Fprintf(g.stderr, " %s in %.1fs: peak %s, retained %s, slope %s\n", sum.Outcome, g.now().Sub(t0).Seconds(),
			metric.Peak.Format(metric.Peak.Value(sum)), metric.Retained.Format(metric.Retained.Value(sum)), metric.Slope.Format(metric.Slope.Value(sum)))
		mj.Runs = append(mj.Runs, sum)
		mj.Dirs = append(mj.Dirs, run.Dir)
		runs[p.label] = append(runs[p.label], run)
		return true
	})
	return ms, runs
}

// usable reports whether base can judge every scenario, before the first
// run: each must be in it and run what it measured. Every refusal is
// reported on stderr, with the command that updates the baseline.
func (g gateCmd) usable(base *gate.Baseline, scs []scenario.Scenario, f gateFlags) bool {
	ok := true
	for _, sc := range scs {
		planned := gate.ScenarioBaseline{Expect: sc.Expect, Workload: sc.Workload, Strategy: sc.ResultsStrategy(), Rounds: max(sc.Rounds, 1)}
		if err := base.Refuse(sc.Name, planned, gate.Config{BaselineName: f.Baseline, UpdateCommand: f.UpdateCommand}); err != nil {
			fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
			ok = false
		}
	}
	if !ok {
		fmt.Fprintf(g.stderr, "%s gate: refused before the first run: the baseline can't judge these scenarios\n", g.prog)
	}
	return ok
}

// updateCommand is the command that rewrites the baseline, as the user
// typed theirs: the program's name, "gate", their arguments without the
// flags that don't belong in a baseline (--inject-leak), and, when add,
// --update-baseline (a calibration writes the baseline itself: its own
// command is the one to repeat).
func (g gateCmd) updateCommand(args []string, add bool) string {
	words := []string{g.prog.String(), "gate"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--inject-leak" || a == "-inject-leak":
			i++
			continue
		case strings.HasPrefix(a, "--inject-leak=") || strings.HasPrefix(a, "-inject-leak="), a == "--update-baseline", a == "-update-baseline":
			continue
		}
		words = append(words, shellword.Quote(a))
	}
	if add {
		words = append(words, "--update-baseline")
	}
	return strings.Join(words, " ")
}

// calibrateCommand turns the command that updates the baseline into the
// one that calibrates it.
func calibrateCommand(update string) string {
	return strings.Replace(update, "--update-baseline", "--calibrate", 1)
}

// gateDecision is what the gate decided from its measurements: the report,
// the exit status, and what to do with the baseline.
type gateDecision struct {
	report *gate.Report
	status int
	// measured is the measurements in baseline form, written beside the
	// runs whatever the verdict; nil when they cannot be a baseline (a run
	// failed or did not complete).
	measured *gate.Baseline
	// update says to write measured over the baseline file: --update-baseline
	// and nothing failed.
	update bool
	// dropped names the scenarios of the old baseline that the new one
	// lacks, for the warnings after a successful update.
	dropped []string
}

// decide judges the measurements against base (nil: none) and applies the
// update policy: --update-baseline writes the new baseline only when the
// gate passed and every run completed. It reads no file and writes none;
// now is the new baseline's creation time.
func decide(base *gate.Baseline, ms []gate.Measurement, f gateFlags, now time.Time) gateDecision {
	rep := gate.Evaluate(base, ms, gate.Config{
		Thresholds:    gate.DefaultThresholds(),
		BaselineName:  f.Baseline,
		Updating:      f.Update,
		UpdateCommand: f.UpdateCommand,
	})
	d := gateDecision{report: rep, status: verdictStatus(rep.Verdict)}
	measured, err := gate.NewBaseline(now, gateEnv(ms), ms)
	if err == nil {
		d.measured = measured
	}
	if !f.Update {
		return d
	}
	switch {
	case d.status != StatusOK:
		rep.Warnings = append(rep.Warnings, "baseline NOT updated: fix the failures first")
	case err != nil:
		rep.Warnings = append(rep.Warnings, "baseline NOT updated: "+err.Error())
		d.status = StatusError
	default:
		d.update = true
		if base != nil {
			for _, name := range base.Names() {
				if !slices.ContainsFunc(ms, func(m gate.Measurement) bool { return m.Scenario == name }) {
					d.dropped = append(d.dropped, name)
				} else if base.Scenarios[name].Calibration != nil && !f.Calibrate {
					// A calibration holds for the baseline it was taken
					// with (the median of its unchanged runs): a new
					// baseline of other runs needs its own.
					rep.Warnings = append(rep.Warnings, fmt.Sprintf("the new baseline drops the calibration of %s: its thresholds are the defaults again until `%s` is run", name, calibrateCommand(f.UpdateCommand)))
				}
			}
		}
	}
	return d
}

// verdictStatus is the exit status of a gate verdict.
func verdictStatus(v gate.Verdict) int {
	switch v {
	case gate.Pass:
		return StatusOK
	case gate.Regression:
		return StatusFailed
	}
	return StatusError
}

// publish carries out a decision: the measured baseline beside the runs,
// the update of the baseline file, plots of the runs of failing scenarios,
// the table on stdout and the reports in dir. It returns the exit status,
// made worse by anything it could not write.
func (g gateCmd) publish(d gateDecision, f gateFlags, m gateMeasured) int {
	dir := m.dir
	rep, status := d.report, d.status
	// The measured numbers in baseline form, whatever the verdict: the
	// artifact a reviewer copies to accept a change.
	if d.measured != nil {
		if err := d.measured.Write(filepath.Join(dir, "baseline.json")); err != nil {
			fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
		}
	}
	if d.update {
		if err := d.measured.Write(f.Baseline); err != nil {
			rep.Warnings = append(rep.Warnings, "baseline NOT updated: "+err.Error())
			status = StatusError
		} else {
			rep.Warnings = append(rep.Warnings, "baseline updated: wrote "+f.Baseline)
			if err := keepBaselineProfiles(f.Baseline, m.ms); err != nil {
				rep.Warnings = append(rep.Warnings, err.Error())
			}
			for _, name := range d.dropped {
				rep.Warnings = append(rep.Warnings, "the new baseline drops scenario "+name+" (not measured in this run)")
			}
		}
	}
	if !d.update {
		attachBaselineProfiles(rep, f.Baseline, m.ms)
	}
	if status != StatusOK && g.plot != nil {
		g.plotFailing(rep, m.runs)
	}
	if err := writeBenchTxt(dir, gateSummaries(m.ms)); err != nil {
		fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
		status = max(status, StatusError)
	}
	if err := g.writeOutputs(rep, f, dir); err != nil {
		fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
		status = max(status, StatusError)
	}
	return status
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

// plotFailing plots every run of every scenario that did not pass, from
// the runs kept in memory; a plot that fails becomes a warning.
func (g gateCmd) plotFailing(rep *gate.Report, runs map[string][]results.Run) {
	for i := range rep.Scenarios {
		s := &rep.Scenarios[i]
		if s.Verdict == gate.Pass {
			continue
		}
		for _, r := range runs[s.Name] {
			if err := g.plot(report.Run{Run: r}, filepath.Join(r.Dir, report.RunPlot)); err != nil {
				s.Warnings = append(s.Warnings, fmt.Sprintf("no plot of %s: %v", r.Dir, err))
			}
		}
		if rs := runs[s.Name]; len(rs) > 0 {
			s.Warnings = append(s.Warnings, fmt.Sprintf("plots: %s (and the other runs')", filepath.Join(rs[0].Dir, report.RunPlot+".png")))
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
	errs = append(errs, g.writeJobSummary(rep.WriteMarkdown))
	return errors.Join(errs...)
}

// writeJobSummary appends the verdict's markdown to the CI job's summary,
// the file $GITHUB_STEP_SUMMARY names; nil without one.
func (g gateCmd) writeJobSummary(write func(io.Writer) error) error {
	p := g.getenv("GITHUB_STEP_SUMMARY")
	if p == "" {
		return nil
	}
	fh, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		err = errors.Join(write(fh), fh.Close())
	}
	if err != nil {
		return fmt.Errorf("writing the job summary $GITHUB_STEP_SUMMARY: %w", err)
	}
	return nil
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
