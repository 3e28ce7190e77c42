// Package heapstat reads the Go heap figures that leakbench's snapshots
// record (live heap, heap objects, free and released heap, GC cycles)
// from runtime/metrics, into a reused buffer: the one list of those
// metrics for the engine's snapshot and the child's.
package heapstat

import (
	"runtime/metrics"
	"sync"
)

// Stats are the Go heap's figures at one moment, in bytes but GCCycles.
type Stats struct {
	Live     uint64 // /gc/heap/live:bytes: the heap marked live by the last GC
	Objects  uint64 // /memory/classes/heap/objects:bytes
	Free     uint64 // /memory/classes/heap/free:bytes
	Released uint64 // /memory/classes/heap/released:bytes
	GCCycles uint64 // /gc/cycles/total:gc-cycles
}

// names are the metrics Read takes, in the order of Stats' fields.
var names = [...]string{
	"/gc/heap/live:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/gc/cycles/total:gc-cycles",
}

// Reader reads Stats into a buffer it reuses, so a read allocates
// nothing. The zero value is ready to use; safe for concurrent use.
type Reader struct {
	mu      sync.Mutex
	samples [len(names)]metrics.Sample
}

// Read returns the current Stats. A metric the runtime does not have
// reads as 0.
func (r *Reader) Read() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.samples[0].Name == "" {
		for i, name := range names {
			r.samples[i].Name = name
		}
	}
	metrics.Read(r.samples[:])
	var s Stats
	dst := [...]*uint64{&s.Live, &s.Objects, &s.Free, &s.Released, &s.GCCycles}
	for i, smp := range r.samples {
		if smp.Value.Kind() == metrics.KindUint64 {
			*dst[i] = smp.Value.Uint64()
		}
	}
	return s
}
