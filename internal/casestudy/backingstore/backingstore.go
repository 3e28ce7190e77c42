package backingstore

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// V8's constants, as this package uses them.
const (
	// FullGuardSize is the address space every wasm memory reserves on a
	// 64-bit target (kFullGuardSize, src/objects/backing-store.cc).
	FullGuardSize = 10 << 30
	// NegativeGuardSize is where the buffer starts in the reservation
	// (kNegativeGuardSize, src/objects/backing-store.cc).
	NegativeGuardSize = 2 << 30
	// ExternalAllocationSoftLimit is how far external memory may grow past
	// its level at the last collection before a collection starts
	// (Internals::kExternalAllocationSoftLimit, include/v8-internal.h;
	// the limit Heap::ReportExternalMemoryPressure answers, heap.cc).
	ExternalAllocationSoftLimit = 64 << 20
)

// Supported reports whether this platform has the allocator (Linux).
const Supported = supported

// Collection is one collection the allocator started for external memory
// pressure.
type Collection struct {
	N        int           // which one, from 1
	Start    time.Time     // when it started
	Duration time.Duration // how long runtime.GC took (the releases its cleanups do follow it)
	External uint64        // committed bytes when it started
	Limit    uint64        // the limit they had grown past
}

// Stats are an allocator's counters. Every figure counts memories not yet
// released (unmapped).
type Stats struct {
	Committed   uint64 // bytes committed read-write: the external memory
	Closed      uint64 // of Committed, bytes of memories wazero freed (closed) whose owner is still reachable
	Reserved    uint64 // address space reserved
	Memories    int    // memories mapped
	Released    int    // memories released so far
	Collections int    // collections started for external memory pressure
}

// Allocator is a wazero experimental.MemoryAllocator of V8-style backing
// stores (see the package doc). It is goroutine-safe. Its zero value is
// not usable: call New.
type Allocator struct {
	onCollect func(Collection)
	s         *state
}

// state is an allocator's counters and pressure bookkeeping. It is
// referenced by the allocator's mappings, and so by the cleanups attached
// to their owners: it must reference nothing that could lead back to an
// owner (no callback, no memory), or no owner would ever be collected.
type state struct {
	mu         sync.Mutex
	committed  uint64
	closed     uint64
	reserved   uint64
	memories   int
	released   int
	baseline   uint64               // committed bytes at the last collection's end, lowered by releases since
	collecting bool                 // a collection is running
	n          int                  // collections started
	unadopted  map[uintptr]*mapping // by buffer address: memories no owner has adopted yet
	idle       *sync.Cond           // signalled when a collection ends
}

