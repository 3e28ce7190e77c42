package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/compare"
	"github.com/leakbench/leakbench/internal/compare/shard"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
	"github.com/leakbench/leakbench/internal/texttab"
)

// Defaults of `bench compare`.
const (
	// defaultCompareRuns is R, the runs of each scenario. Six, not five:
	// the distribution-free 95% interval of a median (benchmath, as
	// benchstat computes it) needs at least six values, and with five one
	// of its bounds is infinite ("± ∞"); six is the smallest R whose
	// every figure has a finite interval. The Mann-Whitney test of 6
	// against 6 can reach p = 0.002.
	defaultCompareRuns = 6
	// defaultCompareSeed seeds the shuffled order of each repetition, the
	// same on every machine of a sharded comparison.
	defaultCompareSeed = 1
	// planFile records what an invocation of bench compare set out to
	// run, so that --merge can pool folders from several machines.
	planFile = "compare.json"
)

// compareHelp is the --help of `bench compare` in a program with the
// factorial design fd (nil: none, and no --factorial).
func compareHelp(fd *Factorial) help {
	h := help{
		usage: "bench compare [flags] SCENARIO...\n       bench compare --merge [--allow-mixed] [--out DIR] DIR...",
		description: `
Compare scenarios side by side with statistics. Each scenario runs R times
(--runs, default 6), each run in its own child process; the runs are
interleaved, every repetition in its own shuffled order (seeded by --seed,
so every machine of a sharded comparison agrees), so that a drift in the
machine's load weighs on every scenario alike.

For each metric (peak, peak_hwm, growth, retained, settled, slope, peak
live instances, throughput, request latency p50 and p95) the table gives
every scenario's median with its 95% confidence interval, and for each
scenario against the reference (the first, or --ref) the change of the
median with the Mann-Whitney U p-value and the ratio of medians with its
95% interval, laid out as benchstat does. "~" marks a difference that is
not significant at alpha = 0.05 or lies within the metric's absolute noise
floor, the gate's (peak 32 MiB, settled 16 MiB, ...: "bench gate --help").
R = 6 is the smallest R for which every median has a finite interval.
{factorial}
--shard K/N runs the K-th of N deterministic parts of the (scenario ×
repetition) cells; --merge pools the folders of several shards or machines
into one report, and refuses folders whose environment differs (Go,
wazero, CPU count, workload hash, leakbench version, OS, architecture)
unless --allow-mixed.

Outputs, in a new folder (--out, default reports/<UTC time>-compare): one
folder per run (<scenario>-<repetition>/), compare.json (the plan),
bench.txt (every run in Go's benchmark format: benchstat -col /scenario
bench.txt), compare.txt and compare.md (the table){outputs}.

A comparison has no verdict. Exit status: 0 the comparison was made; 2 a
usage error, a bad scenario, a run that did not complete (it is left out of
the statistics and named), or folders that cannot be merged.`,
		examples: []string{
			"# the stable scenario against the leaky control, 6 runs each",
			"bench compare {stable} {leaky}",
			"# against a chosen reference, fewer runs",
			"bench compare --runs 3 --ref {leaky} {stable} {leaky}",
		},
	}
	factorial, outputs := "", ""
	if fd != nil {
		h.usage = strings.Replace(h.usage, "\n", "\n       bench compare --factorial [--switches LIST] [--base NAME] [flags]\n", 1)
		factorial = "\n" + texttab.Wrap(fmt.Sprintf("--factorial runs the full 2^k factorial of %s (or of the --switches given: %s) "+
			"as cells built from a base scenario (--base, default %s) by setting each switch to its high (leaky) or low (fixed) level; "+
			"every cell runs --workers workers (default %d). A cell whose settings its target refuses (a base with a pool, switched to pipeline) "+
			"is an error before any run. It reports every main effect and two-way interaction of every metric, as a difference of means and as a ratio, "+
			"with 95%% intervals from the replicate variance (Student's t), an effect plot and a heat map of the cells, and answers: "+
			"which switch costs most memory, most throughput, which pairs interact.",
			fd.Of, strings.Join(fd.switchNames(), ", "), fd.Base, fd.Workers), 74) + "\n"
		outputs = ", and for --factorial\nfactorial.txt, factorial.md, effects.png/.svg and cells.png/.svg"
		h.examples = append(h.examples,
			"# the factorial of two switches",
			"bench compare --factorial --switches "+strings.Join(fd.switchNames()[:min(2, len(fd.switchNames()))], ",")+" --runs 3",
			"# the second of four machines",
			"bench compare --factorial --shard 2/4 --out shards/2",
		)
	} else {
		h.examples = append(h.examples, "# the second of four machines",
			"bench compare --shard 2/4 --out shards/2 {stable} {leaky}")
	}
	h.examples = append(h.examples, "# the merge of the four machines' folders",
		"bench compare --merge shards/1 shards/2 shards/3 shards/4")
	h.description = strings.NewReplacer("{factorial}", factorial, "{outputs}", outputs).Replace(h.description)
	return h
}

