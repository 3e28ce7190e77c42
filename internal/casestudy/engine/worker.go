package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/tetratelabs/wazero/experimental"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/memprofile"
)

// worker is one worker of the optimizer, the counterpart of a Node worker
// thread: it runs tasks one at a time, owns the codec instances it
// created (kept under Reuse and Recycle without a PoolSize, pooled under
// Pool) and the module scope of each bindgen-style codec (the glue). Its
// fields are touched only by its own goroutine, and by Close once the
// goroutine has exited.
type worker struct {
	e     *Engine
	id    int        // from 1
	tasks chan *task // its queue: shared by all workers (per-worker) or its operation's own (pipeline)

	kept  [codecs.NumOps]*instance   // Reuse, Recycle: the instance of each codec, nil until met, recycled or failed
	pools [codecs.NumOps]sync.Pool   // Pool: each codec's idle instance, as a *pooled
	busy  *instance                  // the instance of the running step, for panic recovery
	glue  [codecs.NumOps]bindgenGlue // module scope of each bindgen-style codec
}

// instance is a codec instance with the engine's accounting of it.
type instance struct {
	inst codecInstance
	op   codecs.Op
	size int64       // linear memory as last added to Engine.linear
	em   *emModule   // its emscripten Module if a listener captured it
	uses int         // operations it has run (Recycle)
	rec  *poolRecord // Pool: the engine's record of it
	// perCall: made for one operation and closed after it, whatever the
	// lifetime (Strategy.perCall, codecSet.perCall); it is never kept,
	// pooled or counted in a bounded set.
	perCall bool
}

// loop takes tasks until the engine closes.
func (w *worker) loop() {
	defer w.e.wg.Done()
	for {
		select {
		case <-w.e.quit:
			return
		case t := <-w.tasks:
			w.exec(t)
		}
	}
}

// exec runs one task with a context that Close can abort, and signals its
// end. A panic (a bug) fails the task and discards the worker's instances
// rather than crashing the process.
func (w *worker) exec(t *task) {
	ctx, cancel := context.WithCancel(t.ctx)
	stop := context.AfterFunc(w.e.aborted, cancel)
	defer func() {
		if p := recover(); p != nil {
			t.err = fmt.Errorf("engine: worker %d: panic: %v", w.id, p)
			if w.busy != nil && w.kept[w.busy.op] != w.busy { // checked out: no holder will close it
				_ = w.discard(ctx, w.busy)
			}
			w.busy = nil
			_ = w.closeAll(ctx)
		}
		stop()
		cancel()
		close(t.done)
	}()
	t.err = t.run(ctx, w)
}

// run executes one step of request id in this worker: get an instance,
// let the glue see it, call the codec (or trap), account for memory and
// retire the instance when the strategy or a failure says so.
func (w *worker) run(ctx context.Context, id int, s step) (stepResult, error) {
	wrap := func(err error) error { return fmt.Errorf("engine: request %d: %s: %w", id, s.op, err) }
	if err := ctx.Err(); err != nil {
		return stepResult{}, wrap(context.Cause(ctx))
	}
	// s.img may be a slice of another instance's memory (results
	// aliased): its owner must stay reachable until the call has read it.
	defer runtime.KeepAlive(s.in.owner)
	in, err := w.acquire(ctx, s.op, s.format)
	if err != nil {
		return stepResult{}, wrap(err)
	}
	w.busy = in // until it is discarded or the step ends; read by exec's recover
	strat := w.e.cfg.Strategy
	var g *bindgenGlue
	if in.inst.Glue() == codecs.GlueBindgen {
		g = &w.glue[s.op]
		g.enter(w.e, in.inst)
	}

	opCtx, cancel := ctx, context.CancelFunc(func() {})
	if w.e.cfg.OpTimeout > 0 {
		opCtx, cancel = context.WithTimeout(ctx, w.e.cfg.OpTimeout)
	}
	start := time.Now()
	w.e.emit(Event{Kind: OpStarted, Time: start, Op: s.op, Worker: w.id, Instance: in.inst.ID(), Request: id, Memory: uint64(in.size)})
	res, bytesIn, err := call(opCtx, in.inst, s)
	end := time.Now()
	cancel()

	if err == nil {
		if g != nil {
			g.exit(in.inst)
		}
		if in.em != nil {
			in.em.refresh()
		}
	}
	w.account(in)
	w.e.emit(Event{
		Kind: OpDone, Time: end, Op: s.op, Worker: w.id, Instance: in.inst.ID(), Request: id,
		Memory: uint64(in.size), Duration: end.Sub(start), BytesIn: bytesIn,
		BytesOut: len(res.img.Pix) + len(res.out), Err: err,
	})
	if g != nil && strat.Views == ViewsCleared {
		g.clear(w.e)
	}
	if err == nil && strat.Results == ResultsAliased {
		// The result is a slice of this memory: what it keeps reachable.
		res.pin = pin{instance: in.inst.ID(), size: heldBytes(viewOf(in.inst))}
		if w.e.v8 != nil {
			res.pin.owner = in.inst // see pin
		}
	}
	in.uses++
	w.busy = nil
	w.release(ctx, in, err)
	if err != nil {
		return stepResult{}, wrap(err)
	}
	return res, nil
}

