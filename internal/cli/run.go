package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
)

var runHelp = help{
	usage: "bench run [flags] [scenario|file.yaml]...",
	description: `
Run scenarios one after the other, each in its own child process, sampling
the child's RSS from outside and recording its event stream. Arguments are
scenario names (see "bench list") or paths to scenario YAML files;
with none, runs {run}. Each scenario's samples, events and
summary go to <out>/<scenario>/, with a plot of it; <out>/summary.md and
<out>/index.md describe the whole invocation.

A scenario's limits (for example "settled < 64MiB") and its expectation
(expect: leak for a leaky control) are checked after its run: exit 1 if
one fails, if a request failed, or if a run was killed for exceeding its
RSS cap; exit 2 if a scenario is invalid or a run crashed, was interrupted
or timed out. With --images, files that are not images are skipped and
images that can't be used are rejected (their requests fail), each named
with its reason.`,
	examples: []string{
		"# the default scenarios, results under reports/",
		"bench run",
		"# the leaky control and the stable scenario, side by side",
		"bench run {leaky} {stable}",
		"# your own scenario on your own images, fewer rounds",
		"bench run --images ~/photos --rounds 2 my-scenario.yaml",
	},
}

func (c cli) doRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run")
	var f runFlags
	f.register(fs)
	if status, done := parseFlags(c.name, fs, runHelp.defaults("{run}", c.runs).withScenarios(c.exampleScenarios()), args, stdout, stderr); done {
		return status
	}
	if err := f.check(); err != nil {
		return usageError(stderr, c.name, "run", "%v", err)
	}
	names := fs.Args()
	if len(names) == 0 {
		names = c.runs
	}
	if len(names) == 0 {
		return usageError(stderr, c.name, "run", "name the scenarios to run: files, or the names %s list shows", c.name)
	}
	var scs []scenario.Scenario
	for _, name := range names {
		sc, err := c.find(name)
		if err != nil {
			fmt.Fprintf(stderr, "%s run: %v\n", c.name, err)
			return StatusError
		}
		if err := f.apply(&sc); err != nil {
			fmt.Fprintf(stderr, "%s run: scenario %s: %v\n", c.name, sc.Name, err)
			return StatusError
		}
		scs = append(scs, sc)
	}
	inv, runs, status := runAll(c.name, ctx, "run", scs, f, stdout, stderr)
	if inv == "" {
		return status
	}
	if err := writeBenchTxt(inv, runSummaries(runs)); err != nil {
		fmt.Fprintf(stderr, "%s run: %v\n", c.name, err)
		status = max(status, StatusError)
	}
	if err := writeReports(inv, runs, nil, c.name.String()+" run"); err != nil {
		fmt.Fprintf(stderr, "%s run: reports: %v\n", c.name, err)
		status = max(status, StatusError)
	}
	fmt.Fprintf(stdout, "results in %s\n", inv)
	return status
}

