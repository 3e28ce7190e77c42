package casestudy

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/casestudy/idlegc"
	"github.com/leakbench/leakbench/internal/casestudy/published"
	"github.com/leakbench/leakbench/internal/casestudy/reproduction"
	"github.com/leakbench/leakbench/internal/casestudy/squoosh"
	"github.com/leakbench/leakbench/internal/cli"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
	"github.com/leakbench/leakbench/internal/texttab"
)

// quickWorkload is the workload of `bench reproduce --quick`, and
// quickIdle the longest idle phase it keeps: the idle phases would
// otherwise be most of its wall time. 10 s leaves V8's memory reducer
// (idle_gc: v8) its 8 s wait and its collections 500 ms apart.
const (
	quickWorkload = "quick"
	quickIdle     = idlegc.LongDelay + 2*time.Second
)

// defaultReproduceRuns is how many times bench reproduce runs each stage.
// A stage's peak and end of load are one draw of the Go collector's
// sawtooth: on the default workload the fixed stage's peak ranged over
// 934-1229 MiB in nine runs on an idle machine, and fix1's over
// 1096-1225 MiB in seven, wide enough to swap neighbouring stages in a
// single run, so the checks judge each stage's median of three.
const defaultReproduceRuns = 3

// Reproduce is bench's reproduce command, its default.
func Reproduce() cli.Command {
	return cli.Command{
		Name:    "reproduce",
		Summary: "run the four published stages and compare with the published graphs (default)",
		Help:    reproduceHelp,
		Default: true,
		Main:    reproduceMain,
	}
}

var reproduceHelp = cli.Help{
	Usage: "bench reproduce [flags]",
	Description: `
Reproduce the published graphs of the Next.js image-optimizer leak fix
(pull request 23565): run the four published stages (before, fix1, fix1+2,
fixed) on the default workload of 20 high-resolution PNGs, one child
process each, then write a plot per stage, the 2×2 grid and the overlay of
all four, summary.md with our growth and peak ratios beside the published
ones, and index.md. Prints the wall time and where the results are. This
is what "bench" with no command does.

Each stage runs --runs times (default 3), interleaved: before, fix1,
fix1+2, fixed, then again. A stage's peak and end of load are one draw of
the Go garbage collector's sawtooth (the fixed stage's peak spans up to
25% from run to run), so the checks and the tables take each figure's
median over a stage's runs and show their range; the grid and the overlay
show each stage's run of median peak. Two stages whose medians are
inverted but whose runs overlap are shown "≈" and fail nothing: their runs
cannot order them. --runs 1 is the quickest pass, with strict ordering
checks that an unlucky draw can fail. The real optimizer (--with-node)
runs once.

The default workload takes minutes and gigabytes (the "before" stage is
meant to reach several GiB); --quick uses the quick workload instead, with
idle phases of at most 10s (enough for the memory reducer's 8s wait).
Exit 1 if a run hit its RSS cap or a required check fails (growth and
peak falling from before to fixed, the fixed stage returning near
its baseline), 2 if a run crashed. Growth ratios within 0.10 of the
published ones are an aim, reported as "miss" when they are not.`,
	Examples: []string{
		"# the full reproduction (minutes; several GiB of RAM for the before stage)",
		"bench reproduce",
		"# a quick one on a laptop or CI runner",
		"bench reproduce --quick",
		"# with the real Next.js optimizer's two releases beside ours (node and npm; from the repository root)",
		"bench reproduce --quick --with-node",
		"# on next@10.1.0's own wasm modules instead of ours (after bash examples/nextjs/install.sh 10.1.0)",
		"bench reproduce --quick --codecs squoosh",
		"# on your own images, into a folder of your choice",
		"bench reproduce --images ~/photos --out /tmp/repro",
	},
}

// reproduceFlags are reproduce's own flags.
type reproduceFlags struct {
	quick, asNode, withSquoosh, withNode bool
	codecs                               engine.Codecs
	runs                                 int
}

