package target

import "context"

// Target is the engine under test. The child calls Do for every request of
// the load phase, from up to in_flight goroutines at once, so Do must be
// goroutine-safe. An error fails that request only: it is counted and
// recorded, and the run goes on.
type Target interface {
	Do(ctx context.Context, req Request) error
}

// Snapshotter is implemented by a target that accounts for its own memory.
// The child calls Snapshot at every sampling interval, at every phase
// change and at the end of every round, concurrently with Do; it must be
// cheap and goroutine-safe. Its figures are recorded beside the RSS the
// parent samples, plotted, and summarised (instances, memory held after
// settle).
type Snapshotter interface {
	Snapshot() Snapshot
}

// Closer is implemented by a target that releases resources. The child
// calls Close once, after the last phase (settle) has been measured, just
// before it exits: like a server that runs on, the target is measured
// alive. An error is recorded as the run's error.
type Closer interface {
	Close(ctx context.Context) error
}

// Snapshot is a target's own account of its memory at one instant. Every
// memory figure is in bytes; a target fills what it knows and leaves the
// rest zero.
type Snapshot struct {
	LiveInstances  int    // wasm instances created and not yet closed
	TotalInstances int    // instances ever created
	LinearMemory   uint64 // linear memory of the live instances
	// Held is memory the target keeps reachable after it is done with it,
	// by what holds it: closed instances kept by glue views or listeners,
	// instances dropped from a pool but still referenced, cached results.
	// Each holder is listed once; a byte held by two holders is counted in
	// one of them, and a byte in LinearMemory in none.
	Held []Held
	// OffHeap is how much of LinearMemory and of the Held bytes lives
	// outside the Go heap (linear memory committed by an mmap allocator,
	// say). It says where memory is, not who holds it: it is not a holder,
	// and Leaked leaves it out.
	OffHeap uint64
	// OffHeapUnreleased is how much of OffHeap belongs to instances that
	// are closed but not yet released: memory a collector gives back once
	// nothing references it (V8's backing stores, the builtin's
	// allocator v8). The step it takes at a collection is the release.
	OffHeapUnreleased uint64
}

// Held is memory kept reachable through one kind of reference.
type Held struct {
	// Holder names the reference, in the target's own words ("views",
	// "pool", "cache"): every holder's bytes are summed into the results'
	// held column, and each holder's figure after settle is in the
	// summary's held_after_settle.
	Holder string
	Bytes  uint64
	Refs   int // references of this kind (listeners registered, entries cached); 0 if not counted
}

// Leaked returns the bytes of all holders (not OffHeap, which is no
// holder).
func (s Snapshot) Leaked() uint64 {
	var n uint64
	for _, h := range s.Held {
		n += h.Bytes
	}
	return n
}

// Validator is implemented by an options type that checks its values
// beyond their types (a range, a combination). The harness calls it once
// the options are decoded: in the parent, before any child starts, and in
// the child, before it builds the target. It returns every problem at
// once (nil when there is none), as k6's executor configs do; an error
// whose message begins with its key ("keep: must not be negative") is
// reported at that key's line and column, any other at the options
// mapping's.
type Validator interface {
	Validate() []error
}