// runAll runs the scenarios into a new invocation folder, prints each
// result and verdict, and returns the folder, the runs as saved (summary,
// samples and events, as runner.Run returns them), and the worst exit
// status. An empty folder means nothing could run.
func runAll(prog progName, ctx context.Context, command string, scs []scenario.Scenario, f runFlags, stdout, stderr io.Writer) (string, []report.Run, int) {
	start := time.Now()
	inv, err := invocationDir(f.out, command, start)
	if err != nil {
		fmt.Fprintf(stderr, "%s %s: output folder: %v\n", prog, command, err)
		return "", nil, StatusError
	}
	var (
		progress func(runner.Progress)
		prepared func(runner.WorkloadProgress)
	)
	if !f.quiet {
		pp := newProgressPrinter(stderr)
		progress, prepared = pp.update, pp.workload
	}
	// Every workload is generated and verified here, before the first
	// child starts, and once for all the scenarios that share it.
	workloads := runner.NewWorkloads(prepared)
	if err := workloads.Prepare(ctx, scs...); err != nil {
		fmt.Fprintf(stderr, "%s %s: %v\n", prog, command, err)
		os.Remove(inv) // still empty
		return "", nil, StatusError
	}
	status := StatusOK
	var runs []report.Run
	jobs := make([]job, len(scs))
	for i, sc := range scs {
		jobs[i] = job{sc: sc, dir: filepath.Join(inv, dirName(sc.Name)), fresh: true}
	}
	x := executor{run: runner.Run, workloads: workloads, timeout: f.timeout, progress: progress, profiles: f.profiles}
	x.execute(ctx, jobs, nil, func(i int, o outcome) bool {
		sc := scs[i]
		switch {
		case o.notRun && ctx.Err() != nil:
			fmt.Fprintf(stderr, "%s %s: interrupted: %s not run\n", prog, command, sc.Name)
			status = max(status, StatusError)
			return true
		case o.notRun: // its folder could not be made
			fmt.Fprintf(stderr, "%s %s: %v\n", prog, command, o.err)
			status = StatusError
			return false
		case o.err != nil:
			fmt.Fprintf(stderr, "%s %s: %s: %v\n", prog, command, sc.Name, o.err)
			status = max(status, StatusError)
		}
		printSummary(stdout, o.run.Summary)
		status = max(status, verdict(stdout, sc, o.run.Summary))
		runs = append(runs, report.Run{Run: o.run})
		return true
	})
	fmt.Fprintf(stdout, "%d scenario(s) in %s\n", len(scs), time.Since(start).Round(100*time.Millisecond))
	return inv, runs, status
}

// dirName makes a scenario name safe as a folder name.
func dirName(name string) string {
	return strings.NewReplacer("/", "_", string(filepath.Separator), "_").Replace(name)
}

// printSummary prints the figures of one run in a few lines.
func printSummary(w io.Writer, s results.Summary) {
	fmt.Fprintf(w, "%s · %s: %s in %.1fs", s.Scenario, s.Engine(), s.Outcome, s.Seconds)
	if s.Signal != "" {
		fmt.Fprintf(w, ", signal %s", s.Signal)
	}
	fmt.Fprintln(w)
	if s.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", s.Error)
	}
	fmt.Fprintf(w, "  rss: baseline %.1f MiB, peak %.1f MiB (hwm %.1f), end of load %.1f, after idle %.1f, after settle %.1f\n",
		mib(s.Baseline), mib(s.Peak), mib(s.PeakHWM), mib(s.EndOfLoad), mib(s.AfterIdle), mib(s.AfterSettle))
	heap := "n/a"
	if s.HeapReported() {
		heap = fmt.Sprintf("%.1f MiB", mib(s.HeapLiveAfterSettle))
	}
	fmt.Fprintf(w, "  growth %+.1f MiB, retained %+.1f MiB, settled %+.1f MiB; heap live after settle %s, leaked %.1f MiB\n",
		mibSigned(s.Growth), mibSigned(s.Retained), mibSigned(s.Settled), heap, mib(s.LeakedAfterSettle))
	if f := s.PSS; f != nil {
		fmt.Fprintf(w, "  pss of the process tree (%d processes at most): baseline %.1f MiB, peak read %.1f MiB, end of load %.1f, after idle %.1f, after settle %.1f; growth %+.1f MiB, retained %+.1f MiB, settled %+.1f MiB\n",
			f.PeakProcesses, mib(f.Baseline), mib(f.Peak), mib(f.EndOfLoad), mib(f.AfterIdle), mib(f.AfterSettle), mibSigned(f.Growth), mibSigned(f.Retained), mibSigned(f.Settled))
	}
	fmt.Fprintf(w, "  slope %s; instances created %d, peak live %d; requests %d, errors %d, %.2f req/s; %d samples\n",
		slopeText(s.Slope), s.Instances.Created, s.Instances.PeakLive, s.Requests, s.Errors, s.Throughput, s.Samples)
	printFailures(w, s)
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
}

func slopeText(s results.Slope) string {
	if s.Rounds < 2 {
		return "n/a (one round)"
	}
	if !s.Bounded() {
		return fmt.Sprintf("%+.2f MiB/round (CI unbounded, %d rounds)", s.MiBPerRound, s.Rounds)
	}
	return fmt.Sprintf("%+.2f MiB/round [%+.2f, %+.2f]", s.MiBPerRound, s.CILow, s.CIHigh)
}

