// Package runner runs one scenario in a child process and measures it from
// outside.
//
// It owns the parent's side of a run: resolving the scenario into the
// child's spec (driver.Spec), preparing its workload before the child
// starts (Workloads), starting the child (this executable with the
// hidden ChildCommand), sampling its RSS and VmHWM at the scenario's
// interval, merging the child's event stream (phases, rounds, snapshots of
// the engine and the Go heap) into every sample, answering the child's
// phase barriers, enforcing the RSS cap and the wall-clock limit, and
// recording how the child ended: completed, crashed, killed by a signal,
// killed for exceeding its RSS cap, interrupted, or timed out.
//
// It leaves to others what is not supervision: what runs inside the child
// is package driver; the files of a run (written as the samples and events
// arrive, and summary.json at the end) and the figures of its summary are
// package results; verdicts on a run are the commands' and the gate's.
package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/leakbench/leakbench/internal/driver"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/sampler"
	"github.com/leakbench/leakbench/internal/scenario"
	"github.com/leakbench/leakbench/internal/workload"
)

// Sampler reads the memory of the child process: its resident set size and
// the kernel's high-water mark of it, in bytes. *sampler.Sampler is the
// real one; tests inject fakes through Options.NewSampler.
type Sampler interface {
	Sample() (rss, hwm uint64, err error)
}

// TreeSampler reads the memory of an exec target's process tree: the main
// process's RSS and VmHWM at every call, the tree's PSS less often, and
// always with SampleFresh. *sampler.TreeSampler is the real one.
type TreeSampler interface {
	Sample() (sampler.TreeSample, error)
	SampleFresh() (sampler.TreeSample, error)
}

// Options says how to run a scenario.
type Options struct {
	// OutDir is the run's directory: it is created, and must not hold a
	// run already. The four files of package results (and ChildLog) go
	// there.
	OutDir string

	// Command is the child's command line; nil runs this executable with
	// the ChildCommand subcommand.
	Command []string
	// Env is added to the child's environment (after GOGC and GOMEMLIMIT
	// are set from the scenario).
	Env []string

	// Timeout is the wall-clock limit of the run; 0 means DefaultTimeout.
	Timeout time.Duration

	// Progress, if set, is called from Run's goroutine at every phase
	// change, every sample, and once at the end (Done set).
	Progress func(Progress)

	// NewSampler returns the sampler of the child; nil means sampler.New.
	NewSampler func(pid int) (Sampler, error)
	// NewTreeSampler returns the sampler of an exec target's tree; nil
	// means sampler.NewTree with sampler.PSSEvery.
	NewTreeSampler func(pid int) (TreeSampler, error)
	// MaxEvents is how many events are kept before all but phase, round
	// and error events are dropped; 0 means MaxEvents.
	MaxEvents int

	// NoProfiles turns off the pprof profiles a Go child writes into
	// OutDir at the landmarks (heap, and linear memory for a target that
	// lists its memories; see driver's profiles.go and
	// results.Summary.Profiles). An exec target writes none either way.
	NoProfiles bool

	// Workloads prepares the scenario's workload in this process before
	// the child starts (generated if missing, verified); nil means a new
	// one without progress. Share one across the runs of a command, so
	// that each workload is verified and hashed once.
	Workloads *Workloads
}

// Progress is the state of a running scenario, for display.
type Progress struct {
	Scenario string
	// Setup, when set, is a line about an exec scenario's setup command
	// (starting, done), sent before the child starts; the other fields
	// but Scenario are then zero.
	Setup    string
	Phase    results.Phase
	Requests int // completed so far
	Total    int // requests the run will make; 0 while unknown
	RSS      uint64
	Elapsed  time.Duration
	Done     bool
	Outcome  results.Outcome // set when Done
}