// release hands in back to its holder after an operation, or closes it:
// after a failure, under Fresh, for a codec Reused keeps per call, and
// under Recycle once it has run RecycleAfter operations.
func (w *worker) release(ctx context.Context, in *instance, opErr error) {
	strat := w.e.cfg.Strategy
	switch {
	case opErr != nil, strat.Lifetime == Fresh, in.perCall, strat.Lifetime == Recycle && in.uses >= strat.RecycleAfter:
		_ = w.discard(ctx, in) // a Close error is reported in its event
	case strat.Lifetime == Pool:
		w.repool(in)
	case w.e.bounded[in.op] != nil:
		w.e.pooled.Add(1)
		w.e.bounded[in.op].put(in)
	}
}

// call runs the codec operation of s on inst, or its trap.
func call(ctx context.Context, inst codecInstance, s step) (res stepResult, bytesIn int, err error) {
	bytesIn = len(s.img.Pix)
	if s.op == codecs.Decode {
		bytesIn = len(s.src)
	}
	if err := ctx.Err(); err != nil { // an expired deadline: do not even start
		return res, bytesIn, context.Cause(ctx)
	}
	if s.trap {
		t, ok := inst.(trapper)
		if !ok {
			return res, bytesIn, fmt.Errorf("fault injection: this codec set has no trap to inject")
		}
		err := t.InjectTrap(ctx)
		if err == nil {
			err = fmt.Errorf("injected trap did not trap")
		}
		return res, bytesIn, err
	}
	res, err = inst.run(ctx, s)
	return res, bytesIn, err
}

// acquire returns an instance for op on a source of format src (Decode):
// a new one for a codec Reused or the codec set keeps per call, else from
// the worker's pool (Pool), the engine's bounded set (PoolSize), the
// worker's kept one (Reuse, Recycle), else a new one.
func (w *worker) acquire(ctx context.Context, op codecs.Op, src codecs.Format) (*instance, error) {
	e := w.e
	switch {
	case e.cfg.Strategy.perCall(op) || e.set.perCall(op, src):
		// reused: bindgen, or the set's per-call module: a new instance
		// whatever the lifetime.
		in, err := w.instantiate(ctx, op, src)
		if err == nil {
			in.perCall = true
		}
		return in, err
	case e.cfg.Strategy.Lifetime == Pool:
		if v := w.pools[op].Get(); v != nil {
			return e.unpool(v.(*pooled)), nil
		}
	case e.bounded[op] != nil:
		b := e.bounded[op]
		in, err := b.take(ctx)
		if err != nil {
			return nil, fmt.Errorf("waiting for one of the %d %s instances (pool_size): %w", e.cfg.Strategy.PoolSize, op, err)
		}
		if in != nil {
			e.pooled.Add(-1)
			return in, nil
		}
		in, err = w.instantiate(ctx, op, src)
		if err != nil {
			b.free()
		}
		return in, err
	case e.cfg.Strategy.Lifetime == Reuse, e.cfg.Strategy.Lifetime == Recycle:
		if in := w.kept[op]; in != nil {
			return in, nil
		}
		in, err := w.instantiate(ctx, op, src)
		if err == nil {
			w.kept[op] = in
		}
		return in, err
	}
	return w.instantiate(ctx, op, src)
}

