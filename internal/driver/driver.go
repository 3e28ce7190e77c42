// Package driver is the body of a run's child process: it reads its Spec
// from the parent, re-checks the workload the parent verified, compiles
// the codecs, starts the engine, drives it through the phases startup,
// load, idle, settle and done, and reports what happens as results.Event
// lines on file descriptor 3, waiting at each phase for the parent's
// acknowledgement (see protocol.go).
//
// It owns the child's side of the protocol and the request loop: which
// request is sent when, InFlight at a time, each source read from its file
// per request, and the idle phase's model (idlegc.go). It leaves to others
// what is around it: the parent (package runner) prepares the workload,
// starts this process, samples its memory from outside, writes the files
// and derives the summary; the scenario was resolved
// into the Spec before it got here; the engine owns workers, instances
// and leaks. It imports neither runner nor scenario: the data flows
// scenario → runner → driver → engine → codecs, with results below all.
package driver

import (
	"bufio"
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

	"github.com/leakbench/leakbench/internal/codecs"
	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/sampler"
	"github.com/leakbench/leakbench/internal/workload"
)

// settlePause is how long the child waits after GC and FreeOSMemory before
// the figure after settle is taken, at least.
const settlePause = 200 * time.Millisecond

// Child is the body of the child process: it reads its spec from
// stdin, runs the engine over the workload through the phases startup,
// load, idle, settle and done, and writes its events as JSON lines to file
// descriptor 3. It takes no arguments. Errors of single requests are
// counted, not returned; an error is returned when the child can't do its
// work at all (no spec, no workload, no engine), after an error event.
func Child(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("the child takes no arguments, got %q (the spec comes on stdin)", args)
	}
	events := os.NewFile(eventsFD, "events")
	if events == nil {
		return fmt.Errorf("no event stream on file descriptor %d: the child is run by the parent only", eventsFD)
	}
	defer events.Close()
	return runChild(ctx, bufio.NewReader(os.Stdin), events)
}