// Run runs the scenario in a child process, writes its results into
// opts.OutDir, and returns the run: its directory, its summary (the one
// written to summary.json), and every sample and event, as written. The
// summary records how the child ended, and Run returns no error for a
// child that crashed, was killed, or timed out. Run returns an error only
// when it could not measure at all (bad directory, no executable) or could
// not write its files; the run then still holds as much as is known.
//
// When ctx is done (Ctrl-C), the child is killed and the summary says
// OutcomeInterrupted.
//
// A scenario with Exec runs that program as the child instead (see
// docs/exec-protocol.md): the parent runs its Setup first, writes the
// plan, samples the whole process tree (PSS, in Sample.PSS and
// Summary.PSS) beside the main process's RSS, and bounds what it reads
// from the program (MaxEventLine, MaxEvents). A program that can't be
// started (not found, not executable) is an error naming it; one that
// starts and fails is a run whose summary says so.
func Run(ctx context.Context, sc scenario.Scenario, opts Options) (results.Run, error) {
	if opts.Workloads == nil {
		opts.Workloads = NewWorkloads(nil)
	}
	sp, warns, specErr := resolve(sc)
	env, envWarns := parentEnv(sc, opts.Workloads, len(opts.Command) == 0)
	warns = append(warns, envWarns...)
	run := results.Run{Dir: opts.OutDir, Summary: results.Summary{
		Scenario: sc.Name,
		Target:   otherTarget(sc),
		Workload: sc.Workload,
		Strategy: sc.ResultsStrategy(),
		Rounds:   sp.Rounds,
		InFlight: sp.InFlight,
		IdleGC:   idleModel(sc),
		Env:      env,
		Started:  time.Now().UTC(),
	}}
	if specErr != nil {
		return run, specErr
	}
	if len(sc.Exec) > 0 {
		run.Summary.Strategy = results.Strategy{Workers: sp.Workers}
		run.Summary.Exec = expandCommand(sc.Exec)
	}
	if opts.OutDir == "" {
		return run, errors.New("runner: no output directory")
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return run, fmt.Errorf("runner: %w", err)
	}
	if _, err := os.Stat(filepath.Join(opts.OutDir, results.SummaryFile)); err == nil {
		return run, fmt.Errorf("runner: %s already holds a run", opts.OutDir)
	}
	files, err := results.Create(opts.OutDir)
	if err != nil {
		return run, fmt.Errorf("runner: %w", err)
	}
	p := &parent{
		opts:  opts,
		sc:    sc,
		spec:  sp,
		sum:   run.Summary,
		env:   env,
		files: files,
		warns: warns,
		phase: results.PhaseStartup,
		exec:  len(sc.Exec) > 0,
	}
	runErr := p.run(ctx)
	if err := files.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("runner: %w", err)
	}
	p.finish(runErr)
	if err := results.WriteSummary(opts.OutDir, p.sum); err != nil && runErr == nil {
		runErr = fmt.Errorf("runner: %w", err)
	}
	p.progress(true)
	run.Summary, run.Samples, run.Events = p.sum, p.samples, p.events
	return run, runErr
}

// idleModeler is implemented by settings with an idle model of their
// own (the builtin target's idle_gc: "go" or "v8").
type idleModeler interface {
	IdleModel() string
}

// idleModel is the idle model a run records in its summary: the
// settings' own (idleModeler); "" for any other target, whose idle phase
// is its own (target.Idler) or the process left alone.
func idleModel(sc scenario.Scenario) string {
	if m, ok := sc.Settings.(idleModeler); ok && len(sc.Exec) == 0 {
		return m.IdleModel()
	}
	return ""
}

// parent is the state of one run on the parent's side.
type parent struct {
	opts  Options
	sc    scenario.Scenario
	spec  driver.Spec
	sum   results.Summary
	env   results.Env // the parent's view of the environment (parentEnv)
	files *results.Writer
	warns []string

	start time.Time
	cmd   *exec.Cmd
	stdin io.WriteCloser // leakbench's child's spec and acks; an exec target's acks, through acks
	acks  chan<- struct{}
	read  func(fresh bool) (reading, error)

	exec          bool   // an exec target (Scenario.Exec)
	program       string // how errors name the child: "the child" or "the program NAME"
	sawPhase      bool   // the child reported at least one phase
	requestEvents int    // request events seen
	badLines      int    // lines that were not JSON events
	longLines     int    // lines over MaxEventLine
	dropped       int    // events past MaxEvents
	quoted        []string

	phase    results.Phase
	round    int
	snap     results.Snapshot
	total    int // requests the run will make, once known
	lastRSS  uint64
	samples  []results.Sample
	events   []results.Event
	sawDone  bool
	childErr string // the child's last error event

	sampleErrs   int
	trailingErrs int // sampler errors since the last good sample
	firstSmplErr error
	killedFor    results.Outcome // why the parent killed the child, if it did
	lastProgress time.Time
}

