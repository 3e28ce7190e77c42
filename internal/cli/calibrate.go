package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/scenario"
)

// Defaults of `bench gate --calibrate`, sized so that a calibration of
// the committed baseline's quick scenarios (quick-fixed and its control,
// about 10 s a run on a 2-core machine) takes about 10 minutes: 12
// unchanged runs of the stable scenario (220 trials of 3 against 9), the
// control's R runs, and 4 runs at each of 4 injected sizes: 31 runs.
const (
	defaultCalibrateRuns = 12
	defaultInjectRuns    = 4
	defaultLadder        = 4
	defaultFalseAlarm    = 0.01
)

// registerCalibrateFlags adds the calibration's flags and --inject-leak.
func registerCalibrateFlags(fs *flag.FlagSet, f *gateFlags) {
	fs.BoolVar(&f.Calibrate, "calibrate", false, "measure the gate's noise and power: run the stable scenarios unchanged and with injected leaks, choose thresholds for --false-alarm, and write them with a new baseline to --baseline")
	fs.IntVar(&f.CalibrateRuns, "calibrate-runs", defaultCalibrateRuns, "calibration: unchanged runs of each stable scenario (`U` >= 2R)")
	fs.IntVar(&f.InjectRuns, "inject-runs", defaultInjectRuns, "calibration: runs at each injected size (`K` >= R)")
	fs.Float64Var(&f.FalseAlarm, "false-alarm", defaultFalseAlarm, "calibration: the gate-wide false-alarm `rate` the thresholds are chosen for")
	fs.Func("inject-sizes", "calibration: the injected leaks per request, `SIZE,...` (default: from half the smallest threshold to twice the largest)", func(s string) error {
		f.InjectSizes = nil
		for _, part := range strings.Split(s, ",") {
			n, err := metric.ParseSize(part)
			if err != nil {
				return err
			}
			if n == 0 {
				return errors.New("a size of zero injects nothing")
			}
			f.InjectSizes = append(f.InjectSizes, n)
		}
		return nil
	})
	fs.IntVar(&f.Trials, "trials", 0, "also judge every choice of `K` of the R runs as a gate of K runs, and count the failures: the false-alarm rate (or, with --inject-leak, the power) on these runs")
	sizeFlag(fs, &f.InjectLeak, "inject-leak", "inject a known leak of `SIZE` per request into every stable scenario (any Go target; not exec), to see whether the gate catches it", "a size of zero injects nothing")
}

// checkCalibrateFlags checks the calibration's flags against the others.
func checkCalibrateFlags(prog progName, fs *flag.FlagSet, f *gateFlags, stderr io.Writer) (status int, done bool) {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if !f.Calibrate {
		if f.BaseBin != "" && f.InjectLeak > 0 {
			return usageError(stderr, prog, "gate", "--inject-leak does not apply to --base-bin: inject the leak into a scenario of the head build (inject_leak)"), true
		}
		if f.Trials != 0 && (f.Trials < 1 || f.Trials >= f.Runs) {
			return usageError(stderr, prog, "gate", "--trials %d: want from 1 to --runs - 1 (%d)", f.Trials, f.Runs-1), true
		}
		if f.Update && f.InjectLeak > 0 {
			return usageError(stderr, prog, "gate", "--inject-leak with --update-baseline would write a baseline of leaking code: drop one of them"), true
		}
		for _, name := range []string{"calibrate-runs", "inject-runs", "inject-sizes", "false-alarm"} {
			if set[name] {
				return usageError(stderr, prog, "gate", "--%s applies to --calibrate only", name), true
			}
		}
		return 0, false
	}
	switch {
	case f.BaseBin != "":
		return usageError(stderr, prog, "gate", "--calibrate does not apply to --base-bin: the A/B gate reports its power itself"), true
	case f.Update:
		return usageError(stderr, prog, "gate", "--calibrate writes the baseline itself: drop --update-baseline"), true
	case f.InjectLeak > 0:
		return usageError(stderr, prog, "gate", "--calibrate injects its own leaks: drop --inject-leak"), true
	case f.CalibrateRuns < 2*f.Runs:
		return usageError(stderr, prog, "gate", "--calibrate-runs %d: want at least twice --runs (%d): a trial compares %d runs with as many others", f.CalibrateRuns, 2*f.Runs, f.Runs), true
	case f.InjectRuns < f.Runs:
		return usageError(stderr, prog, "gate", "--inject-runs %d: want at least --runs (%d): a trial takes the median of %d injected runs", f.InjectRuns, f.Runs, f.Runs), true
	case !(f.FalseAlarm > 0 && f.FalseAlarm < 1):
		return usageError(stderr, prog, "gate", "--false-alarm %g: want a rate between 0 and 1, such as 0.01", f.FalseAlarm), true
	}
	return 0, false
}

