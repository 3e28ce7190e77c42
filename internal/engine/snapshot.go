package engine

import (
	"runtime/metrics"
)

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
}

// heapMetrics are the runtime/metrics read by Snapshot, in the order of
// the fields they fill.
var heapMetrics = [...]string{
	"/gc/heap/live:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/gc/cycles/total:gc-cycles",
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
	s.Listeners, s.ListenerCount = listenerStats()

	e.metricsMu.Lock()
	metrics.Read(e.samples[:])
	dst := [...]*uint64{&s.HeapLive, &s.HeapObjects, &s.HeapFree, &s.HeapReleased, &s.GCCycles}
	for i, smp := range e.samples {
		if smp.Value.Kind() == metrics.KindUint64 {
			*dst[i] = smp.Value.Uint64()
		}
	}
	e.metricsMu.Unlock()
	return s
}
