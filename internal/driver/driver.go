// Package driver is the body of a run's child process: it reads its Spec
// from the parent, re-checks the workload the parent verified, builds
// the scenario's target from the program's registered targets, drives it
// through the phases startup,
// load, idle, settle and done, and reports what happens as results.Event
// lines on file descriptor 3, waiting at each phase for the parent's
// acknowledgement (see protocol.go).
//
// It owns the child's side of the protocol and the request loop: which
// request is sent when, InFlight at a time, the idle phase's model
// (idlegc.go), and the child's snapshot: the target's own figures (when it
// is a target.Snapshotter), the Go heap from runtime/metrics and the
// request counters, and its pprof profiles at the landmarks
// (profiles.go). It runs any target.Target and knows none: the builtin
// engine is one target among others, reached through the same Factory. It
// leaves to others what is around it: the parent (package runner)
// prepares the workload, starts this process, samples its memory from
// outside, writes the files and derives the summary; the scenario was
// resolved into the Spec before it got here. It imports neither runner nor
// scenario nor any target: the data flows scenario → runner → driver →
// target, with the contract (package target) and results below all.
package driver

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/failure"
	"github.com/leakbench/leakbench/internal/heapstat"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/sampler"
	"github.com/leakbench/leakbench/internal/workload"
)

// settlePause is how long the child waits after GC and FreeOSMemory before
// the figure after settle is taken, at least.
const settlePause = 200 * time.Millisecond

// Child is the body of the child process: it reads its spec from stdin,
// builds the spec's target from targets, runs it over the workload through
// the phases startup, load, idle, settle and done, and writes its events
// as JSON lines to file descriptor 3. It takes no arguments. Errors of
// single requests are counted, not returned; an error is returned when the
// child can't do its work at all (no spec, no workload, no target), or
// when the target's Close fails, after an error event.
func Child(ctx context.Context, args []string, targets factory.Targets) error {
	if len(args) > 0 {
		return fmt.Errorf("the child takes no arguments, got %q (the spec comes on stdin)", args)
	}
	events := os.NewFile(eventsFD, "events")
	if events == nil {
		return fmt.Errorf("no event stream on file descriptor %d: the child is run by the parent only", eventsFD)
	}
	defer events.Close()
	return runChild(ctx, bufio.NewReader(os.Stdin), events, targets)
}

// runChild is Child with its streams as arguments.
func runChild(ctx context.Context, in *bufio.Reader, out io.Writer, targets factory.Targets) (err error) {
	em := newEmitter(out)
	defer func() {
		if err != nil {
			em.emit(results.Event{Kind: results.EventError, Err: err.Error()})
		}
		em.close() // a parent gone away is not the child's error
	}()
	sp, err := readSpec(in)
	if err != nil {
		return err
	}
	c := &child{spec: sp, em: em, acks: make(chan struct{}), targets: targets, inject: newInjector(sp.InjectLeak)}
	go c.readAcks(in)
	c.self, err = sampler.New(os.Getpid())
	if err != nil {
		return err
	}
	env := Environment(os.Getenv("GOGC"), os.Getenv("GOMEMLIMIT"))
	em.emit(results.Event{Kind: results.EventHello, Env: &env})
	return c.run(ctx)
}

// child is the state of one child run.
type child struct {
	spec Spec
	em   *emitter
	acks chan struct{} // one value per line the parent writes back; closed at EOF
	self *sampler.Sampler

	targets factory.Targets
	tgt     target.Target
	snapper target.Snapshotter // tgt, when it is one

	heap heapstat.Reader // the Go heap's figures of snap
	prof *profiler       // nil without Spec.ProfileDir

	inject *injector // the known leak of Spec.InjectLeak (inject.go)

	// failedOps is the operation that last failed of each running
	// request (request id -> op name), from the target's op events.
	failedOps sync.Map

	loading  atomic.Bool  // in the load phase: the peak is watched for
	requests atomic.Int64 // requests completed, ok or not
	errors   atomic.Int64 // requests failed
	round    atomic.Int64 // rounds completed
}

// readAcks turns the parent's lines on stdin into values on c.acks.
func (c *child) readAcks(in *bufio.Reader) {
	defer close(c.acks)
	for {
		if _, err := in.ReadBytes('\n'); err != nil {
			return
		}
		c.acks <- struct{}{}
	}
}