// compareFlags are the parsed flags of `bench compare`.
type compareFlags struct {
	run        runFlags
	runs       int
	seed       uint64
	ref        string
	shard      shard.Shard
	merge      bool
	allowMixed bool
	factorial  bool
	switches   []string
	base       string
	args       []string // scenarios, or folders with --merge
}

// parseCompareFlags parses the flags and arguments; done is true when the
// command should stop with status.
func parseCompareFlags(prog progName, fd *Factorial, names, args []string, stdout, stderr io.Writer) (f compareFlags, status int, done bool) {
	fs := newFlagSet("compare")
	f.run.register(fs)
	f.shard = shard.Shard{K: 1, N: 1}
	var switches string
	fs.IntVar(&f.runs, "runs", defaultCompareRuns, "runs of each scenario (`R`); 6 is the least for a finite interval of every median")
	fs.Uint64Var(&f.seed, "seed", defaultCompareSeed, "`seed` of the shuffled order of each repetition")
	fs.StringVar(&f.ref, "ref", "", "reference scenario `name` (default: the first)")
	fs.Func("shard", "run only part `K/N` of the (scenario × repetition) cells (default 1/1: all)", func(s string) error {
		sh, err := shard.Parse(s)
		if err == nil {
			f.shard = sh
		}
		return err
	})
	fs.BoolVar(&f.merge, "merge", false, "merge the result folders given as arguments into one report instead of running")
	fs.BoolVar(&f.allowMixed, "allow-mixed", false, "with --merge: pool folders whose environments differ (the report lists the differences)")
	if fd != nil {
		fs.BoolVar(&f.factorial, "factorial", false, "run the full factorial of --switches over --base")
		fs.StringVar(&switches, "switches", strings.Join(fd.switchNames(), ","), "with --factorial: the `list` of switches to vary")
		fs.StringVar(&f.base, "base", fd.Base, "with --factorial: the base scenario `name` or file the cells are built from")
	}
	if status, done := parseFlags(prog, fs, compareHelp(fd).withScenarios(names), args, stdout, stderr); done {
		return f, status, true
	}
	f.args = fs.Args()
	bad := func(format string, a ...any) (compareFlags, int, bool) {
		return f, usageError(stderr, prog, "compare", format, a...), true
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if na := notForMerge(set); f.merge && len(na) > 0 {
		verb := "does"
		if len(na) > 1 {
			verb = "do"
		}
		return bad("--merge takes the plan from the folders and runs nothing: %s %s not apply", strings.Join(na, ", "), verb)
	}
	if err := f.run.check(); err != nil {
		return bad("%v", err)
	}
	switch {
	case f.runs < 1:
		return bad("--runs must be at least 1, is %d", f.runs)
	case f.merge && len(f.args) == 0:
		return bad("--merge needs the result folders to merge")
	case f.allowMixed && !f.merge:
		return bad("--allow-mixed applies to --merge only")
	case f.factorial && len(f.args) > 0:
		return bad("--factorial builds its cells from --base; it takes no scenarios (got %q)", f.args)
	case !f.factorial && (set["switches"] || set["base"]):
		return bad("--switches and --base apply to --factorial only")
	case !f.factorial && !f.merge && len(f.args) == 0:
		return bad("name the scenarios to compare (see \"bench list\"), or use --factorial")
	}
	if f.factorial {
		for _, s := range strings.Split(switches, ",") {
			if s = strings.TrimSpace(s); s != "" {
				f.switches = append(f.switches, s)
			}
		}
		if _, err := fd.pick(f.switches); err != nil {
			return bad("--switches: %v", err)
		}
		if f.run.workers == 0 {
			f.run.workers = fd.Workers
		}
	}
	return f, 0, false
}

// compareCmd is `bench compare` with its dependencies as fields, so that
// tests can replace the runner and the clock.
type compareCmd struct {
	prog           progName // the program's name in messages
	stdout, stderr io.Writer
	// run runs one scenario once into opts.OutDir; runner.Run in production.
	run func(ctx context.Context, sc scenario.Scenario, opts runner.Options) (results.Run, error)
	// find resolves a shipped scenario name or a file and checks its
	// target (cli.find).
	find func(nameOrPath string) (scenario.Scenario, error)
	// catalog is the program's, which builds a factorial's cells, and
	// factorial its design (nil: the program has none).
	catalog   scenario.Catalog
	factorial *Factorial
	// examples are the scenarios its help's examples name
	// (cli.exampleScenarios).
	examples []string
	// now is the clock of the output folder's name and the wall times.
	now func() time.Time
	// plots says to draw the factorial's figures.
	plots bool
	// newWorkloads returns what prepares the scenarios' workloads before
	// the first run, shared by all runs, reporting to progress (nil with
	// --quiet); runner.NewWorkloads in production, nil leaves it to each
	// run.
	newWorkloads func(progress func(runner.WorkloadProgress)) *runner.Workloads
}

// doCompare is `bench compare`.
func (c cli) doCompare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := compareCmd{prog: c.name, stdout: stdout, stderr: stderr, run: runner.Run, find: c.find, catalog: c.catalog, factorial: c.factorial, examples: c.exampleScenarios(),
		now: time.Now, plots: true, newWorkloads: runner.NewWorkloads}
	return cmd.main(ctx, args)
}

