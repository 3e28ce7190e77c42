package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/compare/shard"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
)

// The A/B gate, `bench gate --base-bin PATH`: the base build (another
// bench binary, typically built from a pull request's base commit) and
// this build run the same scenarios, R times each, interleaved on the same
// machine in the same job. The decision is gate.EvaluateAB's and the power
// gate.ABPowers'; this file parses the flags, runs the builds and prints
// the report.

// defaultABRuns is R per build when --runs is not given: six, as for
// bench compare.
const defaultABRuns = 6

// defaultPowerLeak is the leak per request whose power the report states
// when --power-leak is not given: the leak of issue 25's small engine.
const defaultPowerLeak = 256 << 10

// The two arms of an A/B gate.
const (
	armBase = "base"
	armHead = "head"
)

// armCell names one arm of a scenario in the plan: "quick-fixed@base".
func armCell(scenario, arm string) string { return scenario + "@" + arm }

// registerABFlags adds the flags of the A/B mode to the gate's.
func registerABFlags(fs *flag.FlagSet, f *gateFlags) {
	f.Shard = shard.Shard{K: 1, N: 1}
	fs.StringVar(&f.BaseBin, "base-bin", "", "A/B mode: the base build's bench `binary`; its runs and this build's are compared, interleaved, with no baseline file")
	fs.Uint64Var(&f.Seed, "seed", defaultCompareSeed, "A/B mode: `seed` of the shuffled order of each repetition")
	f.PowerLeak = defaultPowerLeak
	sizeFlag(fs, &f.PowerLeak, "power-leak", "A/B mode: the leak per request (`SIZE`) whose power the report states, and the runs per build that catch it in 95% of gates", "a size of zero is no leak")
	fs.Func("shard", "A/B mode: run only part `K/N` of the (build × scenario × repetition) cells and judge those", func(s string) error {
		sh, err := shard.Parse(s)
		if err == nil {
			f.Shard = sh
		}
		return err
	})
}

// checkABFlags checks the A/B flags against the others; done is true when
// the command should stop with status.
func checkABFlags(prog progName, fs *flag.FlagSet, f *gateFlags, stderr io.Writer) (status int, done bool) {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	f.RunsSet = set["runs"]
	if f.BaseBin == "" {
		if set["seed"] || set["shard"] || set["power-leak"] {
			return usageError(stderr, prog, "gate", "--seed, --shard and --power-leak apply to the A/B mode (--base-bin) only"), true
		}
		return 0, false
	}
	switch {
	case f.Update:
		return usageError(stderr, prog, "gate", "--update-baseline does not apply to --base-bin: the A/B gate has no baseline file"), true
	case set["baseline"]:
		return usageError(stderr, prog, "gate", "--baseline does not apply to --base-bin: the base build is measured beside this one"), true
	case f.JUnit != "":
		return usageError(stderr, prog, "gate", "--junit is not written in the A/B mode (gate.txt and gate.md are)"), true
	}
	if !f.RunsSet {
		f.Runs = defaultABRuns
	}
	if f.Runs < gate.MinABRuns {
		return usageError(stderr, prog, "gate", "--runs %d: the A/B gate needs at least %d runs per build: with 3 a side the smallest Mann-Whitney p-value is 0.10, so no difference could be significant", f.Runs, gate.MinABRuns), true
	}
	st, err := os.Stat(f.BaseBin)
	switch {
	case err != nil:
		return usageError(stderr, prog, "gate", "--base-bin: %v", err), true
	case st.IsDir() || st.Mode()&0o111 == 0:
		return usageError(stderr, prog, "gate", "--base-bin %s: not an executable file", f.BaseBin), true
	}
	return 0, false
}

// abRun is one run of one arm.
type abRun struct {
	scenario, arm string
	dir           string
	summary       results.Summary
	err           error // the run did not complete
}

