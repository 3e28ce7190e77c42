package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/driver"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/sampler"
	"github.com/leakbench/leakbench/internal/scenario"
	"github.com/leakbench/leakbench/internal/workload"
)

// The environment of an exec target (docs/exec-protocol.md).
const (
	// EventsFDVar names the variable holding the number of the descriptor
	// the program writes its events to.
	EventsFDVar = "LEAKBENCH_EVENTS_FD"
	// PlanVar names the variable holding the path of the plan file.
	PlanVar = "LEAKBENCH_PLAN"
	// CacheVar names the variable holding leakbench's cache folder, the
	// folder that scenario.CacheVar in a command line stands for.
	CacheVar = "LEAKBENCH_CACHE"
	// AcksVar names the variable that says how the parent acknowledges
	// the program's phase and round events: "stdin", one newline there
	// per event once it has sampled the program.
	AcksVar = "LEAKBENCH_ACKS"
)

// PlanFile is the plan of an exec target, written into the run's
// directory.
const PlanFile = "plan.json"

// Limits of an exec target's event stream.
const (
	// MaxEventLine is the longest event line, newline included; a longer
	// one is dropped and counted.
	MaxEventLine = 64 << 10
	// MaxEvents is how many events of a run are kept and written to
	// events.jsonl; past it, events other than phase, round and error are
	// dropped and counted, so a program that floods its pipe can't fill
	// the parent's memory or the disk.
	MaxEvents = 200_000
	// quotedBadLines is how many malformed or oversized lines the
	// summary's warnings quote.
	quotedBadLines = 3
)

// Plan is the work an exec target is asked to do: the workload's request
// list for every round, with absolute source paths, and the scenario's
// settings. The program may follow it or ignore it.
type Plan struct {
	Scenario    string        `json:"scenario"`
	Workload    string        `json:"workload"`
	Rounds      int           `json:"rounds"`
	InFlight    int           `json:"in_flight"`
	IdleSeconds float64       `json:"idle_seconds"`
	Workers     int           `json:"workers"`
	Requests    []PlanRequest `json:"requests"`
}

// PlanRequest is one request of a Plan.
type PlanRequest struct {
	ID      int    `json:"id"`     // from 1, unique over the plan
	Round   int    `json:"round"`  // from 1
	Source  string `json:"source"` // absolute path of the source image
	Width   int    `json:"width"`
	Format  string `json:"format"`  // png, jpeg or webp
	Quality int    `json:"quality"` // 1-100 for jpeg and webp; the zlib level 0-9 for png
	Rotate  int    `json:"rotate"`  // 0, 90, 180 or 270, clockwise
}

// buildPlan lists the requests of the scenario's prepared workload for
// every round.
func buildPlan(sc scenario.Scenario, w *workload.Workload, rounds, inFlight, workers int) (Plan, error) {
	p := Plan{
		Scenario: sc.Name, Workload: w.Name, Rounds: rounds, InFlight: inFlight,
		IdleSeconds: sc.Idle.Seconds(), Workers: workers,
	}
	for round := 1; round <= rounds; round++ {
		for _, r := range w.Requests {
			src, err := filepath.Abs(w.Images[r.Image].Path)
			if err != nil {
				return Plan{}, fmt.Errorf("runner: the plan of %s: %w", sc.Name, err)
			}
			p.Requests = append(p.Requests, PlanRequest{
				ID: len(p.Requests) + 1, Round: round, Source: src,
				Width: r.Width, Format: r.Format.String(), Quality: r.Quality, Rotate: r.Rotate,
			})
		}
	}
	return p, nil
}

