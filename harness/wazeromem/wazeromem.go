// Package wazeromem records the linear memories of a wazero target for
// leakbench's linear memory profile (linear-*.pb.gz beside a run's
// samples, see docs/pprof.md). It is kept apart from package harness so
// that a program built on harness links wazero only when its target uses
// it.
//
// Embed a *Recorder in your target, made with NewRecorder, and
// instantiate every module with the context that its Context method
// returns: the target is then a target.LinearMemories, and each memory
// is profiled with the stack that instantiated it.
package wazeromem

import (
	"context"
	"sync"
	"unsafe"
	"weak"

	"github.com/leakbench/leakbench/harness/target"

	"github.com/tetratelabs/wazero/experimental"

	"github.com/leakbench/leakbench/internal/memprofile"
)

// Recorder is a wazero memory allocator that records every linear memory
// it allocates, with the stack that instantiated it, so that a target it
// is embedded in lists its memories (target.LinearMemories). A memory is
// held "live" until wazero frees it (its module is closed); after that it
// is listed "closed" for as long as its backing array is still
// reachable from anywhere, which the Recorder learns from a weak pointer
// (package weak): a closed memory that survives a GC is a leak, and its
// instantiation stack says whose. It holds no strong reference to a
// closed memory itself.
//
// The backing arrays are Go slices grown by append, as wazero's own
// default allocation (internal/wasm/memory.go NewMemoryInstance, Grow) does
// for a memory with no allocator; only the latest array of a memory that
// grew is tracked.
type Recorder struct {
	codec string // the Codec label of its memories

	mu   sync.Mutex
	next int
	mems map[int]*recorded
}

// recorded is the Recorder's note of one memory.
type recorded struct {
	id     int
	stack  []uintptr
	size   int64
	closed bool
	array  weak.Pointer[byte] // the backing array, once closed
}

// NewRecorder returns a Recorder whose memories are labelled codec.
func NewRecorder(codec string) *Recorder {
	return &Recorder{codec: codec, mems: map[int]*recorded{}}
}

// Context returns ctx with r as wazero's memory allocator: every module
// instantiated with it records its memory in r.
func (r *Recorder) Context(ctx context.Context) context.Context {
	return experimental.WithMemoryAllocator(ctx, r)
}

// Allocate implements experimental.MemoryAllocator: a memory of capacity
// cap (bytes) that may grow to max, recorded with the caller's stack.
func (r *Recorder) Allocate(cap, max uint64) experimental.LinearMemory {
	r.mu.Lock()
	r.next++
	rec := &recorded{id: r.next, stack: memprofile.Callers(1)}
	r.mems[rec.id] = rec
	r.mu.Unlock()
	return &linearMemory{r: r, rec: rec, buf: make([]byte, 0, cap), max: max}
}

// LinearMemories lists the memories of r (target.LinearMemory values)
// that are live, or closed and still reachable; it forgets those the GC
// has collected.
func (r *Recorder) LinearMemories() []target.LinearMemory {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]target.LinearMemory, 0, len(r.mems))
	for id := 1; id <= r.next; id++ {
		rec := r.mems[id]
		if rec == nil {
			continue
		}
		holder := target.HolderLive
		if rec.closed {
			if rec.array.Value() == nil {
				delete(r.mems, id)
				continue
			}
			holder = target.HolderClosed
		}
		out = append(out, target.LinearMemory{Codec: r.codec, Holder: holder, Instance: id, Bytes: rec.size, Stack: rec.stack})
	}
	return out
}

// linearMemory is one memory the Recorder allocated.
type linearMemory struct {
	r   *Recorder
	rec *recorded
	buf []byte
	max uint64
}

// Reallocate implements experimental.LinearMemory: grow to size bytes,
// within max; nil past it.
func (m *linearMemory) Reallocate(size uint64) []byte {
	if size > m.max {
		return nil
	}
	if n := uint64(len(m.buf)); size > n {
		m.buf = append(m.buf, make([]byte, size-n)...)
	}
	m.buf = m.buf[:size]
	m.r.mu.Lock()
	m.rec.size = int64(cap(m.buf))
	m.r.mu.Unlock()
	return m.buf
}

// Free implements experimental.LinearMemory: the module is closed. The
// memory is now garbage unless something else still references it.
func (m *linearMemory) Free() {
	m.r.mu.Lock()
	defer m.r.mu.Unlock()
	if m.rec.closed {
		return
	}
	m.rec.closed = true
	if cap(m.buf) > 0 {
		m.rec.array = weak.Make(unsafe.SliceData(m.buf[:1]))
	} else {
		delete(m.r.mems, m.rec.id)
	}
	m.buf = nil
}