// reproduceMain registers reproduce's flags and returns the command.
func reproduceMain(inv *cli.Invocation) func(ctx context.Context) int {
	var f reproduceFlags
	fs := inv.Flags
	fs.BoolVar(&f.quick, "quick", false, "use the quick workload (six ~2 MP PNGs, idle phases of at most 10s) instead of the default one")
	fs.BoolVar(&f.asNode, "as-node", false, "run the stages on the mechanism of the published runs (Node 14, next@10.1.0) instead of wazero's defaults: linear memory in V8-like backing stores (allocator v8), modules that allocate as the originals (malloc original), only the wasm-bindgen modules kept by reuse (reused bindgen), wasm calls the collector can stop at every loop header as V8's (interrupts loops)")
	fs.TextVar(&f.codecs, "codecs", engine.CodecsEmbedded, "run the stages on the codec `set`: embedded (leakbench's own modules) or squoosh (next@10.1.0's own .wasm files, from the npm install that `"+squoosh.InstallCommand+"` makes; with --as-node they keep their own allocators, malloc original being for the embedded set)")
	fs.IntVar(&f.runs, "runs", defaultReproduceRuns, "runs of each stage (`n` >= 1); the checks take each stage's medians")
	fs.BoolVar(&f.withSquoosh, "with-squoosh", false, "also run the four stages once each on next@10.1.0's own squoosh modules (the codec set squoosh, from the npm install that `"+squoosh.InstallCommand+"` makes) and add them to the tables, between ours and the real optimizer's")
	fs.BoolVar(&f.withNode, "with-node", false, "also run the real Next.js optimizer, next@10.1.0 and next@10.1.3 (scenarios "+reproduction.RealBefore+" and "+reproduction.RealFixed+
		", their -quick twins with --quick), and add them to the grid and the ratio table; needs node 18 or later and npm, installs next into the cache on first use, and runs from the repository root")
	return func(ctx context.Context) int { return reproduce(ctx, inv, f) }
}

// reproduce runs the stages the flags ask for, writes their reports and
// prints the checks.
func reproduce(ctx context.Context, inv *cli.Invocation, f reproduceFlags) int {
	if f.runs < 1 {
		return inv.UsageError("--runs %d: want at least 1", f.runs)
	}
	if inv.Flags.NArg() > 0 {
		return inv.UsageError("unexpected arguments %q (the stages are fixed; use bench run for others)", inv.Flags.Args())
	}
	if f.codecs == engine.CodecsSquoosh || f.withSquoosh {
		if err := squoosh.CheckInstalled(""); err != nil {
			return inv.Errorf("the squoosh codecs: %v", err)
		}
	}
	if f.codecs == engine.CodecsSquoosh && f.withSquoosh {
		return inv.UsageError("--with-squoosh adds the squoosh codecs beside the embedded ones: drop --codecs squoosh")
	}
	scs, status := f.scenarios(inv)
	if status != cli.StatusOK {
		return status
	}
	start := time.Now()
	dir, runs, status := inv.Run(ctx, scs)
	if dir == "" {
		return status
	}
	title := reproductionTitle
	switch {
	case f.quick && f.asNode:
		title += " (quick workload, as Node ran it)"
	case f.quick:
		title += " (quick workload)"
	case f.asNode:
		title += " (as Node ran it)"
	}
	if f.codecs != engine.CodecsEmbedded {
		title += " on the " + f.codecs.String() + " codecs"
	}
	rep := reproduction.Reproduce(published.Stages(), runs)
	if err := inv.WriteReports(dir, runs, rep, title); err != nil {
		status = max(status, inv.Errorf("reports: %v", err))
	}
	for _, c := range rep.Checks {
		mark := [...]string{reproduction.CheckPassed: "ok  ", reproduction.CheckSkipped: "n/a ", reproduction.CheckMissed: "miss", reproduction.CheckFailed: "FAIL"}[c.Result()]
		fmt.Fprintf(inv.Stdout, "%s %s: %s\n", mark, c.Name, c.Detail)
	}
	if len(rep.Real) > 0 || len(rep.Modules) > 0 {
		writeRatioTable(inv.Stdout, rep)
	}
	if status == cli.StatusOK && !rep.Passed() {
		status = cli.StatusFailed
	}
	fmt.Fprintf(inv.Stdout, "reproduction took %s; results in %s (see %s)\n",
		time.Since(start).Round(time.Second), dir, filepath.Join(dir, "summary.md"))
	return status
}