// New returns an allocator that reports each collection it starts to
// onCollect (which may be nil), called from the collection's goroutine
// once runtime.GC has returned. It fails off Linux.
func New(onCollect func(Collection)) (*Allocator, error) {
	if !supported {
		return nil, fmt.Errorf("backingstore: allocator v8 is implemented on linux only, not on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	s := &state{unadopted: map[uintptr]*mapping{}}
	s.idle = sync.NewCond(&s.mu)
	return &Allocator{onCollect: onCollect, s: s}, nil
}

// Stats returns the allocator's counters.
func (a *Allocator) Stats() Stats {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		Committed: s.committed, Closed: s.closed, Reserved: s.reserved,
		Memories: s.memories, Released: s.released, Collections: s.n,
	}
}

// Limit returns the external-memory limit now in force: the committed
// bytes past which the next collection starts.
func (a *Allocator) Limit() uint64 {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseline + ExternalAllocationSoftLimit
}

// WaitCollections blocks until no collection the allocator started is
// running. For tests; the engine never waits for one, as V8's mutator
// does not wait for the incremental marking it starts.
func (a *Allocator) WaitCollections() {
	s := a.s
	s.mu.Lock()
	for s.collecting {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// Allocate implements experimental.MemoryAllocator: it reserves
// FullGuardSize of inaccessible address space, whatever max is (max, as
// wazero computes it from the module or the runtime's limit, only caps
// growth, as V8's byte_capacity does). wazero's capacity hint is ignored.
// When the reservation fails the memory it returns cannot grow, so
// wazero's instantiation fails.
func (a *Allocator) Allocate(_, max uint64) experimental.LinearMemory {
	max = min(max, FullGuardSize-NegativeGuardSize)
	pages, err := ReservePages(FullGuardSize, NegativeGuardSize, max)
	if err != nil {
		return &Memory{a: a, mp: &mapping{s: a.s}}
	}
	mp := &mapping{s: a.s, pages: pages}
	s := a.s
	s.mu.Lock()
	s.reserved += FullGuardSize
	s.memories++
	s.unadopted[mp.addr()] = mp
	s.mu.Unlock()
	return &Memory{a: a, mp: mp}
}

// Adopt makes owner, the api.Memory wazero hands out for a memory this
// allocator allocated (api.Module.Memory), the Go object whose
// reachability decides when the pages go back to the OS: a cleanup
// attached to it releases the memory once it is unreachable (and wazero
// has freed it, or never will). It is called once per memory, right after
// instantiation; a memory wazero frees before any owner adopted it (a
// failed instantiation) is released at once, since nothing can hold a
// view of it.
//
// owner must be a pointer (wazero's *MemoryInstance) whose buffer starts
// at a memory of this allocator that no owner adopted yet.
func (a *Allocator) Adopt(owner api.Memory) error {
	if owner == nil {
		return errors.New("backingstore: adopt: nil memory")
	}
	v := reflect.ValueOf(owner)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("backingstore: adopt: memory is a %T, not a pointer the collector can track", owner)
	}
	b, _ := owner.Read(0, 0)
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	s := a.s
	s.mu.Lock()
	mp := s.unadopted[addr]
	delete(s.unadopted, addr)
	s.mu.Unlock()
	if mp == nil {
		return fmt.Errorf("backingstore: adopt: memory at %#x is not an unadopted memory of this allocator", addr)
	}
	mp.mu.Lock()
	mp.adopted = true
	mp.mu.Unlock()
	// The cleanup's argument is the mapping, which references neither
	// owner nor anything that leads back to it: owner stays collectable.
	runtime.AddCleanup((*byte)(v.UnsafePointer()), (*mapping).release, mp)
	return nil
}

// grew accounts for d more committed bytes and starts a collection when
// external memory has grown past its limit (V8's
// AdjustAmountOfExternalAllocatedMemory reaching
// Heap::ReportExternalMemoryPressure).
func (a *Allocator) grew(d uint64) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.committed += d
	limit := s.baseline + ExternalAllocationSoftLimit
	if s.committed <= limit || s.collecting {
		return
	}
	s.collecting = true
	s.n++
	go a.collect(Collection{N: s.n, External: s.committed, Limit: limit})
}

// collect runs one pressure collection: the only runtime.GC of the
// engine's code.
func (a *Allocator) collect(c Collection) {
	c.Start = time.Now()
	runtime.GC()
	c.Duration = time.Since(c.Start)
	s := a.s
	s.mu.Lock()
	s.baseline = s.committed
	s.collecting = false
	s.idle.Broadcast()
	s.mu.Unlock()
	if a.onCollect != nil {
		a.onCollect(c)
	}
}

// Memory is one backing store as wazero sees it: an
// experimental.LinearMemory. wazero calls Reallocate and Free from the
// goroutine running or closing its instance, and drops its reference to
// the Memory at Close.
type Memory struct {
	a  *Allocator
	mp *mapping
}

// mapping is a backing store's pages: what the owner's cleanup releases.
// Its mutex orders Reallocate, Free and release.
type mapping struct {
	s       *state
	mu      sync.Mutex
	pages   Pages // FullGuardSize reserved, the guest's window from NegativeGuardSize; unmapped once released (or never mapped)
	closed  bool  // wazero freed it
	adopted bool  // an owner's cleanup will release it
}

// addr is the buffer's address, the key of state.unadopted.
func (mp *mapping) addr() uintptr { return mp.pages.Addr() }

// Reallocate implements experimental.LinearMemory: it commits the pages
// up to size in place and returns the first size bytes of the buffer,
// which never moves. It returns nil (a failed grow, for wazero) past the
// capacity, after Free, or when mprotect fails.
func (m *Memory) Reallocate(size uint64) []byte {
	mp := m.mp
	mp.mu.Lock()
	defer mp.mu.Unlock()
	if mp.closed {
		return nil
	}
	added, ok := mp.pages.Commit(size)
	if !ok {
		return nil
	}
	if added > 0 {
		m.a.grew(added)
	}
	return mp.pages.Bytes(size)
}

// Free implements experimental.LinearMemory. wazero calls it at Close:
// the memory is only marked closed, and stays mapped until its owner is
// collected. A memory no owner adopted is released at once. Idempotent.
func (m *Memory) Free() {
	mp := m.mp
	mp.mu.Lock()
	if !mp.pages.Mapped() || mp.closed {
		mp.mu.Unlock()
		return
	}
	mp.closed = true
	if mp.adopted {
		mp.s.mu.Lock()
		mp.s.closed += mp.pages.Committed()
		mp.s.mu.Unlock()
		mp.mu.Unlock()
		return
	}
	mp.mu.Unlock()
	mp.s.mu.Lock()
	delete(mp.s.unadopted, mp.addr())
	mp.s.mu.Unlock()
	mp.release()
}

// release unmaps the reservation and takes its bytes off the counters:
// the owner's cleanup, or Free of a memory never adopted. Idempotent.
func (mp *mapping) release() {
	mp.mu.Lock()
	defer mp.mu.Unlock()
	if !mp.pages.Mapped() {
		return
	}
	reserved := mp.pages.Reserved()
	committed := mp.pages.Unmap()
	s := mp.s
	s.mu.Lock()
	s.committed -= committed
	if mp.closed {
		s.closed -= committed
	}
	s.reserved -= reserved
	s.memories--
	s.released++
	s.baseline = min(s.baseline, s.committed)
	s.mu.Unlock()
}