// notForMerge returns the flags of set that --merge would ignore: those
// of the plan (it is in the folders) and of running (it runs nothing).
func notForMerge(set map[string]bool) []string {
	var na []string
	for _, name := range []string{"factorial", "shard", "runs", "seed", "images", "workers", "rounds", "timeout", "quiet"} {
		if set[name] {
			na = append(na, "--"+name)
		}
	}
	return na
}

// main parses the flags and runs, or merges, the comparison.
func (c compareCmd) main(ctx context.Context, args []string) int {
	f, status, done := parseCompareFlags(c.prog, c.factorial, c.examples, args, c.stdout, c.stderr)
	if done {
		return status
	}
	if f.merge {
		return c.mergeFolders(f)
	}
	plan, scs, err := c.plan(f)
	var ws *runner.Workloads
	if err == nil {
		ws, err = c.prepare(ctx, plan, scs, f.run.quiet)
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "%s compare: %v\n", c.prog, err)
		return StatusError
	}
	dir, err := invocationDir(f.run.out, "compare", c.now())
	if err != nil {
		fmt.Fprintf(c.stderr, "%s compare: output folder: %v\n", c.prog, err)
		return StatusError
	}
	if err := writePlan(dir, plan); err != nil {
		fmt.Fprintf(c.stderr, "%s compare: %v\n", c.prog, err)
		return StatusError
	}
	runs, status := c.runCells(ctx, dir, plan, scs, ws, f.run)
	return max(status, c.report(dir, plan, runs, nil))
}

// comparePlan is compare.json: what one invocation set out to run, in the
// order it ran it. --merge reads it from every folder.
type comparePlan struct {
	// Scenarios are the compared scenarios in the order named (for a
	// factorial, its cells in the design's standard order).
	Scenarios []string `json:"scenarios"`
	// Ref is the reference scenario ("" for the first).
	Ref string `json:"ref,omitempty"`
	// Runs is R, the repetitions of each scenario over all shards.
	Runs int `json:"runs"`
	// Seed seeds the order of each repetition.
	Seed uint64 `json:"seed"`
	// Shard is the part of the cells this folder holds, "K/N".
	Shard string `json:"shard"`
	// Factorial describes the design; nil for a plain comparison.
	Factorial *factorialPlan `json:"factorial,omitempty"`
	// Cells are this shard's runs, in the order they ran.
	Cells []plannedCell `json:"cells"`
}