// run runs the phases.
func (c *child) run(ctx context.Context) (err error) {
	c.phase(results.PhaseStartup)
	w, err := c.workload()
	if err != nil {
		return err
	}
	if err := c.start(ctx, w); err != nil {
		return err
	}
	if cl, ok := c.tgt.(target.Closer); ok {
		// After the last phase: the target is measured alive, as a server
		// that runs on; its Close is not a phase.
		defer func() {
			if cerr := cl.Close(context.WithoutCancel(ctx)); cerr != nil && err == nil {
				err = fmt.Errorf("closing target %q: %w", c.spec.Target, cerr)
			}
		}()
	}

	stop := c.tickSnapshots()
	defer stop()

	// The baseline is what the server holds with its codecs compiled, not
	// the garbage of getting there, which would otherwise make every later
	// figure look smaller.
	settle()
	c.snapshot()
	c.phaseTotal(results.PhaseLoad, c.spec.Rounds*len(w.Requests))
	c.loading.Store(true)
	for r := 1; r <= c.spec.Rounds; r++ {
		if err := c.doRound(ctx, w, r); err != nil {
			return err
		}
		c.round.Store(int64(r))
		rss, _, _ := c.self.Sample()
		snap, held := c.snap()
		c.em.emit(results.Event{Kind: results.EventRound, Round: r, RSS: rss, Snapshot: &snap, Held: held})
	}

	c.loading.Store(false)
	c.snapshot()
	c.watchPeak(c.prof)
	c.profile(results.LandmarkEndOfLoad)
	c.phase(results.PhaseIdle)
	if err := c.idle(ctx); err != nil {
		return err
	}

	c.snapshot()
	c.phase(results.PhaseSettle)
	settle()
	if err := sleep(ctx, max(settlePause, 2*c.spec.Interval)); err != nil {
		return err
	}

	c.snapshot()
	c.profile(results.LandmarkAfterSettle)
	c.phase(results.PhaseDone)
	return nil
}

// start builds the spec's target.
func (c *child) start(ctx context.Context, w *workload.Workload) error {
	f, ok := c.targets[c.spec.Target]
	if !ok {
		return fmt.Errorf("target %q is not registered in this program (registered: %s)",
			c.spec.Target, c.targets.List())
	}
	opts, err := f.DecodeText(c.spec.Options)
	if err != nil {
		return fmt.Errorf("starting target %q: %w", c.spec.Target, err)
	}
	c.settings(opts)
	tgt, err := f.Build(ctx, target.Config{
		Workers:  max(c.spec.Workers, 1),
		InFlight: c.spec.InFlight,
		CacheDir: subdir(c.spec.CacheDir, filepath.Join("targets", c.spec.Target)),
		Sources:  sourcePaths(w),
		Recorder: recorder{c.em, &c.failedOps, c.targetGC},
	}, opts)
	if err != nil {
		return fmt.Errorf("starting target %q: %w", c.spec.Target, err)
	}
	c.tgt = tgt
	c.snapper, _ = tgt.(target.Snapshotter)
	c.prof = newProfiler(c.spec.ProfileDir, tgt, c.em)
	return nil
}

// settings reports the settings the target runs with, as decoded here
// (EventSettings): the parent records these, not the ones it asked for.
func (c *child) settings(opts any) {
	ev := results.Event{Kind: results.EventSettings}
	if b, err := json.Marshal(opts); err == nil {
		_ = json.Unmarshal(b, &ev.Settings) // an options type that is no JSON object has none to report
	}
	if s, ok := opts.(results.Strategist); ok {
		st := s.ResultsStrategy(max(c.spec.Workers, 1))
		ev.Strategy = &st
	}
	c.em.emit(ev)
}

// sourcePaths returns the paths of the workload's source files.
func sourcePaths(w *workload.Workload) []string {
	paths := make([]string, len(w.Images))
	for i, src := range w.Images {
		paths[i] = src.Path
	}
	return paths
}

// settle collects garbage twice and returns freed memory to the OS: Go
// releases memory only after the GC that finds it dead and one more.
func settle() {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
}