// scenarios returns the scenarios to run, in order: the four stages
// --runs times, then the squoosh stages (--with-squoosh) and the real
// optimizer's (--with-node) once each.
func (f reproduceFlags) scenarios(inv *cli.Invocation) ([]scenario.Scenario, int) {
	stages, status := f.stagesOn(inv, f.codecs)
	if status != cli.StatusOK {
		return nil, status
	}
	var scs []scenario.Scenario
	for range f.runs {
		scs = append(scs, stages...)
	}
	if f.withSquoosh {
		others, status := f.stagesOn(inv, engine.CodecsSquoosh)
		if status != cli.StatusOK {
			return nil, status
		}
		for _, sc := range others {
			sc.Name += "-squoosh"
			scs = append(scs, sc)
		}
	}
	if !f.withNode {
		return scs, cli.StatusOK
	}
	if err := nodeReady(); err != nil {
		return nil, inv.UsageError("--with-node: %v", err)
	}
	for _, name := range []string{reproduction.RealBefore, reproduction.RealFixed} {
		if f.quick {
			name += "-" + quickWorkload
		}
		sc, err := inv.Find(name)
		if err != nil {
			return nil, inv.Errorf("%v", err)
		}
		if err := inv.Apply(&sc); err != nil {
			return nil, inv.Errorf("scenario %s: %v", sc.Name, err)
		}
		scs = append(scs, sc)
	}
	return scs, cli.StatusOK
}

// stagesOn returns the four stages on the codec set on, each on the
// mechanism the flags ask for (engine.AsNode gives each set its own).
func (f reproduceFlags) stagesOn(inv *cli.Invocation, on engine.Codecs) ([]scenario.Scenario, int) {
	var out []scenario.Scenario
	for _, name := range engine.Presets() {
		sc, err := inv.Find(name)
		if err != nil {
			return nil, inv.Errorf("stage %s: %v", name, err)
		}
		if f.quick {
			sc.Workload = quickWorkload
			sc.Idle = min(sc.Idle, quickIdle)
		}
		o, ok := sc.Settings.(builtin.Options)
		if !ok {
			return nil, inv.Errorf("stage %s runs target %s, not the builtin engine", name, sc.Target)
		}
		o.Codecs = on
		if f.asNode {
			o.Strategy = engine.AsNode(o.Strategy)
		}
		if sc, err = inv.Catalog().With(sc, o); err == nil {
			err = inv.Apply(&sc)
		}
		if err != nil {
			return nil, inv.Errorf("scenario %s: %v", sc.Name, err)
		}
		out = append(out, sc)
	}
	return out, cli.StatusOK
}

// nodeReady checks what the real optimizer's scenarios need: node and
// npm on PATH and the driver under the current directory.
func nodeReady() error {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found on PATH: the real optimizer needs node 18 or later and npm", tool)
		}
	}
	if _, err := os.Stat(nodeDriver); err != nil {
		wd, _ := os.Getwd()
		return fmt.Errorf("%s not found under %s: run from the repository root", nodeDriver, wd)
	}
	return nil
}

// nodeDriver is the real optimizer's driver, relative to the repository
// root, as the nextjs scenarios name it.
const nodeDriver = "examples/nextjs/driver.js"

// writeRatioTable prints our stages' and the real optimizer's growth and
// peak with their ratios beside the published ones.
func writeRatioTable(w io.Writer, rep reproduction.Reproduction) {
	rows := [][]string{{"stage", "run", "growth MiB", "ratio", "published", "peak MiB", "ratio", "published"}}
	add := func(label string, r reproduction.ReproRow) {
		if !r.Found {
			rows = append(rows, []string{label, "missing", "—", "—", fmt.Sprintf("%.2f", r.Stage.GrowthRatio), "—", "—", fmt.Sprintf("%.2f", r.Stage.PeakRatio)})
			return
		}
		gr, pr := "—", "—"
		if r.HasRatios {
			gr, pr = fmt.Sprintf("%.2f", r.GrowthRatio), fmt.Sprintf("%.2f", r.PeakRatio)
		}
		rows = append(rows, []string{label, r.Run.Name(), fmt.Sprintf("%+.1f", float64(r.Growth)/results.MiB), gr, fmt.Sprintf("%.2f", r.Stage.GrowthRatio),
			fmt.Sprintf("%.1f", float64(r.Peak)/results.MiB), pr, fmt.Sprintf("%.2f", r.Stage.PeakRatio)})
	}
	for _, r := range rep.Rows {
		add("ours "+r.Stage.Preset, r)
	}
	for _, r := range rep.Modules {
		add("squoosh "+r.Stage.Preset, r)
	}
	for i, r := range rep.Real {
		add([]string{"next@10.1.0", "next@10.1.3"}[i], r)
	}
	var b strings.Builder
	texttab.Layout(&b, "", rows, []bool{false, false, true, true, true, true, true, true})
	fmt.Fprint(w, b.String())
}
