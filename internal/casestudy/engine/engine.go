package engine

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/backingstore"
	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/heapstat"
	"github.com/leakbench/leakbench/internal/memprofile"
)

// Errors of the engine. Operation failures wrap the codecs error instead
// (codecs.ErrTrap, context.DeadlineExceeded, codecs.ErrCorrupt ...).
var (
	// ErrClosed is returned by Do once Close has begun.
	ErrClosed = errors.New("engine: closed")
	// ErrInvalidRequest is wrapped by Do's errors for requests rejected
	// before any work: bad rotation, format, quality, source, trap.
	ErrInvalidRequest = errors.New("engine: invalid request")
)

// Config configures an Engine.
type Config struct {
	Strategy Strategy
	// Workers is the worker count of the per-worker topology (>= 1). The
	// pipeline topology always has one worker per operation and ignores
	// it.
	Workers int
	// OpTimeout is the deadline of each codec call; 0 means none. An
	// operation that exceeds it fails with an error wrapping
	// context.DeadlineExceeded and its instance is discarded.
	OpTimeout time.Duration
	// Events, if set, receives every instance creation and close and every
	// operation. It is called synchronously from worker goroutines (and
	// from Close), concurrently, so it must be goroutine-safe and cheap.
	Events func(Event)
	// Memories, if set, is kept up to date with every instance's linear
	// memory and what holds it (live, views, listeners, pool, cache), for
	// the linear memory profile (package memprofile); see memories.go.
	Memories *memprofile.Book
	// Library configures the codecs when New is given no library: the
	// memory cap, compilation cache and interruptibility of the runtime
	// New makes (Strategy.MemoryLimit and Strategy.Malloc still apply), or
	// under codecs squoosh of the squoosh modules' runtime, without
	// compiling the embedded codecs. Ignored when New is given one.
	Library codecs.Options
}

// Engine is the image optimizer: workers running wasm codec instances as
// its Strategy says, leaks included. Do, Snapshot and Close are
// goroutine-safe.
type Engine struct {
	lib    *codecs.Library // the embedded codecs: the caller's, or the engine's own
	ownLib bool            // lib is the engine's: Close closes it
	set    codecSet        // instances come from it: lib's (embeddedSet) or sq
	sq     *squooshSet     // codecs squoosh: the engine's own, closed by Close; else nil
	cfg    Config
	alloc  *mmapAllocator          // allocator mmap, else nil
	v8     *backingstore.Allocator // allocator v8, else nil

	bounded [codecs.NumOps]*boundedSet // PoolSize: each codec's shared instances, else nil
	cache   *responseCache             // Cache, else nil

	queue   chan *task                // per-worker: whole requests, taken by any idle worker
	pipe    [codecs.NumOps]chan *task // pipeline: steps, one queue per operation
	workers []*worker                 // all workers, for Close
	quit    chan struct{}             // closed by Close: workers stop taking tasks, queued Do calls fail
	abort   context.CancelFunc        // cancels aborted
	aborted context.Context           // done when Close stops waiting for running tasks
	wg      sync.WaitGroup            // running workers
	closed  atomic.Bool

	live, total         atomic.Int64 // instances
	linear, leakedViews atomic.Int64 // bytes
	requests, failed    atomic.Int64
	pooled, dropped     atomic.Int64 // Pool instances idle in a pool; dropped by one, never closed
	droppedMem          atomic.Int64 // linear memory of the dropped ones
	deadViews           atomic.Int64 // glues holding a closed mmap instance

	poolMu   sync.Mutex
	poolRecs map[int]*poolRecord // Pool: every instance not yet closed, by id

	heap heapstat.Reader // the Go heap's figures of Snapshot
}

// task is one unit of work handed to a worker: a whole request
// (per-worker) or one step (pipeline).
type task struct {
	ctx  context.Context
	run  func(ctx context.Context, w *worker) error
	err  error         // set by the worker before done is closed
	done chan struct{} // closed when run has returned
}