// reading is one reading of the child's memory.
type reading struct {
	rss, hwm, pss uint64
	procs         int
}

// run prepares the workload, starts the child and measures it until it
// exits.
func (p *parent) run(ctx context.Context) error {
	p.program = "the child"
	w, err := p.opts.Workloads.workload(ctx, p.sc)
	if err != nil {
		return err
	}
	p.spec.Sources, p.spec.Requests = w.Images, w.Requests
	if !p.opts.NoProfiles {
		if p.spec.ProfileDir, err = filepath.Abs(p.opts.OutDir); err != nil {
			return fmt.Errorf("runner: %w", err)
		}
	}
	p.sum.Skipped = w.Skipped
	log, err := os.OpenFile(filepath.Join(p.opts.OutDir, ChildLog), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	defer log.Close()
	evR, waitCh, err := p.startChild(ctx, log, w)
	if err != nil {
		return err
	}
	defer evR.Close()
	lines := make(chan eventLine, 256)
	go readLines(evR, lines)
	p.measure(ctx, lines, waitCh)
	if p.acks != nil {
		close(p.acks) // no event is read any more: the writer may end
	}
	return nil
}

// startChild starts the child (this executable's child command, or an exec
// scenario's program after its setup) with its output to log and an
// events pipe as its fd 3, hands it its spec (or starts the acks of an
// exec program) and opens its sampler. It returns the pipe's read end
// and a channel that receives the child's exit.
func (p *parent) startChild(ctx context.Context, log *os.File, w *workload.Workload) (*os.File, <-chan error, error) {
	argv := p.opts.Command
	if len(argv) == 0 && !p.exec {
		exe, err := os.Executable()
		if err != nil {
			return nil, nil, fmt.Errorf("runner: finding this executable to start the child: %w", err)
		}
		argv = []string{exe, ChildCommand}
	}
	var specLine []byte
	var execEnvVars []string
	var err error
	if p.exec {
		if argv, execEnvVars, err = p.prepareExec(ctx, log, w); err != nil {
			return nil, nil, err
		}
	} else if specLine, err = driver.EncodeSpec(p.spec); err != nil {
		return nil, nil, fmt.Errorf("runner: %w", err)
	}
	evR, evW, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("runner: event pipe: %w", err)
	}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Env = append(append(childEnv(os.Environ(), p.sc), execEnvVars...), p.opts.Env...)
	p.cmd.Stdout, p.cmd.Stderr = log, log
	p.cmd.ExtraFiles = []*os.File{evW}
	p.cmd.SysProcAttr = childSysProcAttr()
	p.stdin, err = p.cmd.StdinPipe()
	if err != nil {
		evW.Close()
		evR.Close()
		return nil, nil, fmt.Errorf("runner: %w", err)
	}
	p.start = time.Now()
	p.sum.Started = p.start.UTC()
	err = p.cmd.Start()
	evW.Close() // the child holds its own copy
	if err != nil {
		evR.Close()
		if p.exec {
			return nil, nil, fmt.Errorf("runner: exec: starting %s: %w", argv[0], err)
		}
		return nil, nil, fmt.Errorf("runner: starting the child %s: %w", argv[0], err)
	}
	waitCh := make(chan error, 1)
	go func() { waitCh <- p.cmd.Wait() }()

	if p.exec {
		p.acks = startAcks(p.stdin)
	} else if _, err := p.stdin.Write(specLine); err != nil {
		p.warns = append(p.warns, "writing the spec to the child: "+err.Error())
	}
	if err := p.newReader(p.cmd.Process.Pid); err != nil {
		// The child died at once, or /proc is unreadable: wait and record.
		p.warns = append(p.warns, "no sampler: "+err.Error())
	}
	return evR, waitCh, nil
}