// doRound runs the workload's requests once, InFlight at a time, and waits
// for all of them.
func (c *child) doRound(ctx context.Context, w *workload.Workload, round int) error {
	type job struct {
		req target.Request
		src workload.Source
	}
	reqs := make(chan job)
	var wg sync.WaitGroup
	for range c.spec.InFlight {
		wg.Go(func() {
			for p := range reqs {
				c.do(ctx, p.req, p.src)
			}
		})
	}
	var err error
	base := (round - 1) * len(w.Requests)
feed:
	for i, r := range w.Requests {
		if r.Image < 0 || r.Image >= len(w.Images) {
			err = fmt.Errorf("workload %q: request %d names image %d of %d", c.spec.Workload, i+1, r.Image, len(w.Images))
			break
		}
		src := w.Images[r.Image]
		req := target.Request{
			ID:      base + i + 1,
			Round:   round,
			Source:  src.Path,
			Size:    src.Size,
			Width:   r.Width,
			Format:  r.Format.String(),
			Quality: r.Quality,
			Rotate:  r.Rotate,
		}
		select {
		case reqs <- job{req, src}:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(reqs)
	wg.Wait()
	return err
}

// do runs a request and reports it: a request_start event naming its
// file, then a request event when it ends, which for a failure names the
// file, the operation that failed (the last op the target reported with
// an error for it) and the class of the error (failure.Classify), beside
// the error's text. A source the parent rejected (Source.Problem) fails
// its requests here, without the target. The source stays on disk: like
// the original optimizer, which fetched each source from upstream per
// request, the target reads it per request (Request.Data), since 400 MB
// of sources held in the Go heap would count as live, raise the GC's heap
// goal, and so every stage's RSS, by as much.
func (c *child) do(ctx context.Context, req target.Request, src workload.Source) {
	c.em.emit(results.Event{Kind: results.EventRequestStart, Request: req.ID, Round: req.Round, Source: req.Source})
	ev := results.Event{
		Kind:    results.EventRequest,
		Request: req.ID,
		Round:   req.Round,
		Source:  req.Source,
		BytesIn: int(req.Size),
	}
	if src.Problem != "" {
		ev.Err, ev.Class, ev.Codec = src.Problem, cmp.Or(src.Class, results.ClassOther), results.OpLoad
	} else {
		start := time.Now()
		err := c.tgt.Do(ctx, req)
		ev.Seconds = time.Since(start).Seconds()
		c.inject.leak()
		op, _ := c.failedOps.LoadAndDelete(req.ID)
		if err != nil {
			ev.Err, ev.Class = err.Error(), failure.Classify(err)
			ev.Codec, _ = op.(string)
		}
	}
	if ev.Err != "" {
		c.errors.Add(1)
	}
	c.requests.Add(1)
	c.em.emit(ev)
}

// snap takes the child's snapshot: the target's own figures, the Go heap
// and the request counters. Every holder's bytes are summed into Held;
// held has each holder by name (nil without any).
func (c *child) snap() (s results.Snapshot, held map[string]results.Holding) {
	if c.snapper != nil {
		ts := c.snapper.Snapshot()
		s.LiveInstances, s.TotalInstances, s.LinearMemory = ts.LiveInstances, ts.TotalInstances, ts.LinearMemory
		s.OffHeap, s.OffHeapUnreleased = ts.OffHeap, ts.OffHeapUnreleased
		for _, h := range ts.Held {
			if held == nil {
				held = make(map[string]results.Holding, len(ts.Held))
			}
			sum := held[h.Holder]
			held[h.Holder] = results.Holding{Bytes: sum.Bytes + h.Bytes, Refs: sum.Refs + h.Refs}
			s.Held += h.Bytes
		}
	}
	c.inject.addTo(&held)
	h := c.heap.Read()
	s.HeapLive, s.HeapObjects, s.HeapFree, s.HeapReleased, s.GCCycles = h.Live, h.Objects, h.Free, h.Released, h.GCCycles
	s.Requests = int(c.requests.Load())
	s.Errors = int(c.errors.Load())
	return s, held
}

// recorder is the target.Recorder of the child: it turns a target's
// events into lines of the event stream. It is a target.OpStarter too.
type recorder struct {
	em        *emitter
	failedOps *sync.Map       // child.failedOps
	gc        func(target.GC) // child.targetGC
}

var (
	_ target.OpStarter  = recorder{}
	_ target.GCReporter = recorder{}
)

// GC reports a collection the target started as an external_gc event.
func (r recorder) GC(g target.GC) { r.gc(g) }

// OpStarted reports the start of an operation as an op_start event.
func (r recorder) OpStarted(op target.Op) {
	r.em.emit(results.Event{
		Kind:     results.EventOpStart,
		Codec:    op.Name,
		Worker:   op.Worker,
		Instance: op.Instance,
		Request:  op.Request,
		Memory:   op.Memory,
		BytesIn:  op.BytesIn,
	})
}

// Op reports an operation as an op event, and remembers a failed one as
// its request's failed operation.
func (r recorder) Op(op target.Op) {
	if op.Err != nil && op.Request > 0 {
		r.failedOps.Store(op.Request, op.Name)
	}
	ev := results.Event{
		Kind:     results.EventOp,
		Time:     unixNano(op.End),
		Codec:    op.Name,
		Worker:   op.Worker,
		Instance: op.Instance,
		Request:  op.Request,
		Memory:   op.Memory,
		Seconds:  op.Duration.Seconds(),
		BytesIn:  op.BytesIn,
		BytesOut: op.BytesOut,
	}
	if op.Err != nil {
		ev.Err = op.Err.Error()
	}
	r.em.emit(ev)
}

// InstanceCreated reports an instance_created event.
func (r recorder) InstanceCreated(in target.Instance) {
	r.em.emit(instanceEvent(results.EventInstanceCreated, in, nil))
}

// InstanceClosed reports an instance_closed event.
func (r recorder) InstanceClosed(in target.Instance, err error) {
	r.em.emit(instanceEvent(results.EventInstanceClosed, in, err))
}

func instanceEvent(kind results.EventKind, in target.Instance, err error) results.Event {
	ev := results.Event{
		Kind:     kind,
		Time:     unixNano(in.Time),
		Codec:    in.Name,
		Worker:   in.Worker,
		Instance: in.ID,
		Memory:   in.Memory,
	}
	if err != nil {
		ev.Err = err.Error()
	}
	return ev
}

// unixNano is t in Unix nanoseconds, 0 (stamped by the emitter) for the
// zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// profile writes the profiles of a landmark, with the child's RSS then
// (from the parent-facing sampler: the main goroutine is its reader).
// A profile that can't be written is reported as an error event (the
// summary's error) and the run goes on: its measurement stands.
func (c *child) profile(at results.Landmark) {
	if c.prof == nil {
		return
	}
	rss, _, _ := c.self.Sample()
	if err := c.prof.take(at, rss); err != nil {
		c.em.emit(results.Event{Kind: results.EventError, Err: err.Error()})
	}
}

// watchPeak writes the peak profiles if the child's RSS has passed
// their high-water mark; an error is reported as an error event (the
// summary's error) and false returned.
func (c *child) watchPeak(p *profiler) bool {
	if err := p.watch(); err != nil {
		c.em.emit(results.Event{Kind: results.EventError, Err: err.Error()})
		return false
	}
	return true
}

// snapshot emits a snapshot event.
func (c *child) snapshot() {
	s, held := c.snap()
	c.em.emit(results.Event{Kind: results.EventSnapshot, Round: int(c.round.Load()), Snapshot: &s, Held: held})
}

// tickSnapshots emits a snapshot at every interval until the returned
// function is called.
func (c *child) tickSnapshots() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	peaks := c.prof
	wg.Go(func() {
		t := time.NewTicker(c.spec.Interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				c.snapshot()
				if peaks != nil && c.loading.Load() && !c.watchPeak(peaks) {
					peaks = nil // one report; the run goes on without peak profiles
				}
			case <-done:
				return
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// phase announces a new phase and waits at the barrier until the parent
// has sampled the end of the previous one.
func (c *child) phase(p results.Phase) { c.phaseTotal(p, 0) }

// phaseTotal is phase with the number of requests the phase will make.
func (c *child) phaseTotal(p results.Phase, total int) {
	c.em.emit(results.Event{Kind: results.EventPhase, Phase: p, Round: int(c.round.Load()), Total: total})
	t := time.NewTimer(barrierTimeout)
	defer t.Stop()
	select {
	case <-c.acks:
	case <-t.C:
	}
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// subdir joins a cache root and a name, or returns "" without a root.
func subdir(root, name string) string {
	if root == "" {
		return ""
	}
	return filepath.Join(root, name)
}

// emitter writes events as JSON lines from one goroutine, so that the
// engine's worker goroutines only hand them over. Each event is one write
// of one whole line, never buffered in the child: an event written is in
// the parent's pipe even if this process is killed, or frozen (a wasm
// call that can't be interrupted blocks the next stop-the-world GC) and
// then killed, the instant after. After a write error (the parent is
// gone) it discards events.
type emitter struct {
	ch   chan results.Event
	done chan struct{}
	once sync.Once
	mu   sync.RWMutex // guards shut: no emit after close
	shut bool
}

func newEmitter(w io.Writer) *emitter {
	e := &emitter{ch: make(chan results.Event, 1024), done: make(chan struct{})}
	go e.loop(w)
	return e
}

func (e *emitter) loop(w io.Writer) {
	defer close(e.done)
	var (
		buf    bytes.Buffer
		enc    = json.NewEncoder(&buf)
		failed bool
	)
	for ev := range e.ch {
		if failed {
			continue
		}
		buf.Reset()
		if err := enc.Encode(ev); err != nil {
			continue // can't happen: an Event holds no values JSON refuses
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			failed = true
		}
	}
}

// emit stamps the event with the time if it has none and queues it.
func (e *emitter) emit(ev results.Event) {
	if ev.Time == 0 {
		ev.Time = time.Now().UnixNano()
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.shut {
		return
	}
	e.ch <- ev
}

// close writes what is queued and stops.
func (e *emitter) close() {
	e.once.Do(func() {
		e.mu.Lock()
		e.shut = true
		close(e.ch)
		e.mu.Unlock()
		<-e.done
	})
}
