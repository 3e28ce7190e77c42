package engine

import "sync/atomic"

// mmapAllocator is allocator mmap: a wazero experimental.MemoryAllocator
// whose linear memories are anonymous mappings outside the Go heap
// (mmap_linux.go). Each memory reserves its maximum size of address space
// without access, commits pages (read-write) as the guest grows it, and is
// unmapped when wazero frees it, at the instance's Close or the runtime's,
// whatever Go values still point into it. The engine therefore never
// reads through a view of an mmap instance after Close, and refuses the
// combinations that would (see Strategy.Validate).
//
// An Engine has at most one; its counters are what Snapshot.MappedMemory
// reports.
type mmapAllocator struct {
	committed atomic.Int64 // bytes committed read-write, over the allocator's memories not yet freed
}