// measure samples the child every interval and records its events until
// it has exited and its event stream has ended (or stayed open
// drainTimeout past the exit); it kills the child when ctx is done
// (interrupted) or the run's time is up.
func (p *parent) measure(ctx context.Context, lines chan eventLine, waitCh <-chan error) {
	deadline := time.NewTimer(p.timeout())
	defer deadline.Stop()
	tick := time.NewTicker(p.spec.Interval)
	defer tick.Stop()

	p.sample(true)
	exited := false
	var drained <-chan time.Time // after the child's exit: how long to wait for the rest of its events
	for !exited || lines != nil {
		select {
		case <-drained:
			// A descendant still holds the events pipe open: stop reading,
			// and let the reader finish into the void.
			p.warns = append(p.warns, fmt.Sprintf("the event stream stayed open %v after %s exited; later events were not read", drainTimeout, p.program))
			go func(lines <-chan eventLine) {
				for range lines {
				}
			}(lines)
			lines = nil
		case <-tick.C:
			if !exited {
				p.sample(false)
			}
		case line, ok := <-lines:
			if !ok {
				lines = nil
				continue
			}
			p.event(line)
		case <-waitCh: // the outcome is read from cmd.ProcessState
			exited = true
			tick.Stop()
			deadline.Stop()
			if p.exec {
				// The run ends with the program: descendants it left
				// behind are killed with their group, and so close their
				// copies of the events pipe.
				killTree(p.cmd.Process)
			}
			drained = time.After(drainTimeout)
		case <-ctx.Done():
			if !exited {
				p.kill(results.OutcomeInterrupted)
			}
			ctx = context.Background() // once; the child's exit ends the loop
		case <-deadline.C:
			p.kill(results.OutcomeTimeout)
		}
	}
}

// drainTimeout bounds how long the parent reads events after the child
// exited: a descendant that left the child's process group may hold the
// pipe open.
const drainTimeout = 5 * time.Second

// maxEvents is the run's cap on kept events.
func (p *parent) maxEvents() int {
	if p.opts.MaxEvents > 0 {
		return p.opts.MaxEvents
	}
	return MaxEvents
}

// timeout is the run's wall-clock limit.
func (p *parent) timeout() time.Duration {
	if p.opts.Timeout > 0 {
		return p.opts.Timeout
	}
	return DefaultTimeout
}

// eventLine is one line of the child's event stream: the line (a copy,
// newline included when there was one), or for a line longer than
// MaxEventLine its first MaxEventLine bytes with long set.
type eventLine struct {
	line []byte
	long bool
}

// readLines sends each line of r, then closes lines at EOF. A line longer
// than MaxEventLine is sent once, cut, with long set, and the rest of it
// is skipped, so no line costs more than MaxEventLine of memory.
func readLines(r io.Reader, lines chan<- eventLine) {
	defer close(lines)
	br := bufio.NewReaderSize(r, MaxEventLine)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			lines <- eventLine{line: bytes.Clone(line), long: true}
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil {
				return
			}
			continue
		}
		if len(line) > 0 {
			lines <- eventLine{line: bytes.Clone(line)}
		}
		if err != nil {
			return
		}
	}
}

// kill kills the child with SIGKILL and remembers why.
func (p *parent) kill(why results.Outcome) {
	if p.killedFor != "" {
		return
	}
	p.killedFor = why
	if err := killTree(p.cmd.Process); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.warns = append(p.warns, "killing the child: "+err.Error())
	}
}

