package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/idlegc"
	"github.com/leakbench/leakbench/internal/published"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/scenario"
	"github.com/leakbench/leakbench/internal/squoosh"
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

var reproduceHelp = help{
	usage: "bench reproduce [flags]",
	description: `
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
	examples: []string{
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

func (c cli) doReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("reproduce")
	var f runFlags
	f.register(fs)
	quick := fs.Bool("quick", false, "use the quick workload (six ~2 MP PNGs, idle phases of at most 10s) instead of the default one")
	asNode := fs.Bool("as-node", false, "run the stages on the mechanism of the published runs (Node 14, next@10.1.0) instead of wazero's defaults: linear memory in V8-like backing stores (allocator v8), modules that allocate as the originals (malloc original), only the wasm-bindgen modules kept by reuse (reused bindgen), wasm calls the collector can stop at every loop header as V8's (interrupts loops)")
	var set engine.Codecs
	fs.TextVar(&set, "codecs", engine.CodecsEmbedded, "run the stages on the codec `set`: embedded (leakbench's own modules) or squoosh (next@10.1.0's own .wasm files, from the npm install that `"+squoosh.InstallCommand+"` makes; with --as-node they keep their own allocators, malloc original being for the embedded set)")
	nRuns := fs.Int("runs", defaultReproduceRuns, "runs of each stage (`n` >= 1); the checks take each stage's medians")
	withSquoosh := fs.Bool("with-squoosh", false, "also run the four stages once each on next@10.1.0's own squoosh modules (the codec set squoosh, from the npm install that `"+squoosh.InstallCommand+"` makes) and add them to the tables, between ours and the real optimizer's")
	withNode := fs.Bool("with-node", false, "also run the real Next.js optimizer, next@10.1.0 and next@10.1.3 (scenarios "+report.RealBefore+" and "+report.RealFixed+
		", their -quick twins with --quick), and add them to the grid and the ratio table; needs node 18 or later and npm, installs next into the cache on first use, and runs from the repository root")
	if status, done := parseFlags(c.name, fs, reproduceHelp, args, stdout, stderr); done {
		return status
	}
	if err := f.check(); err != nil {
		return usageError(stderr, c.name, "reproduce", "%v", err)
	}
	if *nRuns < 1 {
		return usageError(stderr, c.name, "reproduce", "--runs %d: want at least 1", *nRuns)
	}
	if fs.NArg() > 0 {
		return usageError(stderr, c.name, "reproduce", "unexpected arguments %q (the stages are fixed; use bench run for others)", fs.Args())
	}
	if set == engine.CodecsSquoosh || *withSquoosh {
		if err := squoosh.CheckInstalled(""); err != nil {
			fmt.Fprintf(stderr, "%s reproduce: the squoosh codecs: %v\n", c.name, err)
			return statusError
		}
	}
	if set == engine.CodecsSquoosh && *withSquoosh {
		return usageError(stderr, c.name, "reproduce", "--with-squoosh adds the squoosh codecs beside the embedded ones: drop --codecs squoosh")
	}
	// stagesOn returns the four stages on the codec set on, each on the
	// mechanism the flags ask for (engine.AsNode gives each set its own).
	stagesOn := func(on engine.Codecs) ([]scenario.Scenario, bool) {
		var out []scenario.Scenario
		for _, name := range engine.Presets() {
			sc, err := c.find(name)
			if err != nil {
				fmt.Fprintf(stderr, "%s reproduce: stage %s: %v\n", c.name, name, err)
				return nil, false
			}
			if *quick {
				sc.Workload = quickWorkload
				sc.Idle = min(sc.Idle, quickIdle)
			}
			sc.Strategy.Codecs = on
			if *asNode {
				sc.Strategy = engine.AsNode(sc.Strategy)
			}
			if err := f.apply(&sc); err != nil {
				fmt.Fprintf(stderr, "%s reproduce: scenario %s: %v\n", c.name, sc.Name, err)
				return nil, false
			}
			out = append(out, sc)
		}
		return out, true
	}
	stages, ok := stagesOn(set)
	if !ok {
		return statusError
	}
	var scs []scenario.Scenario
	for range *nRuns {
		scs = append(scs, stages...)
	}
	if *withSquoosh {
		others, ok := stagesOn(engine.CodecsSquoosh)
		if !ok {
			return statusError
		}
		for _, sc := range others {
			sc.Name += "-squoosh"
			scs = append(scs, sc)
		}
	}
	if *withNode {
		if err := nodeReady(); err != nil {
			return usageError(stderr, c.name, "reproduce", "--with-node: %v", err)
		}
		for _, name := range []string{report.RealBefore, report.RealFixed} {
			if *quick {
				name += "-" + quickWorkload
			}
			sc, err := scenario.Find(name)
			if err != nil {
				fmt.Fprintf(stderr, "%s reproduce: %v\n", c.name, err)
				return statusError
			}
			if err := f.apply(&sc); err != nil {
				fmt.Fprintf(stderr, "%s reproduce: scenario %s: %v\n", c.name, sc.Name, err)
				return statusError
			}
			scs = append(scs, sc)
		}
	}
	start := time.Now()
	inv, runs, status := runAll(c.name, ctx, "reproduce", scs, f, stdout, stderr)
	if inv == "" {
		return status
	}
	title := "Reproduction of Next.js PR 23565"
	switch {
	case *quick && *asNode:
		title += " (quick workload, as Node ran it)"
	case *quick:
		title += " (quick workload)"
	case *asNode:
		title += " (as Node ran it)"
	}
	if set != engine.CodecsEmbedded {
		title += " on the " + set.String() + " codecs"
	}
	rep := report.Reproduce(published.Stages(), runs)
	if err := writeReports(inv, runs, &rep, title); err != nil {
		fmt.Fprintf(stderr, "%s reproduce: reports: %v\n", c.name, err)
		status = max(status, statusError)
	}
	for _, c := range rep.Checks {
		mark := [...]string{report.CheckPassed: "ok  ", report.CheckSkipped: "n/a ", report.CheckMissed: "miss", report.CheckFailed: "FAIL"}[c.Result()]
		fmt.Fprintf(stdout, "%s %s: %s\n", mark, c.Name, c.Detail)
	}
	if len(rep.Real) > 0 || len(rep.Modules) > 0 {
		writeRatioTable(stdout, rep)
	}
	if status == statusOK && !rep.Passed() {
		status = statusFailed
	}
	fmt.Fprintf(stdout, "reproduction took %s; results in %s (see %s)\n",
		time.Since(start).Round(time.Second), inv, filepath.Join(inv, "summary.md"))
	return status
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
func writeRatioTable(w io.Writer, rep report.Reproduction) {
	rows := [][]string{{"stage", "run", "growth MiB", "ratio", "published", "peak MiB", "ratio", "published"}}
	add := func(label string, r report.ReproRow) {
		if !r.Found {
			rows = append(rows, []string{label, "missing", "—", "—", fmt.Sprintf("%.2f", r.Stage.GrowthRatio), "—", "—", fmt.Sprintf("%.2f", r.Stage.PeakRatio)})
			return
		}
		gr, pr := "—", "—"
		if r.HasRatios {
			gr, pr = fmt.Sprintf("%.2f", r.GrowthRatio), fmt.Sprintf("%.2f", r.PeakRatio)
		}
		rows = append(rows, []string{label, r.Run.Name(), fmt.Sprintf("%+.1f", mibSigned(r.Growth)), gr, fmt.Sprintf("%.2f", r.Stage.GrowthRatio),
			fmt.Sprintf("%.1f", mib(r.Peak)), pr, fmt.Sprintf("%.2f", r.Stage.PeakRatio)})
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

// writeFile writes text to a new or truncated file.
func writeFile(path, text string) error {
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