// writePlan writes the plan as dir/PlanFile and returns its absolute path.
func writePlan(dir string, p Plan) (string, error) {
	b, err := json.MarshalIndent(p, "", " ")
	if err != nil {
		return "", fmt.Errorf("runner: encoding the plan: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, PlanFile))
	if err != nil {
		return "", fmt.Errorf("runner: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("runner: writing the plan: %w", err)
	}
	return path, nil
}

// expandCommand replaces scenario.CacheVar in every word of argv.
func expandCommand(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = strings.ReplaceAll(a, scenario.CacheVar, cacheRoot())
	}
	return out
}

// findProgram resolves the program of a command line as os/exec would
// and turns its failures into errors that say what to do; what names the
// command ("exec" or "setup").
func findProgram(what, prog string) (string, error) {
	path, err := exec.LookPath(prog)
	if err == nil {
		if st, serr := os.Stat(path); serr == nil && st.IsDir() {
			return "", fmt.Errorf("%s: %s is a directory, not a program", what, prog)
		}
		return path, nil
	}
	hasDir := strings.ContainsRune(prog, '/') || strings.ContainsRune(prog, filepath.Separator)
	st, serr := os.Stat(prog)
	switch {
	case !hasDir && errors.Is(err, exec.ErrNotFound):
		return "", fmt.Errorf("%s: program %q not found on PATH", what, prog)
	case errors.Is(serr, fs.ErrNotExist):
		wd, _ := os.Getwd()
		return "", fmt.Errorf("%s: program %s: no such file (relative paths are taken from the current directory, %s)", what, prog, wd)
	case serr == nil && st.IsDir():
		return "", fmt.Errorf("%s: %s is a directory, not a program", what, prog)
	case serr == nil && st.Mode()&0o111 == 0, errors.Is(err, fs.ErrPermission):
		return "", fmt.Errorf("%s: %s is not executable (mode %v): chmod +x it, or run it through its interpreter, e.g. [sh, %s]", what, prog, st.Mode().Perm(), prog)
	}
	return "", fmt.Errorf("%s: program %s: %w", what, prog, err)
}

// runSetup runs the scenario's setup command to completion, its output
// appended to log, within the run's time limit.
func runSetup(ctx context.Context, argv []string, log io.Writer, timeout time.Duration) error {
	prog, err := findProgram("setup", argv[0])
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fmt.Fprintf(log, "leakbench: setup: %s\n", strings.Join(argv, " "))
	var out strings.Builder
	cmd := exec.CommandContext(ctx, prog, argv[1:]...)
	cmd.Stdout = io.MultiWriter(log, &out)
	cmd.Stderr = cmd.Stdout
	cmd.Env = append(os.Environ(), CacheVar+"="+cacheRoot())
	if err := cmd.Run(); err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("setup %s: not done within %v", strings.Join(argv, " "), timeout)
		}
		msg := fmt.Sprintf("setup %s: %v", strings.Join(argv, " "), err)
		if tail := lastLines(out.String(), 5); tail != "" {
			msg += ": " + tail
		}
		return errors.New(msg)
	}
	return nil
}

// execEnv is what an exec target finds in its environment beside the
// parent's: the events descriptor, the plan and the cache folder.
func execEnv(plan string) []string {
	return []string{
		EventsFDVar + "=" + strconv.Itoa(3),
		PlanVar + "=" + plan,
		CacheVar + "=" + cacheRoot(),
		AcksVar + "=stdin",
	}
}

// maxPendingAcks bounds the acknowledgements queued for a program that
// does not read its stdin; past it they are dropped.
const maxPendingAcks = 1024

// startAcks starts the writer of an exec target's acknowledgements: one
// AckLine on w per token sent. It never blocks the parent: a program that
// does not read stdin fills the pipe, the writer waits, and the parent's
// tokens queue up to maxPendingAcks and are dropped past it; the writer
// ends when the program closes or exits.
func startAcks(w io.WriteCloser) chan<- struct{} {
	acks := make(chan struct{}, maxPendingAcks)
	go func() {
		defer w.Close()
		for range acks {
			if _, err := io.WriteString(w, driver.AckLine); err != nil {
				for range acks { // the program is gone: discard
				}
				return
			}
		}
	}()
	return acks
}

// ack acknowledges an exec target's phase or round event.
func (p *parent) ack() {
	select {
	case p.acks <- struct{}{}:
	default:
	}
}

// quote shortens a bad event line for a warning.
func quote(line []byte) string {
	const keep = 120
	s := strings.TrimRight(string(line), "\n")
	if len(s) > keep {
		return strconv.Quote(s[:keep]) + fmt.Sprintf("... (%d bytes)", len(line))
	}
	return strconv.Quote(s)
}

