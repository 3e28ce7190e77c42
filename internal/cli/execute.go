package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
	"github.com/leakbench/leakbench/internal/scenario"
)

// job is one run a command has planned: a scenario, the folder it runs
// into, and the child that runs it.
type job struct {
	sc  scenario.Scenario
	dir string
	// fresh makes the folder unique (dir-2, dir-3, ... when dir exists,
	// makeFresh) before the run; otherwise the runner creates dir.
	fresh bool
	// command is the child's command line: another build's (the A/B
	// gate's base); nil runs this program's own child.
	command []string
}

// outcome is what a job became: the run as the runner returned it (its
// Dir is the folder it ran into), and err when it was not run (the
// context was done first, or its folder could not be made: notRun) or
// the runner could not measure it (its summary says as much as is known).
type outcome struct {
	run    results.Run
	err    error
	notRun bool
}

// incomplete returns why the outcome is not a completed run: its error,
// or an outcome other than completed; nil for a completed run.
func (o outcome) incomplete() error {
	switch {
	case o.err != nil:
		return o.err
	case o.run.Summary.Outcome != results.OutcomeCompleted:
		return fmt.Errorf("%s: %s", o.run.Summary.Outcome, o.run.Summary.Error)
	}
	return nil
}

// executor is the one place where the commands (run, reproduce, compare,
// gate, the A/B gate, calibration) start runs: each plans its jobs, and
// the executor runs them one at a time, in the plan's order, through the
// runner, with the settings every run of the command shares.
type executor struct {
	// run runs one scenario once; runner.Run in production.
	run       func(ctx context.Context, sc scenario.Scenario, opts runner.Options) (results.Run, error)
	workloads *runner.Workloads     // prepared before the first job
	timeout   time.Duration         // each run's time limit; 0: the runner's default
	progress  func(runner.Progress) // the progress printer's, or nil
	profiles  bool                  // write pprof profiles
}

// execute runs the jobs in order. Before each run, starting(i) is called
// (nil: nothing; a command prints its progress line there); after each
// job, done(i, o), which returns false to stop before the next. A job
// reached once ctx is done is not run: its outcome's err says so.
func (x executor) execute(ctx context.Context, jobs []job, starting func(i int), done func(i int, o outcome) bool) {
	for i, j := range jobs {
		o := x.one(ctx, j, func() {
			if starting != nil {
				starting(i)
			}
		})
		if !done(i, o) {
			return
		}
	}
}

// one runs a job, calling starting just before the run.
func (x executor) one(ctx context.Context, j job, starting func()) outcome {
	if ctx.Err() != nil {
		return outcome{run: results.Run{Dir: j.dir}, err: fmt.Errorf("not run: %w", context.Cause(ctx)), notRun: true}
	}
	dir := j.dir
	if j.fresh {
		var err error
		if dir, err = makeFresh(dir); err != nil {
			return outcome{run: results.Run{Dir: j.dir}, err: err, notRun: true}
		}
	}
	starting()
	run, err := x.run(ctx, j.sc, runner.Options{
		OutDir: dir, Timeout: x.timeout, Progress: x.progress, Workloads: x.workloads,
		NoProfiles: !x.profiles, Command: j.command,
	})
	run.Dir = dir
	return outcome{run: run, err: err}
}