// New starts an engine running lib's codecs with cfg. Instances are created
// lazily, when a worker first needs one. ctx supplies the values (not the
// cancellation) of the engine's internal context; the engine lives until
// Close. cfg.Strategy must pass Validate.
//
// The engine borrows lib, which must outlive it, unless the strategy needs
// a wazero runtime of its own: lifetime pool (what a pool drops lives
// until its runtime closes, which must be the engine's Close), a
// MemoryLimit other than lib's Limits.MaxMemoryBytes (wazero caps memory
// per runtime), a Malloc other than lib's Options.Malloc (the modules are
// other modules) or allocator mmap (the memory is unmapped when the runtime
// closes, which must not happen under a running operation). New then
// makes a library like lib (codecs.New with lib.Options(), the memory
// limit applied; its compilation cache, if any, is shared) and Close
// closes it. With a nil lib, New makes the one library the strategy
// needs from cfg.Library (none under codecs squoosh), so that a process
// running one engine compiles its codecs once.
func New(ctx context.Context, lib *codecs.Library, cfg Config) (*Engine, error) {
	s := cfg.Strategy
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if cfg.OpTimeout < 0 {
		return nil, fmt.Errorf("engine: negative op timeout %s", cfg.OpTimeout)
	}
	n := codecs.NumOps
	if cfg.Strategy.Topology == PerWorker {
		if cfg.Workers < 1 {
			return nil, fmt.Errorf("engine: per-worker topology needs at least 1 worker, got %d", cfg.Workers)
		}
		n = cfg.Workers
	}
	e := &Engine{lib: lib, cfg: cfg, quit: make(chan struct{}), poolRecs: map[int]*poolRecord{}}
	if s.Allocator == AllocatorV8 {
		a, err := backingstore.New(e.externalGC)
		if err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		e.v8 = a
	}
	base := cfg.Library // the codecs' options: lib's, or the caller's for the library New makes
	if lib != nil {
		base = lib.Options()
	}
	limit := cmp.Or(base.Limits.MaxMemoryBytes, codecs.DefaultMaxMemoryBytes) // each memory's cap: the codecs', or the strategy's
	if s.MemoryLimit != 0 {
		limit = uint64(s.MemoryLimit)
	}
	if s.Codecs == CodecsSquoosh {
		sq, err := newSquooshSet(ctx, limit, !base.Uninterruptible, base.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("engine: codecs squoosh: %w", err)
		}
		e.sq, e.set = sq, sq
	} else if lib == nil || s.Lifetime == Pool || s.Allocator == AllocatorMmap || limit != lib.Limits().MaxMemoryBytes ||
		s.Malloc != base.Malloc {
		opts := base
		opts.Limits.MaxMemoryBytes = limit
		opts.Malloc = s.Malloc
		own, err := codecs.New(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("engine: making the engine's own codecs runtime (%s): %w", s, err)
		}
		e.lib, e.ownLib = own, true
	}
	if e.set == nil {
		e.set = embeddedSet{lib: e.lib, alias: s.Results == ResultsAliased}
	}
	if s.Allocator == AllocatorMmap {
		e.alloc = new(mmapAllocator)
	}
	if s.PoolSize > 0 {
		for op := range e.bounded {
			e.bounded[op] = newBoundedSet(s.PoolSize)
		}
	}
	if s.Cache > 0 {
		e.cache = newResponseCache(s.Cache)
		e.cache.book = cfg.Memories
	}
	e.aborted, e.abort = context.WithCancel(context.WithoutCancel(ctx))
	if cfg.Strategy.Topology == PerWorker {
		e.queue = make(chan *task) // unbuffered: a send succeeds only into an idle worker
	}
	for i := range n {
		w := &worker{e: e, id: i + 1, tasks: e.queue}
		if cfg.Strategy.Topology == Pipeline {
			e.pipe[i] = make(chan *task)
			w.tasks = e.pipe[i]
		}
		e.workers = append(e.workers, w)
	}
	e.wg.Add(len(e.workers))
	for _, w := range e.workers {
		go w.loop()
	}
	return e, nil
}

// Do runs one request and blocks until it is done: decode, rotate (if
// Rotate is not 0), resize (if Width is set and smaller than the image),
// encode. Under the per-worker topology the whole request runs in one idle
// worker; under the pipeline each step runs in its operation's worker.
//
// # Errors
//
// An invalid request fails before any work (ErrInvalidRequest). An
// operation's failure fails the request with the codecs error wrapped
// with the request id and the operation; the instance involved is closed
// and never reused. A done ctx fails the request while it waits for a
// worker, and interrupts the running operation. After Close, Do fails
// with ErrClosed.
func (e *Engine) Do(ctx context.Context, req Request) (resp Response, err error) {
	defer func() {
		e.requests.Add(1)
		if err != nil {
			e.failed.Add(1)
		}
	}()
	if e.closed.Load() {
		return Response{}, fmt.Errorf("engine: request %d: %w", req.ID, ErrClosed)
	}
	p, err := e.prepare(req)
	if err != nil {
		return Response{}, err
	}
	cached := e.cache != nil && !p.hasTrap // fault injection always runs
	var (
		src *stepResult
		out processed
	)
	if cached {
		var hit bool
		if out, hit, src = e.cache.lookup(&p); hit {
			return e.handOut(out), nil
		}
	}
	if e.cfg.Strategy.Topology == Pipeline {
		out, err = process(ctx, p, e.dispatch, src, cached)
	} else {
		err = e.submit(ctx, e.queue, func(ctx context.Context, w *worker) error {
			var err error
			out, err = process(ctx, p, w.run, src, cached)
			return err
		})
		if err != nil {
			err = e.queueErr(req.ID, "", err)
		}
	}
	if err != nil {
		return Response{}, err
	}
	if cached {
		e.cache.add(&p, out)
	}
	return e.handOut(out), nil
}