// sample reads the child's memory, merges the latest snapshot, records the
// sample, and enforces the RSS cap. fresh asks an exec target's sampler
// for a PSS reading now (at a landmark) rather than its last one.
func (p *parent) sample(fresh bool) {
	if p.read == nil || p.killedFor != "" {
		return
	}
	m, err := p.read(fresh)
	rss := m.rss
	if err == nil && rss == 0 {
		// A zombie (exited, not yet reaped) has no memory map; its zeros
		// are not a measurement.
		err = errors.New("process has exited")
	}
	if err != nil {
		p.sampleErrs++
		p.trailingErrs++
		if p.firstSmplErr == nil {
			p.firstSmplErr = err
		}
		return
	}
	p.trailingErrs = 0
	s := results.Sample{
		T:         time.Since(p.start).Seconds(),
		Phase:     p.phase,
		Round:     p.round,
		RSS:       rss,
		HWM:       m.hwm,
		PSS:       m.pss,
		Processes: m.procs,
		Snapshot:  p.snap,
	}
	p.samples = append(p.samples, s)
	p.files.Sample(s)
	p.lastRSS = rss
	if p.sc.RSSCap > 0 && rss > p.sc.RSSCap {
		p.kill(results.OutcomeRSSCap)
	}
	if time.Since(p.lastProgress) >= 250*time.Millisecond {
		p.progress(false)
	}
}

// event handles one line of the child's event stream.
func (p *parent) event(el eventLine) {
	line := el.line
	if el.long {
		p.longLines++
		p.quoteBad(fmt.Sprintf("a line over %d KiB: %s", MaxEventLine>>10, quote(line)))
		return
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return
	}
	var ev results.Event
	if err := json.Unmarshal(line, &ev); err != nil || ev.Kind == "" {
		p.badLines++
		why := "no kind"
		if err != nil {
			why = err.Error()
		}
		p.quoteBad(fmt.Sprintf("%s (%s)", quote(line), why))
		return
	}
	if ev.Time == 0 {
		// The protocol's time is optional: stamp the arrival.
		ev.Time = time.Now().UnixNano()
		if b, err := json.Marshal(ev); err == nil {
			line = b
		}
	}
	if len(p.events) >= p.maxEvents() && ev.Kind != results.EventPhase && ev.Kind != results.EventRound && ev.Kind != results.EventError {
		p.dropped++
		return
	}
	p.files.Event(line)
	p.events = append(p.events, ev)
	if ev.Kind == results.EventRequest {
		p.requestEvents++
	}
	if ev.Snapshot != nil {
		p.snap = *ev.Snapshot
	}
	switch ev.Kind {
	case results.EventPhase:
		if ev.Total > 0 {
			p.total = ev.Total
		}
		// Barrier: sample the end of the phase that ends, then let the
		// child go on.
		p.sample(true)
		p.phase = ev.Phase
		p.sawPhase = true
		if ev.Phase == results.PhaseDone {
			p.sawDone = true
		}
		switch {
		case p.exec:
			p.ack()
		default:
			if _, err := io.WriteString(p.stdin, driver.AckLine); err != nil && p.killedFor == "" && !p.sawDone {
				p.warns = append(p.warns, "acknowledging a phase to the child: "+err.Error())
			}
		}
		p.progress(false)
	case results.EventRound:
		p.round = ev.Round
		if p.exec {
			p.sample(true) // the round's end, for the slope
			p.ack()
		}
	case results.EventError:
		p.childErr = ev.Err
	case results.EventHello:
		if ev.Env != nil {
			p.sum.Env = completeEnv(*ev.Env, p.env)
		}
	case results.EventSettings:
		p.sum.Settings = ev.Settings
		if ev.Strategy != nil {
			// The child ran the strategy the preset resolved to; the
			// preset's name is the scenario's label for it.
			st := *ev.Strategy
			st.Preset = p.sum.Strategy.Preset
			p.sum.Strategy = st
		}
	}
}