// abMain is the A/B gate: measure both builds, decide, publish.
func (g gateCmd) abMain(ctx context.Context, f gateFlags) int {
	scs, ok := g.scenarios(f)
	if !ok {
		return StatusError
	}
	byName := map[string]scenario.Scenario{}
	var names []string
	for _, sc := range scs {
		byName[sc.Name] = sc
		names = append(names, armCell(sc.Name, armBase), armCell(sc.Name, armHead))
	}
	cells, err := shard.Plan(names, f.Runs, f.Seed, f.Shard)
	if err != nil {
		fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
		return StatusError
	}
	dir, ok := g.prepare(ctx, f.Out, "-ab", scs)
	if !ok {
		return StatusError
	}
	plan := comparePlan{Scenarios: names, Ref: "", Runs: f.Runs, Seed: f.Seed, Shard: f.Shard.String()}
	for _, c := range cells {
		plan.Cells = append(plan.Cells, plannedCell{Scenario: c.Scenario, Rep: c.Rep, Dir: fmt.Sprintf("%s-%d", dirName(c.Scenario), c.Rep)})
	}
	if err := writePlan(dir, plan); err != nil {
		fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
		return StatusError
	}

	start := g.now()
	var runs []abRun
	jobs := make([]job, len(plan.Cells))
	for i, c := range plan.Cells {
		name, arm, _ := strings.Cut(c.Scenario, "@")
		jobs[i] = job{sc: byName[name], dir: filepath.Join(dir, c.Dir)}
		if arm == armBase {
			jobs[i].command = []string{f.BaseBin, runner.ChildCommand}
		}
	}
	var t0 time.Time
	x := executor{run: g.run, workloads: g.workloads, profiles: true}
	x.execute(ctx, jobs, func(i int) {
		c := plan.Cells[i]
		name, arm, _ := strings.Cut(c.Scenario, "@")
		fmt.Fprintf(g.stderr, "%s gate: %d/%d %s (%s) run %d/%d ...", g.prog, i+1, len(plan.Cells), name, arm, c.Rep, f.Runs)
		t0 = g.now()
	}, func(i int, o outcome) bool {
		name, arm, _ := strings.Cut(plan.Cells[i].Scenario, "@")
		r := abRun{scenario: name, arm: arm, dir: jobs[i].dir, summary: o.run.Summary, err: o.incomplete()}
		switch {
		case o.notRun:
		case r.err != nil:
			fmt.Fprintf(g.stderr, " failed: %v\n", r.err)
		default:
			s := o.run.Summary
			fmt.Fprintf(g.stderr, " %.1fs: peak %s, settled %s\n", g.now().Sub(t0).Seconds(),
				metric.Peak.Format(metric.Peak.Value(s)), metric.Settled.Format(metric.Settled.Value(s)))
		}
		runs = append(runs, r)
		return true
	})
	fmt.Fprintf(g.stderr, "%s gate: measured %d run(s) in %.0fs\n", g.prog, len(runs), g.now().Sub(start).Seconds())

	rep := abDecide(scs, runs, gate.DefaultThresholds())
	rep.BaseBin, rep.Runs, rep.Shard, rep.Seed = f.BaseBin, f.Runs, f.Shard, f.Seed
	rep.addPower(runs, f.PowerLeak, gate.DefaultThresholds())
	return g.abPublish(rep, f, dir, runs)
}

// abReport is what the A/B gate decided (gate.ABReport), with what the
// report says of how it ran.
type abReport struct {
	BaseBin string
	Runs    int
	Seed    uint64
	Shard   shard.Shard
	gate.ABReport
	// Failures name the runs that did not complete.
	Failures []string
	// Status is the exit status of the verdict: StatusOK, StatusFailed (a
	// regression) or StatusError (a run failed, or a scenario has no
	// comparison).
	Status int
}