// verdict checks how the run ended, the scenario's limits and its
// expectation, prints every failure, and returns the exit status. A
// failed request fails the run (exit 1): its measurement lacks that work.
// A
// scenario that expects a leak must show it by metric.DefaultLeakRule,
// the rule the gate holds its leaky control to, here with no stable
// scenario beside it.
func verdict(w io.Writer, sc scenario.Scenario, s results.Summary) int {
	switch s.Outcome {
	case results.OutcomeCompleted:
	case results.OutcomeRSSCap:
		fmt.Fprintf(w, "  FAIL %s: killed for exceeding its RSS cap of %.0f MiB (peak %.1f MiB)\n", sc.Name, mib(sc.RSSCap), mib(s.Peak))
		return StatusFailed
	default:
		fmt.Fprintf(w, "  ERROR %s: the run did not complete (%s); no verdict\n", sc.Name, s.Outcome)
		return StatusError
	}
	status := StatusOK
	if s.Errors > 0 {
		fmt.Fprintf(w, "  FAIL %s: %d of %d requests failed (%s)\n", sc.Name, s.Errors, max(s.Total, s.Requests), classCounts(s.ErrorClasses))
		status = StatusFailed
	}
	for _, l := range sc.Limits {
		v, ok := l.Check(s)
		if !ok {
			fmt.Fprintf(w, "  FAIL %s: limit %q violated: %s = %s\n", sc.Name, l.String(), l.Name(), l.Format(v))
			status = StatusFailed
		}
	}
	if rule := metric.DefaultLeakRule(); sc.Expect == metric.ExpectLeak && !rule.Leaks(s) {
		fmt.Fprintf(w, "  FAIL %s: expected to leak, but the leak is not seen: settled %+.1f MiB, retained %+.1f MiB, slope %s (needs settled >= %s, or retained >= %s with slope >= %s)\n",
			sc.Name, mibSigned(s.Settled), mibSigned(s.Retained), slopeText(s.Slope),
			formatValue(metric.Bytes, rule.Memory), formatValue(metric.Bytes, rule.Memory), formatValue(metric.BytesPerRound, rule.Slope))
		status = StatusFailed
	}
	if status == StatusOK && (len(sc.Limits) > 0 || sc.Expect == metric.ExpectLeak) {
		fmt.Fprintf(w, "  ok %s: expect %s, %d limit(s) hold\n", sc.Name, sc.Expect, len(sc.Limits))
	}
	return status
}

// formatValue shows a metric's value the way the summaries do: memory in
// MiB, slopes in MiB per round, counts as they are, a space before the
// unit.
func formatValue(u metric.Unit, v float64) string { return u.FormatSep(v, " ") }

// writeReports draws each run and writes the invocation's overlay,
// summary.md and index.md; with an analysis of these runs (rep not nil:
// bench's reproduction), also its grid and its markdown, and the grid and
// the overlay show its representatives (bench: one run per stage, the run
// of its median peak when it ran more than once).
func writeReports(inv string, runs []report.Run, rep Analysis, title string) error {
	var errs []string
	fail := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	for _, r := range runs {
		if len(r.Samples) > 0 {
			fail(report.PlotRun(r, filepath.Join(r.Dir, report.RunPlot)))
		}
	}
	shown := runs
	if rep != nil {
		shown = rep.Representatives()
	}
	shown = slices.DeleteFunc(slices.Clone(shown), func(r report.Run) bool { return len(r.Samples) == 0 })
	if len(shown) > 1 {
		fail(report.PlotOverlay(shown, title, filepath.Join(inv, "overlay")))
	}
	if rep != nil && len(shown) > 0 && len(shown) <= 6 {
		fail(rep.PlotGrid(shown, title, filepath.Join(inv, "grid")))
	}
	var md strings.Builder
	fmt.Fprintf(&md, "# %s\n\n", title)
	if rep != nil {
		fail(rep.Write(&md))
		md.WriteString("\n")
	}
	fail(report.WriteMarkdown(&md, runs))
	fail(writeFile(filepath.Join(inv, "summary.md"), md.String()))
	fail(report.WriteIndex(inv, title, runs))
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}
