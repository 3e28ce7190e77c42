package engine

import (
	"runtime"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// Lifetime Pool: one sync.Pool per codec and worker (worker.pools). After
// each operation the worker puts its instance back, wrapped in a fresh
// *pooled, and takes it out again for the next one. sync.Pool moves what
// it holds to a victim cache at one GC and drops it at the next; nothing
// closes a dropped instance, so wazero's store keeps it linked, with its
// whole linear memory, until the runtime closes. The engine then runs a
// runtime of its own (see New), so its Close is that moment.
//
// sync.Pool keeps a private slot per P (processor) that only that P can
// take from: a worker that runs on another P than when it put its
// instance back may find its pool empty and create another, so between
// GCs a worker may hold up to GOMAXPROCS instances of a codec, as any Go
// program pooling this way does. Close takes back what it can reach; the
// rest is closed with the runtime.
//
// The engine notices a drop through a cleanup (runtime.AddCleanup) on the
// wrapper, which receives the instance's poolRecord: a record of values
// that references no instance (only, under ListenersLeaked, the emscripten
// Module, which the process-global registry holds anyway), so the engine's
// bookkeeping keeps nothing reachable that the pool let go.

// pooled is what a worker's sync.Pool holds: one idle instance.
type pooled struct {
	in      *instance
	cleanup runtime.Cleanup // records the drop if the pool lets go of this wrapper
}

// poolState is where a Pool instance is.
type poolState uint8

const (
	recOut     poolState = iota // taken by its worker, running an operation
	recPooled                   // idle in its worker's pool
	recDropped                  // dropped by the pool at a GC, never closed: held by the runtime only
	recClosed                   // closed by the engine or by its runtime's Close
)

// poolRecord is the engine's note of one Pool instance. Its fields are
// guarded by Engine.poolMu.
type poolRecord struct {
	id, worker int
	op         codecs.Op
	size       int64 // linear memory when last put in the pool
	state      poolState
	em         *emModule // the listener's Module, if ListenersLeaked registered one
}

// track records a new Pool instance, taken by worker w.
func (e *Engine) track(w *worker, in *instance) {
	in.rec = &poolRecord{id: in.inst.ID(), worker: w.id, op: in.op, size: in.size, state: recOut, em: in.em}
	e.poolMu.Lock()
	e.poolRecs[in.rec.id] = in.rec
	e.poolMu.Unlock()
}

// untrack forgets a Pool instance that the engine is closing.
func (e *Engine) untrack(rec *poolRecord) {
	e.poolMu.Lock()
	rec.state = recClosed
	delete(e.poolRecs, rec.id)
	e.poolMu.Unlock()
}

// repool puts in, which has just run an operation, back in w's pool.
func (w *worker) repool(in *instance) {
	e := w.e
	e.poolMu.Lock()
	in.rec.size, in.rec.state = in.size, recPooled
	e.poolMu.Unlock()
	e.pooled.Add(1)
	p := &pooled{in: in}
	p.cleanup = runtime.AddCleanup(p, e.poolDropped, in.rec)
	w.pools[in.op].Put(p)
}

// unpool takes the instance out of a wrapper that a pool returned.
func (e *Engine) unpool(p *pooled) *instance {
	p.cleanup.Stop()
	e.poolMu.Lock()
	p.in.rec.state = recOut
	e.poolMu.Unlock()
	e.pooled.Add(-1)
	return p.in
}

// poolDropped is the cleanup of a wrapper the pool let go: its instance is
// now held by the runtime only. It runs on the runtime's cleanup
// goroutine.
func (e *Engine) poolDropped(rec *poolRecord) {
	e.poolMu.Lock()
	if rec.state != recPooled {
		e.poolMu.Unlock()
		return
	}
	rec.state = recDropped
	size := rec.size
	e.poolMu.Unlock()
	e.pooled.Add(-1)
	e.dropped.Add(1)
	e.droppedMem.Add(size)
	e.cfg.Memories.Hold(rec.id, HolderPool, size)
	e.emit(Event{Kind: InstanceDropped, Time: time.Now(), Op: rec.op, Worker: rec.worker, Instance: rec.id, Memory: uint64(size)})
}

// sweepPool accounts for the Pool instances that the runtime's Close has
// just closed: those the pools dropped, and those still in a pool that
// Close could not take back (sync.Pool hands a P's private slot only to
// that P).
func (e *Engine) sweepPool() {
	e.poolMu.Lock()
	recs := e.poolRecs
	e.poolRecs = map[int]*poolRecord{}
	prev := make(map[*poolRecord]poolState, len(recs))
	for _, r := range recs {
		prev[r], r.state = r.state, recClosed
	}
	e.poolMu.Unlock()
	for r, was := range prev {
		e.live.Add(-1)
		e.linear.Add(-r.size)
		switch was {
		case recDropped:
			e.dropped.Add(-1)
			e.droppedMem.Add(-r.size)
		case recPooled:
			e.pooled.Add(-1)
		}
		if r.em != nil {
			e.listenerClosed(r.em)
		}
		e.emit(Event{Kind: InstanceClosed, Time: time.Now(), Op: r.op, Worker: r.worker, Instance: r.id, Memory: uint64(r.size)})
	}
}
