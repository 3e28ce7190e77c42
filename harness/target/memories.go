package target

// LinearMemory is one linear memory and what holds it, as the linear
// memory profile records it (linear-*.pb.gz beside a run's samples).
type LinearMemory struct {
	Codec    string    // the codec or module it belongs to
	Holder   string    // what keeps it ("live", "closed", or a name of the target's own)
	Instance int       // the instance's id in its target, from 1; 0 if none
	Worker   int       // the worker that instantiated it, from 1; 0 if none
	Bytes    int64     // its size
	Stack    []uintptr // program counters of the stack that instantiated it, innermost first (runtime.Callers)
}

// LinearMemories is implemented by a target that can list the linear memories it
// keeps (the builtin engine, a target with a wazeromem.Recorder): LinearMemories
// is called at a run's landmarks, concurrently with requests, and must
// return a snapshot the caller owns.
type LinearMemories interface {
	LinearMemories() []LinearMemory
}

// The holders of a linear memory that any target may name (a
// wazeromem.Recorder names no other); a target names the rest itself
// ("views", "pool", "cache", ...), as it names the holders of its
// Snapshot's Held.
const (
	// HolderLive is an instance in use or ready for reuse: not closed.
	HolderLive = "live"
	// HolderClosed is the memory of a closed instance that something
	// still references, where the target knows no more than that (a
	// wazeromem.Recorder: a weak pointer to the memory is still alive
	// after Close).
	HolderClosed = "closed"
)