// plannedCell is one run of the plan.
type plannedCell struct {
	Scenario string `json:"scenario"`
	Rep      int    `json:"rep"`
	// Dir is the run's folder, relative to the plan's folder.
	Dir string `json:"dir"`
}

// compareRun is one run as the report uses it.
type compareRun struct {
	cell    plannedCell
	dir     string // the run's folder as the report names it
	summary results.Summary
	err     error // the run could not be made or read
}

// plan resolves the scenarios (or builds the factorial's cells) and lays
// out this shard's cells.
func (c compareCmd) plan(f compareFlags) (comparePlan, map[string]scenario.Scenario, error) {
	var scs []scenario.Scenario
	p := comparePlan{Ref: f.ref, Runs: f.runs, Seed: f.seed, Shard: f.shard.String()}
	if f.factorial {
		base, err := c.findScenario(f.base, f.run)
		if err != nil {
			return p, nil, err
		}
		fp, cells, err := factorialCells(c.catalog, c.factorial, base, f.switches, f.run.workers)
		if err != nil {
			return p, nil, err
		}
		p.Factorial, scs = &fp, cells
	} else {
		for _, name := range f.args {
			sc, err := c.findScenario(name, f.run)
			if err != nil {
				return p, nil, err
			}
			scs = append(scs, sc)
		}
	}
	byName := map[string]scenario.Scenario{}
	for _, sc := range scs {
		if _, dup := byName[sc.Name]; dup {
			return p, nil, fmt.Errorf("scenario %s named twice", sc.Name)
		}
		byName[sc.Name] = sc
		p.Scenarios = append(p.Scenarios, sc.Name)
	}
	if p.Ref != "" && byName[p.Ref].Name == "" {
		return p, nil, fmt.Errorf("--ref %s is not among the scenarios (%s)", p.Ref, strings.Join(p.Scenarios, ", "))
	}
	cells, err := shard.Plan(p.Scenarios, p.Runs, p.Seed, f.shard)
	if err != nil {
		return p, nil, err
	}
	for _, cell := range cells {
		p.Cells = append(p.Cells, plannedCell{Scenario: cell.Scenario, Rep: cell.Rep, Dir: fmt.Sprintf("%s-%d", dirName(cell.Scenario), cell.Rep)})
	}
	return p, byName, nil
}

// prepare generates and verifies the workloads of the plan's scenarios in
// this process, before the first child starts and before the output
// folder exists, once for all the cells that share a workload. It returns
// what the runs share (nil without newWorkloads).
func (c compareCmd) prepare(ctx context.Context, p comparePlan, scs map[string]scenario.Scenario, quiet bool) (*runner.Workloads, error) {
	if c.newWorkloads == nil {
		return nil, nil
	}
	var progress func(runner.WorkloadProgress)
	if !quiet {
		progress = newProgressPrinter(c.stderr).workload
	}
	ws := c.newWorkloads(progress)
	ordered := make([]scenario.Scenario, 0, len(p.Scenarios))
	for _, name := range p.Scenarios {
		ordered = append(ordered, scs[name])
	}
	return ws, ws.Prepare(ctx, ordered...)
}