// canInject reports whether a leak can be injected into every stable
// scenario; an exec target can't, and that is reported on stderr.
func (g gateCmd) canInject(scs []scenario.Scenario) bool {
	for _, sc := range scs {
		if sc.Expect == metric.ExpectStable && len(sc.Exec) > 0 {
			fmt.Fprintf(g.stderr, "%s gate: scenario %s runs an exec target (%s): it can't inject a leak, since its program runs instead of leakbench's child; calibrate a Go target (builtin, harness or targets/)\n", g.prog, sc.Name, sc.Exec[0])
			return false
		}
	}
	return true
}

// calibrateMain is `bench gate --calibrate`: it runs the stable scenarios
// unchanged CalibrateRuns times and the leaky controls R times, chooses
// the thresholds (gate.CalibrateNoise), runs the stable scenarios again
// InjectRuns times at each injected size, measures the power
// (Calibration.MeasurePower), and writes the new baseline with the
// calibrations, under the update policy of --update-baseline.
func (g gateCmd) calibrateMain(ctx context.Context, f gateFlags) int {
	scs, ok := g.scenarios(f)
	if !ok {
		return StatusError
	}
	if !g.canInject(scs) {
		return StatusError
	}
	dir, ok := g.prepare(ctx, f.Out, "-calibrate", scs)
	if !ok {
		return StatusError
	}
	start := g.now()

	// Step 1: unchanged runs, and the thresholds they allow.
	plans := planRuns(scs, f.Runs, func(p *runPlan) { p.runs = f.CalibrateRuns })
	ms, runs := g.runBatch(ctx, dir, plans)
	cals, err := gate.CalibrateNoise(ms, gate.CalibrateConfig{GateRuns: f.Runs, FalseAlarm: f.FalseAlarm, Defaults: gate.DefaultThresholds()})
	if err != nil {
		fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
		return StatusError
	}

	// Step 2: injected leaks of increasing size, and the power.
	var inj []runPlan
	sizes := map[string][]uint64{}
	for _, sc := range scs {
		c := cals[sc.Name]
		if c == nil {
			continue
		}
		sizes[sc.Name] = f.InjectSizes
		if sizes[sc.Name] == nil {
			sizes[sc.Name] = c.Ladder(defaultLadder)
		}
		for _, size := range sizes[sc.Name] {
			inj = append(inj, runPlan{sc: sc, inject: size, runs: f.InjectRuns, label: fmt.Sprintf("%s-inject-%dKiB", sc.Name, size/1024)})
		}
	}
	fmt.Fprintf(g.stderr, "%s gate: thresholds chosen; injecting leaks: %s\n", g.prog, describeSizes(scs, sizes))
	injMs, injRuns := g.runBatch(ctx, dir, inj)
	for label, r := range injRuns {
		runs[label] = r
	}
	for _, sc := range scs {
		c := cals[sc.Name]
		if c == nil {
			continue
		}
		var injected []gate.Injected
		for _, m := range injMs {
			if m.Scenario == sc.Name {
				if len(m.Failures) > 0 {
					fmt.Fprintf(g.stderr, "%s gate: calibrating %s with %s injected: %d run(s) failed, first: %v\n", g.prog, sc.Name, metric.FormatSize(m.Injected), len(m.Failures), m.Failures[0])
					return StatusError
				}
				injected = append(injected, gate.Injected{PerRequest: m.Injected, Runs: m.Runs})
			}
		}
		if err := c.MeasurePower(unchangedRuns(ms, sc.Name), injected); err != nil {
			fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
			return StatusError
		}
	}
	elapsed := g.now().Sub(start)

	// Step 3: the new baseline, of the unchanged runs, with the
	// calibrations, under --update-baseline's policy.
	f.Update = true
	base, _ := gate.Load(f.Baseline)
	d := decide(base, ms, f, g.now())
	if d.measured != nil {
		for name, c := range cals {
			sb := d.measured.Scenarios[name]
			sb.Calibration = c
			d.measured.Scenarios[name] = sb
		}
	}
	for i := range d.report.Scenarios {
		s := &d.report.Scenarios[i]
		s.Calibration = cals[s.Name]
	}
	var names []string
	for _, sc := range scs {
		names = append(names, sc.Name)
	}
	status := g.publish(d, f, gateMeasured{base: base, ms: ms, runs: runs, dir: dir})
	fmt.Fprintln(g.stdout)
	if err := gate.WriteCalibration(g.stdout, names, cals); err != nil {
		fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
		status = max(status, StatusError)
	}
	fmt.Fprintf(g.stdout, "calibration: %d run(s) in %.0fs\n", countRuns(ms)+countRuns(injMs), elapsed.Seconds())
	for _, e := range []error{
		writeGateFile(filepath.Join(dir, "calibration.txt"), func(w io.Writer) error { return gate.WriteCalibration(w, names, cals) }),
		writeGateFile(filepath.Join(dir, "calibration.md"), func(w io.Writer) error { return gate.WriteCalibrationMarkdown(w, names, cals) }),
	} {
		if e != nil {
			fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, e)
			status = max(status, StatusError)
		}
	}
	return status
}

