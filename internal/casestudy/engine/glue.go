package engine

import (
	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// memView is a view of an instance's whole linear memory held together
// with the instance it belongs to, as a JS Uint8Array holds the
// ArrayBuffer it views: whoever keeps the bytes keeps their owner. Under
// allocator v8 this is what makes reading through a view after its
// memory's release impossible by construction: the pages go back to the
// OS only when the instance's api.Memory is unreachable, and the
// instance references it, so as long as a memView is reachable its bytes
// are mapped. Every view the engine keeps beyond one call (the glue's
// cachegetUint8Memory0, emscripten's HEAPU8) is a memView, and every
// aliased result carries its instance in its pin; the engine never keeps
// a bare slice of linear memory. (Under allocator mmap the pages go at
// Close whatever holds them, so the engine drops the bytes of a closed
// mmap instance's views instead.)
//
// b has one slice per module of the instance: one, except for the
// squoosh set's encodePng (squoosh_png and oxipng, each with its glue's
// view).
type memView struct {
	inst codecInstance
	b    [][]byte
}

// viewOf returns a view of inst's whole memory (nil bytes once closed).
func viewOf(inst codecInstance) memView { return memView{inst: inst, b: inst.Views()} }

// capacity is the sum of the capacities of the view's slices.
func (v memView) capacity() int {
	n := 0
	for _, b := range v.b {
		n += cap(b)
	}
	return n
}

// bindgenGlue is the module scope of one wasm-bindgen-style codec (decode,
// resize, encodePng) in one worker, as the JavaScript glue had it:
//
//	let wasm;                    // the instance's exports
//	let cachegetUint8Memory0;    // a Uint8Array over its whole memory
//
// The glue sets both when an operation passes its arguments in and
// refreshes the view when it reads the result out. With ViewsLeaked
// nothing resets them, so after a Fresh instance is closed they keep it
// (an instance references its memory even after Close) and its
// whole linear memory reachable until the worker next uses that codec.
// With ViewsCleared the worker drops them after every operation, as the
// published cleanup() does.
//
// A bindgenGlue belongs to one worker and is touched only by that
// worker's goroutine (or by Close once the workers have stopped).
type bindgenGlue struct {
	wasm codecInstance // `wasm`
	view memView       // `cachegetUint8Memory0`
	// retained is what this glue adds to Engine.leakedViews: cap(view)
	// once wasm is closed, else 0.
	retained int64
	// dead: wasm was an mmap instance and is closed, so its memory went
	// back to the OS; the view was dropped (it would point into unmapped
	// memory) and the glue counts in Engine.deadViews instead.
	dead bool
}

// enter is the glue's side of an operation's start on inst: set the module
// variables and cache a view of memory to pass arguments in. Moving to a
// new instance releases whatever the glue kept of the previous one.
func (g *bindgenGlue) enter(e *Engine, inst codecInstance) {
	if g.wasm != inst {
		g.release(e)
	}
	g.wasm = inst
	g.view = viewOf(inst)
}

// exit is the glue's side of a successful operation: refresh the view,
// which the result is read through (memory may have grown).
func (g *bindgenGlue) exit(inst codecInstance) {
	if v := viewOf(inst); len(v.b) != 0 {
		g.view = v
	}
}

// clear is cleanup(): drop both references.
func (g *bindgenGlue) clear(e *Engine) {
	g.release(e)
	g.wasm, g.view = nil, memView{}
}

// instanceClosed accounts for the glue still holding inst after it was
// closed: what it keeps is now memory reachable only through the leaked
// glue (see heldBytes). It reports whether it counted anything.
//
// Under allocator mmap the memory was unmapped at Close: the glue holds
// nothing but the instance object, so it drops its view (nothing may read
// through it) and counts as a dead view. Under allocator v8, as under go,
// the view keeps the memory (mapped, closed but unreleased) and counts.
func (g *bindgenGlue) instanceClosed(e *Engine, inst codecInstance) bool {
	if g.wasm != inst || g.retained != 0 || g.dead {
		return false
	}
	if e.alloc != nil {
		g.view, g.dead = memView{}, true
		e.deadViews.Add(1)
		return true
	}
	g.retained = heldBytes(g.view)
	e.leakedViews.Add(g.retained)
	return g.retained != 0
}

// release stops counting what the glue retains.
func (g *bindgenGlue) release(e *Engine) {
	if g.retained != 0 {
		e.cfg.Memories.Release(g.wasm.ID(), HolderViews)
		e.leakedViews.Add(-g.retained)
		g.retained = 0
	}
	if g.dead {
		e.deadViews.Add(-1)
		g.dead = false
	}
}

// emModule is the emscripten glue's Module object for one instance (of
// encodeJpeg or encodeWebp): the instance and HEAPU8, a view of its whole
// linear memory that the glue refreshes whenever memory grows. With
// ListenersLeaked a listener closure capturing it is registered in the
// process-global registry at instantiation and never removed.
type emModule struct {
	op     codecs.Op
	heap   memView // HEAPU8 and its instance; written by the owning worker only
	gen    uint64  // registry generation at registration (guarded by registry.mu)
	worker int
}

// refresh is emscripten's updateMemoryViews after an operation.
func (m *emModule) refresh() {
	if v := viewOf(m.heap.inst); len(v.b) != 0 {
		m.heap = v
	}
}

// heldBytes is the memory a view of a closed instance's memory, with the
// instance, keeps reachable, each backing array counted once: the sum of
// the capacities of v's slices, which after a successful operation is
// exactly the instance's final memory. When an operation grew memory past
// the view and then failed, the instance still references its final
// memory, which may or
// may not be a new array (wazero reallocates only past its buffer's
// capacity); counting the larger of the two keeps the figure a lower
// bound that never counts one array twice.
func heldBytes(v memView) int64 {
	return int64(max(uint64(v.capacity()), v.inst.MemorySize()))
}