// handOut is the response of out as the caller gets it: under allocator
// v8 with results aliased, with a copy of the output, since the caller's
// slice would not keep the encoder instance, whose pages the collector
// releases once it is unreachable (see memView); else as it is. The
// output's owner (out.outPin) is kept reachable until the copy is made:
// without it a collection between the encoder's return and the copy can
// release the pages being copied (a fault, seen under load).
func (e *Engine) handOut(out processed) Response {
	r := out.resp
	if e.v8 != nil && e.cfg.Strategy.Results == ResultsAliased {
		r.Output = bytes.Clone(r.Output)
	}
	runtime.KeepAlive(out.outPin.owner)
	return r
}

// dispatch is the pipeline's runFunc: it sends the step to its operation's
// worker and waits for it.
func (e *Engine) dispatch(ctx context.Context, id int, s step) (stepResult, error) {
	var res stepResult
	err := e.submit(ctx, e.pipe[s.op], func(ctx context.Context, w *worker) error {
		var err error
		res, err = w.run(ctx, id, s)
		return err
	})
	if err != nil {
		return stepResult{}, e.queueErr(id, s.op.String(), err)
	}
	return res, nil
}

// externalGC reports a collection allocator v8 started.
func (e *Engine) externalGC(c backingstore.Collection) {
	e.emit(Event{Kind: ExternalGC, Time: c.Start, Duration: c.Duration, Memory: c.External, GC: c.N})
}

// errQueued marks errors of a task that never reached a worker.
type errQueued struct{ err error }

func (q errQueued) Error() string { return q.err.Error() }
func (q errQueued) Unwrap() error { return q.err }

// queueErr wraps an error from submit: a task's own error is already
// wrapped by the worker; a queueing error gets the request id (and op).
func (e *Engine) queueErr(id int, op string, err error) error {
	var q errQueued
	if !errors.As(err, &q) {
		return err
	}
	if op != "" {
		return fmt.Errorf("engine: request %d: %s: waiting for a worker: %w", id, op, q.err)
	}
	return fmt.Errorf("engine: request %d: waiting for a worker: %w", id, q.err)
}

// submit hands run to whichever worker receives from ch first and waits
// until it has run. It gives up, with an errQueued, when ctx is done or the
// engine closes before a worker takes the task; once taken, the task runs
// to its end (ctx interrupts its operations).
func (e *Engine) submit(ctx context.Context, ch chan *task, run func(context.Context, *worker) error) error {
	t := &task{ctx: ctx, run: run, done: make(chan struct{})}
	select {
	case ch <- t:
	case <-ctx.Done():
		return errQueued{context.Cause(ctx)}
	case <-e.quit:
		return errQueued{ErrClosed}
	}
	<-t.done
	return t.err
}

// Close stops the engine: queued and later Do calls fail with ErrClosed,
// running requests finish (or, once ctx is done, have their operations
// interrupted), the workers exit and every live instance is closed, in
// reverse operation order, the response cache is emptied and, if the
// engine has a runtime of its own, that runtime is closed, which closes
// what a pool dropped. Glue views and listeners may still reference
// closed instances afterwards: that is the leak the strategy asked for.
// Close is idempotent; only the first call does anything.
func (e *Engine) Close(ctx context.Context) error {
	if !e.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(e.quit)
	stopped := make(chan struct{})
	go func() {
		e.wg.Wait()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-ctx.Done():
		e.abort()
		<-stopped
	}
	e.abort()
	var errs []error
	for _, w := range e.workers {
		errs = append(errs, w.closeAll(ctx))
	}
	for op := codecs.NumOps - 1; op >= 0; op-- {
		if b := e.bounded[op]; b != nil {
			for _, in := range b.drain() {
				e.pooled.Add(-1)
				errs = append(errs, e.workers[0].discard(ctx, in))
			}
		}
	}
	if e.cache != nil {
		e.cache.clear()
	}
	if e.ownLib {
		if err := e.lib.Close(context.WithoutCancel(ctx)); err != nil {
			errs = append(errs, fmt.Errorf("engine: closing its codecs runtime: %w", err))
		}
		e.sweepPool()
	}
	if e.sq != nil {
		if err := e.sq.close(context.WithoutCancel(ctx)); err != nil {
			errs = append(errs, fmt.Errorf("engine: closing its squoosh codecs: %w", err))
		}
		e.sweepPool()
	}
	// A glue may hold an instance that another worker (PoolSize) or the
	// runtime (a dropped Pool instance) closed: count it now.
	for _, w := range e.workers {
		for op := range w.glue {
			if g := &w.glue[op]; g.wasm != nil && g.wasm.Closed() {
				g.instanceClosed(e, g.wasm)
			}
		}
	}
	return errors.Join(errs...)
}