// finish sets the outcome and the derived figures of the summary.
func (p *parent) finish(runErr error) {
	s := &p.sum
	if !p.start.IsZero() {
		s.Seconds = time.Since(p.start).Seconds()
	}
	s.ExitCode = -1
	switch {
	case p.cmd == nil || p.cmd.ProcessState == nil:
		// never started
		s.Outcome = results.OutcomeCrashed
	default:
		ps := p.cmd.ProcessState
		s.ExitCode = ps.ExitCode()
		ws, _ := ps.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			s.Signal = ws.Signal().String()
		}
		switch {
		case p.killedFor != "":
			s.Outcome = p.killedFor
		case ws.Signaled():
			s.Outcome = results.OutcomeSignaled
		case s.ExitCode != 0:
			s.Outcome = results.OutcomeCrashed
		case p.exec:
			s.Outcome = results.OutcomeCompleted
			p.execWarnings()
		case !p.sawDone:
			s.Outcome = results.OutcomeCrashed
			s.Error = "the child exited 0 before it finished its phases"
		default:
			s.Outcome = results.OutcomeCompleted
		}
	}
	switch {
	case runErr != nil:
		s.Error = runErr.Error()
	case p.childErr != "":
		s.Error = p.childErr
	case s.Outcome == results.OutcomeRSSCap:
		s.Error = fmt.Sprintf("RSS %.1f MiB exceeded the cap of %.1f MiB", mib(p.lastRSS), mib(p.sc.RSSCap))
	case s.Outcome == results.OutcomeCrashed && s.Error == "":
		s.Error = fmt.Sprintf("%s exited with status %d", p.program, s.ExitCode)
		if p.exec {
			s.Error += fmt.Sprintf(" after %.1fs", s.Seconds)
		}
		if tail := logTail(filepath.Join(p.opts.OutDir, ChildLog), 5); tail != "" {
			s.Error += ": " + tail
		}
	case s.Outcome == results.OutcomeInterrupted:
		s.Error = "interrupted (Ctrl-C or SIGTERM): the parent killed the child"
	case s.Outcome == results.OutcomeTimeout:
		s.Error = fmt.Sprintf("the run exceeded its wall-clock limit of %v: the parent killed the child", p.timeout())
	case s.Outcome == results.OutcomeSignaled:
		s.Error = p.program + " was killed by signal " + s.Signal + " (the OOM killer? kill -9?)"
	}

	p.sampleErrs -= p.trailingErrs // the child exiting, not a failure to sample
	if p.sampleErrs > 0 {
		p.warns = append(p.warns, fmt.Sprintf("%d samples failed, the first: %v", p.sampleErrs, p.firstSmplErr))
	}
	if p.badLines > 0 {
		p.warns = append(p.warns, fmt.Sprintf("%d lines of the event stream of %s were not JSON events and were dropped", p.badLines, p.program))
	}
	if p.longLines > 0 {
		p.warns = append(p.warns, fmt.Sprintf("%d lines of the event stream of %s were longer than %d KiB and were dropped", p.longLines, p.program, MaxEventLine>>10))
	}
	for _, q := range p.quoted {
		p.warns = append(p.warns, "dropped event line: "+q)
	}
	if p.dropped > 0 {
		p.warns = append(p.warns, fmt.Sprintf("%s sent more than %d events: %d later ones (all but phase, round and error events) were dropped", p.program, p.maxEvents(), p.dropped))
	}
	if p.exec && !p.sawPhase && len(p.samples) > 1 {
		p.relabelSilent()
	}
	*s = results.Summarize(*s, p.samples, p.events)
	s.Requests = max(s.Requests, p.requestEvents)
	s.Warnings = append(p.warns, s.Warnings...)
	if p.killedFor != "" {
		s.Error += stuckText(s.Unfinished)
	}
}

// progress reports the state of the run to Options.Progress.
func (p *parent) progress(done bool) {
	if p.opts.Progress == nil {
		return
	}
	p.lastProgress = time.Now()
	pr := Progress{
		Scenario: p.sc.Name,
		Phase:    p.phase,
		Requests: max(p.snap.Requests, p.requestEvents),
		Total:    p.total,
		RSS:      p.lastRSS,
		Done:     done,
	}
	if !p.start.IsZero() {
		pr.Elapsed = time.Since(p.start)
	}
	if done {
		pr.Outcome = p.sum.Outcome
	}
	p.opts.Progress(pr)
}

func mib(b uint64) float64 { return float64(b) / results.MiB }

// logTail returns the last n non-empty lines of a file, joined by " | ".
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return lastLines(string(b), n)
}

// lastLines returns the last n non-empty lines of text, joined by " | ".
func lastLines(text string, n int) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// otherTarget is the summary's Target: the scenario's target, or "" for
// the program's default target (bench's builtin engine), whose summaries
// name its strategy instead.
func otherTarget(sc scenario.Scenario) string {
	if sc.RunsDefault() {
		return ""
	}
	return sc.Target
}
