// Package backingstore models the backing store of a WebAssembly.Memory in
// the V8 of Node 14 (V8 8.4) as a wazero experimental.MemoryAllocator: the
// memory of allocator v8 (engine.AllocatorV8).
//
// What it models, from V8's src/objects/backing-store.cc (read from the
// v8/v8 snapshot of the search index whose backing-store.cc has
// kUseGuardRegions, kAddressSpaceLimit = 1 TiB + 4 GiB and
// kFullGuardSize = 10 GiB, the 8.x layout; the 8.4 branch itself was not
// available) and src/heap/heap.cc:
//
//   - Reservation (BackingStore::TryAllocateWasmMemory): on a 64-bit
//     target every wasm memory reserves kFullGuardSize (10 GiB) of
//     inaccessible address space (PageAllocator::kNoAccess) whatever its
//     maximum, and its buffer starts kNegativeGuardSize (2 GiB) into it;
//     the maximum only caps growth (byte_capacity). Initial pages are
//     committed read-write at once.
//   - Growth (BackingStore::GrowWasmMemoryInPlace): more pages of the
//     same reservation are made read-write; the buffer never moves and
//     nothing is copied. Each grow reports its bytes as external memory
//     (AdjustAmountOfExternalAllocatedMemory(new_length - old_length)).
//   - Release (~BackingStore): the whole guarded region is freed
//     (FreePages) when the last reference to the backing store goes,
//     which for a wasm memory is when the collector finds its
//     JSArrayBuffer unreachable. Nothing "closes" a wasm memory in V8.
//   - External memory pressure (Heap::ReportExternalMemoryPressure,
//     reached when external memory has grown past external_memory_limit_):
//     the limit is external memory at the last mark-compact plus
//     kExternalAllocationSoftLimit (64 MiB; include/v8-internal.h says
//     "Trigger an incremental GC once the external memory reaches this
//     limit"), reset after every mark-compact (external_memory_limit_ =
//     external_memory_ + kExternalAllocationSoftLimit after a
//     MARK_COMPACTOR in Heap::PerformGarbageCollection). Freed external
//     memory lowers the baseline (later heap.cc tracks it as
//     external_memory_low_since_mark_compact_; the 8.x lowering rule in
//     include/v8.h was not found in the index and is not cited). Crossing
//     the limit starts a collection (incremental marking) that the
//     mutator does not wait for.
//
// How it maps onto Go:
//
//   - Allocate reserves the region with mmap(PROT_NONE, MAP_NORESERVE)
//     and Reallocate commits in place with mprotect: no Go heap, no copy.
//   - wazero calls Free at Close; under this allocator Free only marks the
//     memory closed (its bytes move from live to closed-but-unreleased in
//     the counters). The pages go back to the OS when the Go object that
//     owns the memory becomes unreachable: Adopt attaches a
//     runtime.AddCleanup to the api.Memory wazero hands out for the
//     instance (its *MemoryInstance, which the module references for its
//     whole life, and its store while the module is not closed), never to
//     the mapping or to the LinearMemory (wazero drops its reference to
//     the LinearMemory at Close). Whatever keeps that api.Memory
//     reachable, directly or through the instance, keeps the pages
//     mapped, as a JS reference kept the JSArrayBuffer.
//   - Committed bytes are the external memory. When they have grown past
//     the limit since the last collection, the allocator starts
//     runtime.GC in a goroutine (the only collection it starts; at most
//     one at a time) and reports it to its OnCollect callback. The
//     collection's end resets the baseline to the committed bytes then;
//     each release lowers it.
//
// Not modelled: the address-space budget (kAddressSpaceLimit, about 101
// reservations) and the gc_retry of TryAllocateWasmMemory, which calls
// MemoryPressureNotification(kCritical) up to three times when a
// reservation fails; the hard limit of ReportExternalMemoryPressure
// (external memory past half the old generation's maximum size forces a
// full, synchronous collection); one allocator stands for one isolate,
// while a Node process has one isolate per worker thread.
//
// Linux only (mmap, mprotect, munmap); New fails elsewhere.
package backingstore
