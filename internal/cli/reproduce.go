package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/idlegc"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/scenario"
)

// quickWorkload is the workload of `bench reproduce --quick`, and
// quickIdle the longest idle phase it keeps: the idle phases would
// otherwise be most of its wall time. 10 s leaves V8's memory reducer
// (idle_gc: v8) its 8 s wait and its collections 500 ms apart.
const (
	quickWorkload = "quick"
	quickIdle     = idlegc.LongDelay + 2*time.Second
)

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

The default workload takes minutes and gigabytes (the "before" stage is
meant to reach several GiB); --quick uses the quick workload instead, with
idle phases of at most 10s (enough for the memory reducer's 8s wait).
Exit 1 if a run hit its RSS cap or a required check fails (growth and
peak strictly falling from before to fixed, the fixed stage returning near
its baseline), 2 if a run crashed. Growth ratios within 0.10 of the
published ones are an aim, reported as "miss" when they are not.`,
	examples: []string{
		"# the full reproduction (minutes; several GiB of RAM for the before stage)",
		"bench reproduce",
		"# a quick one on a laptop or CI runner",
		"bench reproduce --quick",
		"# on your own images, into a folder of your choice",
		"bench reproduce --images ~/photos --out /tmp/repro",
	},
}

func (c cli) doReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("reproduce")
	var f runFlags
	f.register(fs)
	quick := fs.Bool("quick", false, "use the quick workload (six ~2 MP PNGs, idle phases of at most 10s) instead of the default one")
	if status, done := parseFlags(fs, reproduceHelp, args, stdout, stderr); done {
		return status
	}
	if err := f.check(); err != nil {
		return usageError(stderr, "reproduce", "%v", err)
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "reproduce", "unexpected arguments %q (the stages are fixed; use bench run for others)", fs.Args())
	}
	var scs []scenario.Scenario
	for _, name := range engine.Presets() {
		sc, err := c.find(name)
		if err != nil {
			fmt.Fprintf(stderr, "bench reproduce: stage %s: %v\n", name, err)
			return statusError
		}
		if *quick {
			sc.Workload = quickWorkload
			sc.Idle = min(sc.Idle, quickIdle)
		}
		if err := f.apply(&sc); err != nil {
			fmt.Fprintf(stderr, "bench reproduce: scenario %s: %v\n", sc.Name, err)
			return statusError
		}
		scs = append(scs, sc)
	}
	start := time.Now()
	inv, runs, status := runAll(ctx, "reproduce", scs, f, stdout, stderr)
	if inv == "" {
		return status
	}
	title := "Reproduction of Next.js PR 23565"
	if *quick {
		title += " (quick workload)"
	}
	if err := writeReports(inv, runs, true, title); err != nil {
		fmt.Fprintf(stderr, "bench reproduce: reports: %v\n", err)
		status = max(status, statusError)
	}
	rep := report.Reproduce(runs)
	for _, c := range rep.Checks {
		mark := "ok  "
		switch {
		case !c.Checked:
			mark = "n/a "
		case !c.OK && c.Aim:
			mark = "miss"
		case !c.OK:
			mark = "FAIL"
		}
		fmt.Fprintf(stdout, "%s %s: %s\n", mark, c.Name, c.Detail)
	}
	if status == statusOK && !rep.Passed() {
		status = statusFailed
	}
	fmt.Fprintf(stdout, "reproduction took %s; results in %s (see %s)\n",
		time.Since(start).Round(time.Second), inv, filepath.Join(inv, "summary.md"))
	return status
}

// writeFile writes text to a new or truncated file.
func writeFile(path, text string) error {
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