// instantiate creates an instance of op (on sources of format src), with
// the engine's allocator and result policy. A new emscripten-style
// instance registers its listener under ListenersLeaked; a Pool instance
// gets its record.
func (w *worker) instantiate(ctx context.Context, op codecs.Op, src codecs.Format) (*instance, error) {
	e := w.e
	if e.alloc != nil {
		ctx = experimental.WithMemoryAllocator(ctx, e.alloc)
	}
	if e.v8 != nil {
		ctx = experimental.WithMemoryAllocator(ctx, e.v8)
	}
	inst, err := e.set.instantiate(ctx, op, src)
	if err != nil {
		return nil, fmt.Errorf("instantiate: %w", err)
	}
	if e.v8 != nil {
		// From here on each of the instance's api.Memory objects decides
		// when its pages are released: when it is unreachable.
		for _, mem := range inst.Memories() {
			if err := e.v8.Adopt(mem); err != nil {
				_ = inst.Close(ctx)
				return nil, fmt.Errorf("instantiate: %w", err)
			}
		}
	}
	in := &instance{inst: inst, op: op, size: int64(inst.MemorySize())}
	e.live.Add(1)
	e.total.Add(1)
	e.linear.Add(in.size)
	e.cfg.Memories.Add(inst.ID(), w.id, op.String(), in.size, memprofile.Callers(0))
	if inst.Glue() == codecs.GlueEmscripten && e.cfg.Strategy.Listeners == ListenersLeaked {
		in.em = &emModule{op: op, heap: viewOf(inst), worker: w.id}
		register(in.em)
	}
	if e.cfg.Strategy.Lifetime == Pool {
		e.track(w, in)
	}
	e.emit(Event{Kind: InstanceCreated, Time: time.Now(), Op: op, Worker: w.id, Instance: inst.ID(), Memory: uint64(in.size)})
	return in, nil
}

// account brings Engine.linear up to date with in's memory size.
func (w *worker) account(in *instance) {
	if size := int64(in.inst.MemorySize()); size != in.size {
		w.e.linear.Add(size - in.size)
		in.size = size
		w.e.cfg.Memories.Resize(in.inst.ID(), size)
	}
}

// discard closes in and forgets it (it is never reused), then accounts for
// what still references it: the glue (ViewsLeaked) or a listener
// (ListenersLeaked).
func (w *worker) discard(ctx context.Context, in *instance) error {
	e := w.e
	if w.kept[in.op] == in {
		w.kept[in.op] = nil
	}
	if in.rec != nil {
		e.untrack(in.rec)
	}
	w.account(in) // the instance may have grown in a failed op
	err := in.inst.Close(ctx)
	e.live.Add(-1)
	e.linear.Add(-in.size)
	if b := e.bounded[in.op]; b != nil && !in.perCall {
		b.free()
	}
	counted := false
	if in.inst.Glue() == codecs.GlueBindgen {
		counted = w.glue[in.op].instanceClosed(e, in.inst)
	}
	if in.em != nil && !counted {
		e.listenerClosed(in.em)
	}
	e.memoryClosed(w, in, counted)
	e.emit(Event{Kind: InstanceClosed, Time: time.Now(), Op: in.op, Worker: w.id, Instance: in.inst.ID(), Memory: uint64(in.size), Err: err})
	if err != nil {
		return fmt.Errorf("engine: worker %d: closing %s instance %d: %w", w.id, in.op, in.inst.ID(), err)
	}
	return nil
}

// closeAll closes the worker's kept and pooled instances in reverse
// operation order. Instances a pool has dropped are not the worker's any
// more: only the runtime can close them.
func (w *worker) closeAll(ctx context.Context) error {
	var errs []error
	for op := codecs.NumOps - 1; op >= 0; op-- {
		if in := w.kept[op]; in != nil {
			errs = append(errs, w.discard(ctx, in))
		}
		for v := w.pools[op].Get(); v != nil; v = w.pools[op].Get() {
			errs = append(errs, w.discard(ctx, w.e.unpool(v.(*pooled))))
		}
	}
	return errors.Join(errs...)
}