// findScenario resolves a shipped scenario's name or a file and applies
// the run flags.
func (c compareCmd) findScenario(name string, f runFlags) (scenario.Scenario, error) {
	sc, err := c.find(name)
	if err != nil {
		return sc, err
	}
	if err := f.apply(&sc); err != nil {
		return sc, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	return sc, nil
}

// runCells runs the plan's cells in order, each in its own child, into
// dir, with the workloads ws prepared. It returns the runs and
// StatusError when one did not complete.
func (c compareCmd) runCells(ctx context.Context, dir string, p comparePlan, scs map[string]scenario.Scenario, ws *runner.Workloads, f runFlags) ([]compareRun, int) {
	var progress func(runner.Progress)
	if !f.quiet {
		progress = newProgressPrinter(c.stderr).update
	}
	status := StatusOK
	start := c.now()
	runs := make([]compareRun, 0, len(p.Cells))
	jobs := make([]job, len(p.Cells))
	for i, cell := range p.Cells {
		jobs[i] = job{sc: scs[cell.Scenario], dir: filepath.Join(dir, cell.Dir)}
	}
	x := executor{run: c.run, workloads: ws, timeout: f.timeout, progress: progress, profiles: f.profiles}
	x.execute(ctx, jobs, func(i int) {
		cell := p.Cells[i]
		fmt.Fprintf(c.stderr, "%s compare: run %d/%d: %s (repetition %d of %d)\n", c.prog, i+1, len(p.Cells), cell.Scenario, cell.Rep, p.Runs)
	}, func(i int, o outcome) bool {
		r := compareRun{cell: p.Cells[i], dir: jobs[i].dir, summary: o.run.Summary, err: o.incomplete()}
		if r.err != nil {
			status = StatusError
			if !o.notRun {
				fmt.Fprintf(c.stderr, "%s compare: %s: %v\n", c.prog, r.dir, r.err)
			}
		}
		runs = append(runs, r)
		return true
	})
	fmt.Fprintf(c.stderr, "%s compare: %d run(s) in %s\n", c.prog, len(runs), c.now().Sub(start).Round(100*time.Millisecond))
	return runs, status
}

// benchSummaries are the runs as bench.txt names them. A factorial's
// cells are named after their base scenario there: the switches have
// their own name parts, so that "benchstat -col /lifetime bench.txt"
// lines up the cells that differ only in their lifetime.
func benchSummaries(p comparePlan, done []results.Summary) []results.Summary {
	if p.Factorial == nil {
		return done
	}
	out := slices.Clone(done)
	for i := range out {
		out[i].Scenario = p.Factorial.Base
	}
	return out
}

// completed returns the summaries of the runs that completed, in order,
// each named as its plan names it (an A/B gate's plan names the two
// builds' runs of a scenario "quick-fixed@base" and "quick-fixed@head").
func completed(runs []compareRun) []results.Summary {
	var out []results.Summary
	for _, r := range runs {
		if r.err == nil && r.summary.Outcome == results.OutcomeCompleted {
			s := r.summary
			s.Scenario = r.cell.Scenario
			out = append(out, s)
		}
	}
	return out
}

// available drops the metrics no completed run has a value of (request
// latency in runs from before it was recorded).
func available(ms []metric.Metric, runs []results.Summary) []metric.Metric {
	return slices.DeleteFunc(slices.Clone(ms), func(m metric.Metric) bool {
		return !slices.ContainsFunc(runs, func(s results.Summary) bool { return !math.IsNaN(m.Value(s)) })
	})
}

// report writes bench.txt and the comparison (or the factorial) of the
// completed runs into dir and prints it; notes go under the table. It
// returns StatusError when something could not be written or analysed.
func (c compareCmd) report(dir string, p comparePlan, runs []compareRun, notes []string) int {
	status := StatusOK
	fail := func(err error) {
		if err != nil {
			fmt.Fprintf(c.stderr, "%s compare: %v\n", c.prog, err)
			status = StatusError
		}
	}
	done := completed(runs)
	fail(writeBenchTxt(dir, benchSummaries(p, done)))
	for _, r := range runs {
		if r.err != nil {
			notes = append(notes, fmt.Sprintf("left out: %s (%s, repetition %d): %v", r.dir, r.cell.Scenario, r.cell.Rep, r.err))
		}
	}
	if p.Shard != "1/1" && p.Shard != "" {
		notes = append(notes, fmt.Sprintf("shard %s: this folder holds part of the runs; merge the shards with bench compare --merge", p.Shard))
	}
	if len(done) == 0 {
		fail(errors.New("no run completed: nothing to compare"))
		return status
	}
	if p.Factorial != nil {
		fail(c.reportFactorial(dir, p, done, notes))
	} else {
		fail(c.reportTable(dir, p, done, runs, notes))
	}
	fmt.Fprintf(c.stdout, "\noutputs: %s\n", dir)
	return status
}

// reportTable writes and prints the table of a plain comparison.
func (c compareCmd) reportTable(dir string, p comparePlan, done []results.Summary, runs []compareRun, notes []string) error {
	ms := available(metric.Compared(), done)
	values := map[compare.Key][]float64{}
	for _, name := range p.Scenarios {
		for _, m := range ms {
			values[compare.Key{Scenario: name, Metric: m.String()}] = []float64{}
		}
	}
	for _, s := range done {
		for _, m := range ms {
			k := compare.Key{Scenario: s.Scenario, Metric: m.String()}
			if _, ok := values[k]; ok {
				values[k] = append(values[k], m.Value(s))
			} else {
				notes = append(notes, fmt.Sprintf("run of %s is not in the plan; left out", s.Scenario))
				break
			}
		}
	}
	tab, err := compare.Compare(gate.CompareMetrics(ms), p.Scenarios, values, compare.Options{Ref: p.Ref})
	if err != nil {
		return err
	}
	head := compareHead(p, done)
	var txt, md strings.Builder
	txt.WriteString(head + "\n\n")
	if err := tab.WriteText(&txt); err != nil {
		return err
	}
	md.WriteString("# bench compare\n\n" + head + "\n\n")
	if err := tab.WriteMarkdown(&md); err != nil {
		return err
	}
	if lines := differenceProfiles(tab, ms, runs); len(lines) > 0 {
		txt.WriteString("\nprofiles of the significant differences (the median run of each side):\n")
		md.WriteString("\nProfiles of the significant differences (the median run of each side):\n\n")
		for _, l := range lines {
			txt.WriteString("  " + l.head + "\n")
			md.WriteString("- " + l.head + "\n")
			for _, d := range l.diffs {
				txt.WriteString("    " + d.String() + "\n")
				md.WriteString("  - " + d.Title() + ": `" + d.Command + "`\n")
			}
		}
	}
	for _, n := range notes {
		txt.WriteString("note: " + n + "\n")
		md.WriteString("\n- " + n)
	}
	if len(notes) > 0 {
		md.WriteString("\n")
	}
	fmt.Fprint(c.stdout, txt.String())
	return errors.Join(writeFile(filepath.Join(dir, "compare.txt"), txt.String()), writeFile(filepath.Join(dir, "compare.md"), md.String()))
}

// profileLine is the profiles of one significant difference of a
// comparison: head says which ("settled: fix1+2 worse than before").
type profileLine struct {
	head  string
	diffs []results.ProfileDiff
}

// differenceProfiles returns, for every significant difference of tab
// (a verdict other than Same) on a metric of ms (the table's rows, in
// order), the diffs of the profiles of the reference's and the cell's
// median runs that explain it; none for the metrics no profile explains
// or runs that wrote no profiles.
func differenceProfiles(tab *compare.Table, ms []metric.Metric, runs []compareRun) []profileLine {
	sides := map[string][]sideRun{}
	for _, r := range runs {
		if r.err == nil && r.summary.Outcome == results.OutcomeCompleted {
			sides[r.cell.Scenario] = append(sides[r.cell.Scenario], sideRun{r.dir, r.summary})
		}
	}
	var out []profileLine
	for i, row := range tab.Rows {
		for _, cell := range row.Cells {
			if cell.Vs == nil || cell.Vs.Verdict == compare.Same {
				continue
			}
			diffs := metricProfiles(ms[i], sides[tab.Ref], sides[cell.Scenario])
			if len(diffs) > 0 {
				out = append(out, profileLine{
					head:  fmt.Sprintf("%s: %s %s than %s", ms[i], cell.Scenario, cell.Vs.Verdict, tab.Ref),
					diffs: diffs,
				})
			}
		}
	}
	return out
}

// compareHead describes the comparison in one line: runs, scenarios,
// workload and machine.
func compareHead(p comparePlan, done []results.Summary) string {
	env := done[0].Env
	s := fmt.Sprintf("%d completed run(s) of %d scenario(s), R = %d, seed %d, shard %s; %s/%s, %d CPUs", len(done), len(p.Scenarios), p.Runs, p.Seed, p.Shard, env.GOOS, env.GOARCH, env.CPUs)
	if env.CPUModel != "" {
		s += " (" + env.CPUModel + ")"
	}
	return s + ", " + env.GoVersion + ", wazero " + env.WazeroVersion
}