// runChild is Child with its streams as arguments.
func runChild(ctx context.Context, in *bufio.Reader, out io.Writer) (err error) {
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
	c := &child{spec: sp, em: em, acks: make(chan struct{})}
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
	eng  *engine.Engine

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
func (c *child) run(ctx context.Context) error {
	c.phase(results.PhaseStartup)
	w, err := c.workload()
	if err != nil {
		return err
	}
	// Interruptible wasm calls (wazero's WithCloseOnContextDone) make every
	// codec 4-35x slower under wazero 1.12, so only a scenario that asks for
	// per-operation deadlines pays for them. Without one, a runaway call is
	// still bounded: the parent kills this process at the run's time limit.
	lib, err := codecs.New(ctx, codecs.Options{
		Limits:          codecs.DefaultLimits(),
		CacheDir:        subdir(c.spec.CacheDir, "wazero"),
		Uninterruptible: c.spec.OpTimeout == 0,
	})
	if err != nil {
		return fmt.Errorf("compiling the codecs: %w", err)
	}
	defer lib.Close(context.WithoutCancel(ctx))
	c.eng, err = engine.New(ctx, lib, engine.Config{
		Strategy:  c.spec.Strategy,
		Workers:   c.spec.Workers,
		OpTimeout: c.spec.OpTimeout,
		Events:    c.engineEvent,
	})
	if err != nil {
		return fmt.Errorf("starting the engine: %w", err)
	}
	defer c.eng.Close(context.WithoutCancel(ctx))

	stop := c.tickSnapshots()
	defer stop()

	// The baseline is what the server holds with its codecs compiled, not
	// the garbage of getting there, which would otherwise make every later
	// figure look smaller.
	settle()
	c.snapshot()
	c.phaseTotal(results.PhaseLoad, c.spec.Rounds*len(w.Requests))
	for r := 1; r <= c.spec.Rounds; r++ {
		if err := c.doRound(ctx, w, r); err != nil {
			return err
		}
		c.round.Store(int64(r))
		rss, _, _ := c.self.Sample()
		snap := c.snap()
		c.em.emit(results.Event{Kind: results.EventRound, Round: r, RSS: rss, Snapshot: &snap})
	}

	c.snapshot()
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
	c.phase(results.PhaseDone)
	return nil
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
	reqs := make(chan pending)
	var wg sync.WaitGroup
	for range c.spec.InFlight {
		wg.Go(func() {
			for p := range reqs {
				c.do(ctx, p)
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
		req := pending{path: w.Images[r.Image].Path, req: engine.Request{
			ID:      base + i + 1,
			Rotate:  r.Rotate,
			Width:   r.Width,
			Format:  r.Format,
			Quality: r.Quality,
		}}
		select {
		case reqs <- req:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(reqs)
	wg.Wait()
	return err
}

// pending is a request whose source is still on disk. Like the original
// optimizer, which fetched each source from upstream per request, the child
// reads each source from its (verified) file per request: 400 MB of sources
// held in the Go heap would count as live and raise the GC's heap goal, and
// so every stage's RSS, by as much.
type pending struct {
	path string
	req  engine.Request
}

// do reads a request's source, runs the request and reports it.
func (c *child) do(ctx context.Context, p pending) {
	start := time.Now()
	req := p.req
	var resp engine.Response
	src, err := os.ReadFile(p.path)
	if err == nil {
		req.Source = src
		resp, err = c.eng.Do(ctx, req)
	}
	ev := results.Event{
		Kind:    results.EventRequest,
		Request: req.ID,
		Seconds: time.Since(start).Seconds(),
		BytesIn: len(req.Source),
	}
	if err != nil {
		c.errors.Add(1)
		ev.Err = err.Error()
	} else {
		ev.BytesOut = len(resp.Output)
	}
	c.requests.Add(1)
	c.em.emit(ev)
}

// engineEvent forwards an engine event to the event stream.
func (c *child) engineEvent(e engine.Event) {
	ev := results.Event{
		Time:     e.Time.UnixNano(),
		Codec:    e.Op.String(),
		Worker:   e.Worker,
		Instance: e.Instance,
		Request:  e.Request,
		Memory:   e.Memory,
	}
	switch e.Kind {
	case engine.InstanceCreated:
		ev.Kind = results.EventInstanceCreated
	case engine.InstanceClosed:
		ev.Kind = results.EventInstanceClosed
	case engine.OpDone:
		ev.Kind = results.EventOp
		ev.Seconds = e.Duration.Seconds()
		ev.BytesIn, ev.BytesOut = e.BytesIn, e.BytesOut
	default:
		return
	}
	if e.Err != nil {
		ev.Err = e.Err.Error()
	}
	c.em.emit(ev)
}

// snap takes the child's snapshot: the engine's and the request counters.
func (c *child) snap() results.Snapshot {
	s := c.eng.Snapshot()
	return results.Snapshot{
		LiveInstances:  s.LiveInstances,
		TotalInstances: s.TotalInstances,
		LinearMemory:   s.LinearMemory,
		LeakedViews:    s.LeakedViews,
		Listeners:      s.Listeners,
		ListenerCount:  s.ListenerCount,
		HeapLive:       s.HeapLive,
		HeapObjects:    s.HeapObjects,
		HeapFree:       s.HeapFree,
		HeapReleased:   s.HeapReleased,
		GCCycles:       s.GCCycles,
		Requests:       int(c.requests.Load()),
		Errors:         int(c.errors.Load()),
	}
}

// snapshot emits a snapshot event.
func (c *child) snapshot() {
	s := c.snap()
	c.em.emit(results.Event{Kind: results.EventSnapshot, Round: int(c.round.Load()), Snapshot: &s})
}

// tickSnapshots emits a snapshot at every interval until the returned
// function is called.
func (c *child) tickSnapshots() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(c.spec.Interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				c.snapshot()
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
// engine's worker goroutines only hand them over. It flushes whenever it
// has nothing else to write. After a write error (the parent is gone) it
// discards events.
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
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	var failed bool
	for ev := range e.ch {
		if failed {
			continue
		}
		if err := enc.Encode(ev); err != nil {
			failed = true
			continue
		}
		if len(e.ch) == 0 {
			if err := bw.Flush(); err != nil {
				failed = true
			}
		}
	}
	if !failed {
		bw.Flush()
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