// prepareExec runs an exec target's setup, finds its program, writes its
// plan, and returns its command line and the environment it adds.
func (p *parent) prepareExec(ctx context.Context, log io.Writer, w *workload.Workload) ([]string, []string, error) {
	argv := expandCommand(p.sc.Exec)
	if len(p.sc.Setup) > 0 {
		setup := expandCommand(p.sc.Setup)
		p.setupProgress("running setup: " + strings.Join(setup, " "))
		start := time.Now()
		if err := runSetup(ctx, setup, log, p.timeout()); err != nil {
			return nil, nil, fmt.Errorf("runner: %w", err)
		}
		p.setupProgress(fmt.Sprintf("setup done in %.1fs", time.Since(start).Seconds()))
	}
	prog, err := findProgram("exec", argv[0])
	if err != nil {
		return nil, nil, fmt.Errorf("runner: %w", err)
	}
	p.program = "the program " + filepath.Base(argv[0])
	plan, err := buildPlan(p.sc, w, p.spec.Rounds, p.spec.InFlight, p.spec.Workers)
	if err != nil {
		return nil, nil, err
	}
	p.total = len(plan.Requests)
	path, err := writePlan(p.opts.OutDir, plan)
	if err != nil {
		return nil, nil, err
	}
	return append([]string{prog}, argv[1:]...), execEnv(path), nil
}

// setupProgress shows one line about the setup command.
func (p *parent) setupProgress(line string) {
	if p.opts.Progress != nil {
		p.opts.Progress(Progress{Scenario: p.sc.Name, Setup: line})
	}
}

// newReader sets p.read to the sampler of the child pid: its RSS and
// VmHWM, and for an exec target its tree's PSS.
func (p *parent) newReader(pid int) error {
	if !p.exec {
		newSampler := p.opts.NewSampler
		if newSampler == nil {
			newSampler = func(pid int) (Sampler, error) { return sampler.New(pid) }
		}
		s, err := newSampler(pid)
		if err != nil {
			return err
		}
		p.read = func(bool) (reading, error) {
			rss, hwm, err := s.Sample()
			return reading{rss: rss, hwm: hwm}, err
		}
		return nil
	}
	newTree := p.opts.NewTreeSampler
	if newTree == nil {
		newTree = func(pid int) (TreeSampler, error) { return sampler.NewTree(pid, sampler.PSSEvery) }
	}
	t, err := newTree(pid)
	if err != nil {
		return err
	}
	p.read = func(fresh bool) (reading, error) {
		read := t.Sample
		if fresh {
			read = t.SampleFresh
		}
		s, err := read()
		return reading{rss: s.RSS, hwm: s.HWM, pss: s.PSS, procs: s.Processes}, err
	}
	return nil
}

// quoteBad keeps the first few bad lines for the summary's warnings.
func (p *parent) quoteBad(q string) {
	if len(p.quoted) < quotedBadLines {
		p.quoted = append(p.quoted, q)
	}
}

// execWarnings says what an exec target that exited 0 left unreported.
func (p *parent) execWarnings() {
	switch {
	case len(p.events) == 0:
		p.warns = append(p.warns, fmt.Sprintf("%s reported no events (descriptor %s=3): its figures come from the parent's samples alone", p.program, EventsFDVar))
	case p.sawPhase && !p.sawDone:
		p.warns = append(p.warns, fmt.Sprintf("%s exited 0 in phase %s without reporting done", p.program, p.phase))
	}
}

// relabelSilent labels every sample but the first of a program that
// reported no phase as the load phase, so that its start is the baseline
// and its exit the end of load, and rewrites the time series files.
func (p *parent) relabelSilent() {
	for i := 1; i < len(p.samples); i++ {
		p.samples[i].Phase = results.PhaseLoad
	}
	p.warns = append(p.warns, fmt.Sprintf("%s reported no phases: its first sample (at start, %.1f MiB) is the baseline and its last (at exit) the end of load",
		p.program, mib(p.samples[0].RSS)))
	if err := results.RewriteSamples(p.opts.OutDir, p.samples); err != nil {
		p.warns = append(p.warns, "relabelling the samples: "+err.Error())
	}
}
