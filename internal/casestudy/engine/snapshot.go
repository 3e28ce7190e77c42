package engine

// Snapshot is the engine's own account of its memory at one instant, plus
// the Go runtime's heap figures. Every memory figure is in bytes.
//
// # Counting rules
//
// LinearMemory is the sum of MemorySize over live (not yet closed)
// instances, as of each instance's last operation.
//
// LeakedViews is memory of closed instances that this engine's
// wasm-bindgen glue (one per codec per worker) still references: for each
// glue holding a closed instance, the capacity of its cached view of the
// instance's whole memory, or the instance's final memory size if that is
// larger (an operation grew memory and then failed). Each backing array is
// counted once; views of live instances count in LinearMemory only.
//
// Listeners is memory of closed instances reachable only through the
// process-global listener registry, counted the same way from the
// emscripten Module's HEAPU8 view; an instance already counted in
// LeakedViews is not counted again (no instance can be in both: only
// emscripten-style codecs register listeners, only bindgen-style ones
// have glue views). Listeners and ListenerCount are process-wide, shared
// by every Engine, and survive Engine.Close until ResetListeners.
//
// DroppedInstances and DroppedMemory are instances that a sync.Pool let
// go at a GC (lifetime pool): no Go value of the engine references them,
// but they were never closed, so wazero's store keeps them, memory and
// all; they stay in LiveInstances and LinearMemory (at their size when
// last pooled) until the engine's Close closes its runtime.
//
// MappedMemory is what allocator mmap has committed read-write for the
// linear memories it has not yet unmapped (live and dropped instances),
// from its own count: memory outside the Go heap, so not in HeapLive or
// HeapObjects. Under mmap a closed instance holds nothing: glue views and
// listeners of it are dropped and counted in DeadViews and DeadListeners
// (hidden leaks: the references remain, the memory does not), not in
// LeakedViews and Listeners.
//
// Under allocator v8, MappedMemory is what it has committed for the
// memories it has not yet released: live instances, dropped ones, and
// closed ones whose owner is still reachable (through a leaked view, a
// listener, a cache entry, or only because no collection has run since),
// of which UnreleasedMemory is the closed ones' part. A closed instance
// held by a leaked view or listener counts both there and in LeakedViews
// or Listeners, as under go (the memory is reachable and resident;
// MappedMemory says where it lives). ExternalGCs counts the collections
// allocator v8 started for external-memory pressure, the only ones the
// engine starts.
//
// CacheBytes is the size of the cached outputs and decoded pixels.
// CachePinned is, under results aliased, the memory of each instance a
// cached entry is a slice of, counted once per instance however many
// entries alias it, the same way as LeakedViews (the capacity of a view
// of its memory when the result was read, which includes the entry's
// bytes); under results copied it is 0: entries own their bytes. An
// instance's memory held by both a cache entry and a leaked view counts
// in both.
type Snapshot struct {
	LiveInstances  int    // instances not yet closed
	TotalInstances int    // instances ever created by this engine
	LinearMemory   uint64 // linear memory of live instances
	LeakedViews    uint64 // memory of closed instances kept by leaked glue views
	Listeners      uint64 // memory of closed instances kept by leaked listeners (process-wide)
	ListenerCount  int    // listeners in the global registry (process-wide)
	HeapLive       uint64 // /gc/heap/live:bytes
	HeapObjects    uint64 // /memory/classes/heap/objects:bytes
	HeapFree       uint64 // /memory/classes/heap/free:bytes
	HeapReleased   uint64 // /memory/classes/heap/released:bytes
	GCCycles       uint64 // /gc/cycles/total:gc-cycles
	Requests       int    // requests finished by Do, ok or failed
	Errors         int    // requests that failed

	// The holders of the patterns from the field (zero unless the
	// strategy uses them); see the counting rules.
	PooledInstances  int    // idle instances in the engine's pools (lifetime pool, pool_size), ready for reuse
	DroppedInstances int    // instances a sync.Pool dropped without Close: in the runtime only, counted in LiveInstances
	DroppedMemory    uint64 // their linear memory, part of LinearMemory
	MappedMemory     uint64 // linear memory committed by allocator mmap or v8, outside the Go heap
	UnreleasedMemory uint64 // v8: of MappedMemory, memory of closed instances not yet released by a collection
	ExternalGCs      int    // v8: collections started for external-memory pressure
	DeadViews        int    // leaked glue views of closed mmap instances: dropped, holding no memory
	DeadListeners    int    // leaked listeners of closed mmap instances, holding no memory (process-wide)
	CacheEntries     int    // entries in the response cache: outputs plus decoded sources
	CacheBytes       uint64 // bytes of those outputs and pixels
	CachePinned      uint64 // linear memory that aliased cache entries keep reachable
	CacheHits        int    // requests answered from the cache
	CacheDecodeHits  int    // requests whose decode a cached source saved
}

// Snapshot returns the engine's current figures. It is cheap (atomic
// loads, one small locked read of the listener registry and one
// runtime/metrics read into a reused buffer), goroutine-safe, and works
// after Close.
func (e *Engine) Snapshot() Snapshot {
	s := Snapshot{
		LiveInstances:  int(e.live.Load()),
		TotalInstances: int(e.total.Load()),
		LinearMemory:   uint64(max(e.linear.Load(), 0)),
		LeakedViews:    uint64(max(e.leakedViews.Load(), 0)),
		Requests:       int(e.requests.Load()),
		Errors:         int(e.failed.Load()),
	}
	s.Listeners, s.ListenerCount, s.DeadListeners = listenerStats()
	s.PooledInstances = int(e.pooled.Load())
	s.DroppedInstances = int(e.dropped.Load())
	s.DroppedMemory = uint64(max(e.droppedMem.Load(), 0))
	s.DeadViews = int(e.deadViews.Load())
	if e.alloc != nil {
		s.MappedMemory = uint64(max(e.alloc.committed.Load(), 0))
	}
	if e.v8 != nil {
		v := e.v8.Stats()
		s.MappedMemory, s.UnreleasedMemory, s.ExternalGCs = v.Committed, v.Closed, v.Collections
	}
	c := e.cache.stats()
	s.CacheEntries, s.CacheBytes, s.CachePinned = c.entries, c.bytes, c.pinned
	s.CacheHits, s.CacheDecodeHits = c.hits, c.decodeHits

	h := e.heap.Read()
	s.HeapLive, s.HeapObjects, s.HeapFree, s.HeapReleased, s.GCCycles = h.Live, h.Objects, h.Free, h.Released, h.GCCycles
	return s
}