// abDecide hands the completed runs of each scenario to gate.EvaluateAB
// and gives each finding the diffs of the two builds' profiles that
// explain it (metricProfiles). It runs nothing and writes nothing.
func abDecide(scs []scenario.Scenario, runs []abRun, th gate.Thresholds) abReport {
	var rep abReport
	for _, r := range runs {
		if r.err != nil {
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s (%s): %v", r.dir, r.arm, r.err))
		}
	}
	var ms []gate.ABMeasurement
	sides := make([]map[string][]sideRun, len(scs))
	for i, sc := range scs {
		m := gate.ABMeasurement{Scenario: sc.Name}
		sides[i] = map[string][]sideRun{}
		for _, r := range runs {
			switch {
			case r.scenario != sc.Name:
				continue
			case r.err != nil:
				m.Failed++
				continue
			case r.arm == armBase:
				m.Base = append(m.Base, r.summary)
			case r.arm == armHead:
				m.Head = append(m.Head, r.summary)
			default:
				continue
			}
			sides[i][r.arm] = append(sides[i][r.arm], sideRun{r.dir, r.summary})
		}
		ms = append(ms, m)
	}
	rep.ABReport = gate.EvaluateAB(ms, th)
	rep.Status = verdictStatus(rep.Verdict)
	for i := range rep.Scenarios {
		for j := range rep.Scenarios[i].Findings {
			f := &rep.Scenarios[i].Findings[j]
			f.Profiles = metricProfiles(f.Metric, sides[i][armBase], sides[i][armHead])
		}
	}
	return rep
}

// addPower measures each compared scenario's power for a leak of
// perRequest bytes per request (gate.ABPowers) from its completed runs.
func (r *abReport) addPower(runs []abRun, perRequest uint64, th gate.Thresholds) {
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		if s.Table == nil {
			continue
		}
		values := map[string]map[metric.Metric][]float64{armBase: {}, armHead: {}}
		var requests []float64
		for _, run := range runs {
			if run.scenario != s.Name || run.err != nil {
				continue
			}
			for _, m := range gate.PowerMetrics() {
				values[run.arm][m] = append(values[run.arm][m], m.Value(run.summary))
			}
			if run.arm == armHead {
				requests = append(requests, float64(run.summary.Requests))
			}
		}
		s.PowerLeak = perRequest
		s.Power = gate.ABPowers(values[armBase], values[armHead], int(compare.Median(requests)), perRequest, r.Runs, th, r.Seed)
	}
}

// findingText renders one finding: "REGRESSION settled: head 24.0MiB
// against base 1.7MiB, +22.3MiB worse (p=0.002), past +15% & +16.0MiB".
func findingText(f gate.ABFinding) string {
	kind := "REGRESSION"
	if !f.Regression() {
		kind = "warning (advisory)"
	}
	return fmt.Sprintf("%s %s: head %s against base %s, %s worse (p=%.3f, n=%d+%d), past %s",
		kind, f.Metric, f.Metric.Format(f.Diff.New.Median), f.Metric.Format(f.Diff.Ref.Median),
		f.Metric.Format(f.Worse), f.Diff.P, f.Diff.Ref.N, f.Diff.New.N, f.Threshold.Describe(f.Metric))
}

// powerText renders a scenario's A/B power on one line.
func powerText(ps []gate.ABPower, perRequest uint64) string {
	if len(ps) == 0 {
		return ""
	}
	var parts []string
	for _, p := range ps {
		need := fmt.Sprintf("95%% needs more than %d runs", gate.MaxABPowerRuns)
		if p.Needed > 0 {
			need = fmt.Sprintf("95%% at %d runs per build", p.Needed)
		}
		parts = append(parts, fmt.Sprintf("%s %.0f%% (%s)", p.Metric, 100*p.Power, need))
	}
	return fmt.Sprintf("power for a leak of %s per request (%s per run, assumed in full in each metric) at %d runs per build: %s",
		metric.FormatSize(perRequest), metric.FormatSize(uint64(ps[0].Shift)), ps[0].Runs, strings.Join(parts, "; "))
}

// verdictLine is the report's last line.
func (r abReport) verdictLine() string {
	var regs []string
	for _, s := range r.Scenarios {
		for _, f := range s.Findings {
			if f.Regression() {
				regs = append(regs, s.Name+" "+f.Metric.String())
			}
		}
	}
	switch r.Status {
	case StatusOK:
		return "Verdict: PASS: head is not worse than base on any gated metric (significant and past both thresholds)."
	case StatusFailed:
		return fmt.Sprintf("Verdict: FAIL: %d regression(s): %s.", len(regs), strings.Join(regs, ", "))
	}
	s := "Verdict: ERROR: runs failed or a scenario could not be compared"
	if len(regs) > 0 {
		s += fmt.Sprintf("; regression(s) besides: %s", strings.Join(regs, ", "))
	}
	return s + "."
}