// printTrials judges every choice of f.Trials of the gate's runs as a
// gate of that many runs, and prints how many failed and why.
func (g gateCmd) printTrials(m gateMeasured, f gateFlags) {
	if m.base == nil {
		return
	}
	res, err := gate.Trials(m.base, m.ms, gate.Config{Thresholds: gate.DefaultThresholds(), BaselineName: f.Baseline, UpdateCommand: f.UpdateCommand}, f.Trials)
	if err != nil {
		fmt.Fprintf(g.stderr, "%s gate: %v\n", g.prog, err)
		return
	}
	fmt.Fprintf(g.stdout, "\ntrials: %d gates of %d runs drawn from the %d runs: %d failed\n", res.Trials, res.K, res.N, res.Failed)
	whys := make([]string, 0, len(res.Why))
	for why := range res.Why {
		whys = append(whys, why)
	}
	slices.Sort(whys)
	for _, why := range whys {
		fmt.Fprintf(g.stdout, "  %d× %s\n", res.Why[why], why)
	}
}

// unchangedRuns returns the runs of the named scenario's measurement.
func unchangedRuns(ms []gate.Measurement, name string) []results.Summary {
	for _, m := range ms {
		if m.Scenario == name {
			return m.Runs
		}
	}
	return nil
}

// countRuns counts the runs that produced a summary.
func countRuns(ms []gate.Measurement) int {
	n := 0
	for _, m := range ms {
		n += len(m.Runs)
	}
	return n
}

// describeSizes renders the injected sizes per scenario for progress.
func describeSizes(scs []scenario.Scenario, sizes map[string][]uint64) string {
	var parts []string
	for _, sc := range scs {
		if s, ok := sizes[sc.Name]; ok {
			var txt []string
			for _, n := range s {
				txt = append(txt, metric.FormatSize(n))
			}
			parts = append(parts, sc.Name+" "+strings.Join(txt, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// sizeFlag defines the flag name of a size ("256KiB", metric.ParseSize)
// stored in dst, refusing zero with the message zero.
func sizeFlag(fs *flag.FlagSet, dst *uint64, name, usage, zero string) {
	fs.Func(name, usage, func(s string) error {
		n, err := metric.ParseSize(s)
		if err == nil && n == 0 {
			err = errors.New(zero)
		}
		*dst = n
		return err
	})
}
