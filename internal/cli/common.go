package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
)

// reportsRoot is where invocation folders go unless --out says otherwise.
const reportsRoot = "reports"

// stampLayout names output folders by their UTC creation time.
const stampLayout = "20060102T150405Z"

// runFlags are the flags shared by the subcommands that run scenarios.
type runFlags struct {
	out     string
	images  string
	workers int
	rounds  int
	quiet   bool
	timeout time.Duration

	profiles bool // --profiles: the child writes pprof profiles (runner.Options.NoProfiles)
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "out", "", "write results into `dir` (default reports/<UTC time>-<command>; an existing dir gets -2, -3, ...)")
	fs.StringVar(&f.images, "images", "", "use the PNG/JPEG images in `dir` instead of the generated workload images")
	fs.IntVar(&f.workers, "workers", 0, "override the worker count, a target's Config.Workers (bench: the workers of the builtin's per-worker topology) (`n` >= 1)")
	fs.IntVar(&f.rounds, "rounds", 0, "override the number of rounds (`n` >= 1)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress, only the results")
	fs.DurationVar(&f.timeout, "timeout", runner.DefaultTimeout, "wall-clock limit of each scenario run (`duration`)")
	fs.BoolVar(&f.profiles, "profiles", true, "write pprof profiles (Go heap, wasm linear memory) at the peak, the end of the load and after settle into each run's directory (docs/pprof.md)")
}

// check validates the flag values; it returns a usage error's text.
func (f *runFlags) check() error {
	switch {
	case f.workers < 0:
		return fmt.Errorf("--workers %d: want at least 1", f.workers)
	case f.rounds < 0:
		return fmt.Errorf("--rounds %d: want at least 1", f.rounds)
	case f.timeout <= 0:
		return fmt.Errorf("--timeout %v: want a positive duration", f.timeout)
	}
	if f.images != "" {
		st, err := os.Stat(f.images)
		if err != nil {
			return fmt.Errorf("--images: %w", err)
		}
		if !st.IsDir() {
			return fmt.Errorf("--images %s: not a directory", f.images)
		}
	}
	return nil
}

// apply overrides the scenario's fields the flags set and validates it
// again.
func (f *runFlags) apply(sc *scenario.Scenario) error {
	if f.images != "" {
		sc.Images = f.images
	}
	if f.workers > 0 {
		sc.Workers = f.workers
	}
	if f.rounds > 0 {
		sc.Rounds = f.rounds
	}
	if errs := sc.Validate(); len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

// invocationDir creates the folder of one invocation: dir, or
// reports/<UTC time>-<command> when dir is "". It never reuses an existing
// folder: it appends -2, -3, ... until the name is free.
func invocationDir(dir, command string, now time.Time) (string, error) {
	if dir == "" {
		dir = filepath.Join(reportsRoot, now.UTC().Format(stampLayout)+"-"+command)
	}
	return makeFresh(dir)
}

// makeFresh creates dir, or dir-2, dir-3, ... if it exists, and returns
// the one it created.
func makeFresh(dir string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	for i := 1; i < 1000; i++ {
		d := dir
		if i > 1 {
			d = dir + "-" + strconv.Itoa(i)
		}
		err := os.Mkdir(d, 0o755)
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("%s: too many folders of that name", dir)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressPrinter shows the progress of running scenarios: on a terminal
// one live line per scenario, rewritten in place; otherwise one plain
// key=value line per phase change and one at the end.
type progressPrinter struct {
	w        io.Writer
	terminal bool
	phase    results.Phase
	requests int  // completed requests on the last plain line
	live     bool // a live line is on screen
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	return &progressPrinter{w: w, terminal: isTerminal(w)}
}

// update is a runner.Options.Progress.
func (p *progressPrinter) update(pr runner.Progress) {
	if pr.Setup != "" {
		if p.terminal && p.live {
			fmt.Fprintln(p.w)
			p.live = false
		}
		fmt.Fprintf(p.w, "scenario=%s %s\n", pr.Scenario, pr.Setup)
		return
	}
	requests := strconv.Itoa(pr.Requests)
	if pr.Total > 0 {
		requests += "/" + strconv.Itoa(pr.Total)
	}
	if p.terminal {
		fmt.Fprintf(p.w, "\r\x1b[K%-16s %-8s requests %-9s rss %8.1f MiB  %6.1fs", pr.Scenario, pr.Phase, requests, mib(pr.RSS), pr.Elapsed.Seconds())
		p.live = true
		if pr.Done {
			fmt.Fprintf(p.w, "  %s\n", pr.Outcome)
			p.live = false
		}
		return
	}
	switch {
	case pr.Done:
		fmt.Fprintf(p.w, "scenario=%s outcome=%s requests=%s rss_mib=%.1f elapsed_s=%.1f\n", pr.Scenario, pr.Outcome, requests, mib(pr.RSS), pr.Elapsed.Seconds())
		p.phase = ""
	case pr.Phase != p.phase || pr.Phase == results.PhaseLoad && pr.Requests != p.requests:
		fmt.Fprintf(p.w, "scenario=%s phase=%s requests=%s rss_mib=%.1f elapsed_s=%.1f\n", pr.Scenario, pr.Phase, requests, mib(pr.RSS), pr.Elapsed.Seconds())
		p.phase = pr.Phase
	}
	p.requests = pr.Requests
}

// workload is a runner.Workloads progress function: the preparation of a
// workload in the parent before its first child, as a live line on a
// terminal (left on screen when it is ready), otherwise one key=value
// line when it begins and one when it is ready. The image counts appear
// once the workload's images are counted.
func (p *progressPrinter) workload(wp runner.WorkloadProgress) {
	name := wp.Workload
	if wp.Images != "" {
		name += " (images from " + wp.Images + ")"
	}
	state := "preparing"
	switch {
	case wp.Finished && wp.Err != nil:
		state = "failed"
	case wp.Finished:
		state = "ready"
	}
	if p.terminal {
		counts := fmt.Sprintf(", images %d/%d verified or generated", wp.Done, wp.Total)
		if wp.Total == 0 {
			counts = "" // not counted yet, or failed before
		}
		fmt.Fprintf(p.w, "\r\x1b[Kworkload %s: %s%s  %6.1fs", name, state, counts, wp.Elapsed.Seconds())
		p.live = true
		if wp.Finished {
			if wp.Generated > 0 {
				fmt.Fprintf(p.w, " (%d generated)", wp.Generated)
			}
			fmt.Fprintln(p.w)
			p.live = false
			printSourceProblems(p.w, wp)
		}
		return
	}
	if wp.Done > 0 && !wp.Finished {
		return
	}
	fmt.Fprintf(p.w, "workload=%s phase=%s", wp.Workload, state)
	if wp.Total > 0 { // the images are counted once the workload is found
		fmt.Fprintf(p.w, " images=%d/%d generated=%d", wp.Done, wp.Total, wp.Generated)
	}
	fmt.Fprintf(p.w, " elapsed_s=%.1f", wp.Elapsed.Seconds())
	if wp.Images != "" {
		fmt.Fprintf(p.w, " images_dir=%s", strconv.Quote(wp.Images))
	}
	if wp.Err != nil {
		fmt.Fprintf(p.w, " error=%s", strconv.Quote(wp.Err.Error()))
	}
	fmt.Fprintln(p.w)
	printSourceProblems(p.w, wp)
}

func mib(b uint64) float64 { return float64(b) / results.MiB }

func mibSigned(b int64) float64 { return float64(b) / results.MiB }

// writeFile writes text to a new or truncated file, with a final newline.
func writeFile(path, text string) error {
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