// header is the report's first line.
func (r abReport) header() string {
	s := fmt.Sprintf("A/B gate: head (this build) against base %s, %d run(s) each, interleaved (seed %d)", r.BaseBin, r.Runs, r.Seed)
	if r.Shard.N > 1 {
		s += fmt.Sprintf(", shard %s: only this shard's runs are judged", r.Shard)
	}
	return s
}

// WriteText writes the report: per scenario its table and findings.
func (r abReport) WriteText(w io.Writer) error {
	var b strings.Builder
	b.WriteString(r.header() + "\n")
	for _, s := range r.Scenarios {
		b.WriteString("\n" + s.Name + ": " + verdictWord(s.Verdict()) + "\n")
		if s.Err != nil {
			b.WriteString("  " + s.Err.Error() + "\n")
			continue
		}
		if err := s.Table.WriteText(&b); err != nil {
			return err
		}
		for _, f := range s.Findings {
			b.WriteString("  " + findingText(f) + "\n")
			for _, d := range f.Profiles {
				b.WriteString("    " + d.String() + "\n")
			}
		}
		if t := powerText(s.Power, s.PowerLeak); t != "" {
			b.WriteString("  " + t + "\n")
		}
	}
	for _, f := range r.Failures {
		b.WriteString("run failed: " + f + "\n")
	}
	b.WriteString("\n" + r.verdictLine() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the report as markdown.
func (r abReport) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## Memory gate (A/B)\n\n" + r.header() + "\n\n**" + r.verdictLine() + "**\n")
	for _, s := range r.Scenarios {
		b.WriteString("\n### " + s.Name + ": " + verdictWord(s.Verdict()) + "\n\n")
		if s.Err != nil {
			b.WriteString(s.Err.Error() + "\n")
			continue
		}
		for _, f := range s.Findings {
			b.WriteString("- " + findingText(f) + "\n")
			for _, d := range f.Profiles {
				b.WriteString("  - " + d.Title() + ": `" + d.Command + "`\n")
			}
		}
		if t := powerText(s.Power, s.PowerLeak); t != "" {
			b.WriteString("- " + t + "\n")
		}
		if len(s.Findings) > 0 || len(s.Power) > 0 {
			b.WriteString("\n")
		}
		if err := s.Table.WriteMarkdown(&b); err != nil {
			return err
		}
	}
	for _, f := range r.Failures {
		b.WriteString("\n- run failed: " + f)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// verdictWord is a scenario's verdict as the A/B report shows it.
func verdictWord(v gate.Verdict) string {
	return [...]string{gate.Pass: "PASS", gate.Regression: "FAIL", gate.Error: "ERROR"}[v]
}

// abPublish prints the report and writes gate.txt, gate.md, bench.txt
// and the job summary; a file it cannot write makes the status an error.
func (g gateCmd) abPublish(rep abReport, f gateFlags, dir string, runs []abRun) int {
	status := rep.Status
	var errs []error
	if err := rep.WriteText(g.stdout); err != nil {
		errs = append(errs, fmt.Errorf("writing the table: %w", err))
	}
	fmt.Fprintf(g.stdout, "\noutputs: %s\n", dir)
	errs = append(errs, writeGateFile(filepath.Join(dir, "gate.txt"), rep.WriteText),
		writeGateFile(filepath.Join(dir, "gate.md"), rep.WriteMarkdown))
	var sums []results.Summary
	for _, r := range runs {
		if r.err == nil {
			s := r.summary
			s.Scenario = armCell(s.Scenario, r.arm) // the two builds' lines apart
			sums = append(sums, s)
		}
	}
	errs = append(errs, writeBenchTxt(dir, sums))
	errs = append(errs, g.writeJobSummary(rep.WriteMarkdown))
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
		status = max(status, StatusError)
	}
	return status
}
