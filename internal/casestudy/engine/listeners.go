package engine

import (
	"fmt"
	"sync"
)

// registry is the process-global listener registry: the DELIBERATE LEAK
// behind the ListenersLeaked strategy, and the only global mutable state
// of the engine. It stands for Node's process.on('uncaughtException') and
// process.on('unhandledRejection') listener lists, which emscripten glue
// added to at every instantiation with a closure referencing its Module
// object, and hence the instance and its whole linear memory. Nothing
// removes a listener except ResetListeners; it is shared by every Engine
// of the process, as the Node process object was shared by every worker
// of the original optimizer.
var registry struct {
	mu  sync.Mutex
	fns []func(error) string // the listeners; each captures an *emModule
	gen uint64               // bumped by ResetListeners
	// retained is the memory reachable only through listeners: for each
	// registered module whose instance is closed, heldBytes(instance,
	// HEAPU8) at close time, unless a leaked glue view already counted
	// that instance.
	retained uint64
	// dead counts registered modules whose mmap instance is closed: its
	// memory went back to the OS, HEAPU8 was dropped, and the listener
	// holds only the Module and instance objects.
	dead int
}

// register adds a listener capturing m, as emscripten's glue did at
// instantiation.
func register(m *emModule) {
	fn := func(err error) string {
		// What the original handler did: report the failure of the
		// module it belongs to (and rethrow).
		return fmt.Sprintf("%s instance %d (worker %d, %d bytes of memory): %v",
			m.op, m.heap.inst.ID(), m.worker, m.heap.capacity(), err)
	}
	registry.mu.Lock()
	registry.fns = append(registry.fns, fn)
	m.gen = registry.gen
	registry.mu.Unlock()
}

// retainListener accounts for m's instance having been closed while its
// listener, registered under the current generation, still holds it: n
// bytes (heldBytes) become reachable only through the registry.
func retainListener(m *emModule, n int64) {
	registry.mu.Lock()
	if m.gen == registry.gen {
		registry.retained += uint64(n)
	}
	registry.mu.Unlock()
}

// listenerClosed accounts for m's instance having been closed while its
// listener holds it: under allocator mmap the memory is gone (HEAPU8 is
// dropped, nothing may read through it) and the listener is dead; else
// (go, v8) heldBytes of it become reachable only through the registry,
// and under v8 stay mapped, closed but unreleased, as long as the
// listener lives: for the process's life. It runs on
// the worker that closed the instance, or in Close once workers stopped.
func (e *Engine) listenerClosed(m *emModule) {
	if e.alloc == nil {
		retainListener(m, heldBytes(m.heap))
		return
	}
	m.heap.b = nil
	registry.mu.Lock()
	if m.gen == registry.gen {
		registry.dead++
	}
	registry.mu.Unlock()
}

// listenerStats returns the registry's retained bytes, listener count and
// dead listeners.
func listenerStats() (retained uint64, count, dead int) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return registry.retained, len(registry.fns), registry.dead
}

// ResetListeners empties the process-global listener registry that the
// ListenersLeaked strategy fills and never empties itself: every
// listener, and the memory only they kept reachable, becomes garbage.
// Meant for tests and examples, which run many engines in one process;
// the harness never needs it (every scenario runs in a child process of
// its own), and the original optimizer had no such thing.
func ResetListeners() {
	registry.mu.Lock()
	clear(registry.fns) // let the closures go even if someone holds the slice
	registry.fns = nil
	registry.retained = 0
	registry.dead = 0
	registry.gen++
	registry.mu.Unlock()
}
