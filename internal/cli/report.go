package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
)

var reportHelp = help{
	usage: "bench report [flags] RESULTS_DIR...",
	description: `
Redraw the plots and markdown of saved runs without running anything.
Each RESULTS_DIR is a run folder (holding summary.json) or an invocation
folder holding run folders. Each run's plot is redrawn in its own folder;
the overlay, summary.md and index.md (and the grid and the analysis of a
set of runs the program recognises: bench's reproduction) go to --out,
which defaults to the one invocation folder given, or else to a new
reports/<UTC time>-report.`,
	examples: []string{
		"# redraw an earlier invocation's reports in place",
		"bench report reports/20260101T120000Z-run",
		"# compare runs of two invocations on one overlay",
		"bench report --out /tmp/cmp reports/A/{stable} reports/B/{stable}",
	},
}

func (c cli) doReport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report")
	out := fs.String("out", "", "write the overlay, grid, summary.md and index.md into `dir`")
	if status, done := parseFlags(c.name, fs, reportHelp.withScenarios(c.exampleScenarios()), args, stdout, stderr); done {
		return status
	}
	if fs.NArg() == 0 {
		return usageError(stderr, c.name, "report", "no RESULTS_DIR given")
	}
	var dirs []string
	for _, arg := range fs.Args() {
		found, err := runDirs(arg)
		if err != nil {
			fmt.Fprintf(stderr, "%s report: %v\n", c.name, err)
			return StatusError
		}
		dirs = append(dirs, found...)
	}
	var runs []report.Run
	for _, d := range dirs {
		r, err := report.Load(d)
		if err != nil {
			fmt.Fprintf(stderr, "%s report: %v\n", c.name, err)
			return StatusError
		}
		runs = append(runs, r)
	}
	dest := *out
	switch {
	case dest != "":
		if err := os.MkdirAll(dest, 0o755); err != nil {
			fmt.Fprintf(stderr, "%s report: %v\n", c.name, err)
			return StatusError
		}
	case fs.NArg() == 1 && !isRunDir(fs.Arg(0)):
		dest = fs.Arg(0)
	default:
		var err error
		if dest, err = invocationDir("", "report", time.Now()); err != nil {
			fmt.Fprintf(stderr, "%s report: %v\n", c.name, err)
			return StatusError
		}
	}
	title := "leakbench report"
	var rep Analysis
	if c.reproduction != nil {
		if r, t := c.reproduction(runs); r != nil {
			rep, title = r, t
		}
	}
	if err := writeReports(dest, runs, rep, title); err != nil {
		fmt.Fprintf(stderr, "%s report: %v\n", c.name, err)
		return StatusError
	}
	fmt.Fprintf(stdout, "%d run(s); reports in %s\n", len(runs), dest)
	return StatusOK
}

// isRunDir reports whether dir holds a run's summary.
func isRunDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, results.SummaryFile))
	return err == nil
}

// runDirs returns dir itself if it is a run folder, else its immediate
// subfolders that are, sorted.
func runDirs(dir string) ([]string, error) {
	if isRunDir(dir) {
		return []string{dir}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if d := filepath.Join(dir, e.Name()); e.IsDir() && isRunDir(d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no run here (no %s in it or its subfolders): %w", dir, results.SummaryFile, fs.ErrNotExist)
	}
	return out, nil
}
