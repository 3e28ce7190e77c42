package engine

import (
	"sync/atomic"

	"github.com/tetratelabs/wazero/experimental"

	"github.com/leakbench/leakbench/internal/casestudy/backingstore"
)

// mmapSupported reports whether allocator mmap exists on this platform
// (Linux: it maps pages as package backingstore does); Strategy.Validate
// refuses it elsewhere.
const mmapSupported = backingstore.Supported

// mmapAllocator is allocator mmap: a wazero experimental.MemoryAllocator
// whose linear memories are anonymous mappings outside the Go heap
// (backingstore.Pages). Each memory reserves its maximum size of address
// space without access, commits pages (read-write) as the guest grows it,
// and is unmapped when wazero frees it, at the instance's Close or the
// runtime's, whatever Go values still point into it. The engine therefore
// never reads through a view of an mmap instance after Close, and refuses
// the combinations that would (see Strategy.Validate).
//
// An Engine has at most one; its counters are what Snapshot.MappedMemory
// reports.
type mmapAllocator struct {
	committed atomic.Int64 // bytes committed read-write, over the allocator's memories not yet freed
}

// Allocate implements experimental.MemoryAllocator: it reserves max bytes
// (rounded up to the OS page) of inaccessible address space. wazero's
// capacity hint is ignored: pages are committed only as Reallocate asks.
// When the reservation fails (or off Linux), the memory it returns cannot
// grow, and wazero's instantiation fails (codecs reports it as an error).
func (a *mmapAllocator) Allocate(_, max uint64) experimental.LinearMemory {
	pages, err := backingstore.ReservePages(max, 0, max)
	if err != nil {
		return &mmapMemory{a: a}
	}
	return &mmapMemory{a: a, pages: pages}
}

// mmapMemory is one linear memory of an mmapAllocator. wazero calls its
// methods from the goroutine running or closing the instance, one at a
// time.
type mmapMemory struct {
	a     *mmapAllocator
	pages backingstore.Pages // unmapped once freed (or never mapped)
}

// Reallocate implements experimental.LinearMemory: it commits the pages
// up to size and returns the first size bytes, with capacity size (the
// bytes beyond are not committed). It returns nil, which wazero treats as
// a failed grow, past the reservation or when mprotect fails.
func (m *mmapMemory) Reallocate(size uint64) []byte {
	added, ok := m.pages.Commit(size)
	if !ok {
		return nil
	}
	m.a.committed.Add(int64(added))
	return m.pages.Bytes(size)
}

// Free implements experimental.LinearMemory: it unmaps the reservation,
// which returns its pages to the OS at once, without a GC. It is
// idempotent.
func (m *mmapMemory) Free() {
	m.a.committed.Add(-int64(m.pages.Unmap()))
}
