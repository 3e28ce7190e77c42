// Package idlegc says what a server's runtime does with its memory while
// the server idles after a load, and models the one alternative to the Go
// runtime's own behaviour that leakbench needs: the schedule of V8's
// memory reducer, which gives memory back to the OS a few seconds after a
// Node.js server goes quiet.
//
// An idle Go process collects garbage only when it allocates or when its
// two-minute forced GC comes due, and returns freed pages only as fast as
// its background scavenger goes, so its RSS stays near its end-of-load
// level for a 20 s idle phase. Node's published curves come down in that
// time because of the memory reducer (V8 src/heap/memory-reducer.{h,cc}):
// once the allocation rate has been low for 8 s it runs a full, memory-
// reducing GC, and up to two more 500 ms apart while they keep freeing
// memory. Mode V8 replays that schedule in a Go child: a full GC with the
// release of freed memory to the OS (debug.FreeOSMemory) for each of V8's
// collections, and nothing more.
//
// The package owns the mode, the schedule (Reducer, a clock-free state
// machine) and its execution against the Go runtime (RunV8). The child
// driver calls RunV8 during the idle phase and reports each collection
// as an event.
package idlegc

import (
	"time"

	"github.com/leakbench/leakbench/internal/enum"
)

// Mode is what happens to memory during a run's idle phase.
type Mode uint8

// The modes.
const (
	// Go leaves the Go runtime alone: the idle curve is Go's own (flat,
	// apart from the background scavenger and the forced GC every 2 min).
	Go Mode = iota
	// V8 replays V8's memory-reducer schedule: after the load, once the
	// allocation rate has stayed low for LongDelay, up to MaxGCs full GCs
	// ShortDelay apart, each releasing freed memory to the OS.
	V8
)

var modes = enum.New[Mode]("idle_gc", "go", "v8")

// String returns "go" or "v8".
func (m Mode) String() string { return modes.String(m) }

// MarshalText returns String, or an error for an invalid mode.
func (m Mode) MarshalText() ([]byte, error) { return modes.Marshal(m) }

// UnmarshalText parses "go" or "v8".
func (m *Mode) UnmarshalText(b []byte) error { return modes.Unmarshal(b, m) }

// Valid reports whether m is Go or V8.
func (m Mode) Valid() bool { return modes.Valid(m) }

// Names returns the modes' names, "go" and "v8".
func Names() []string { return modes.Names() }

// The constants of V8's memory reducer, as V8 defines them.
const (
	// LongDelay is how long the allocation rate must stay low before the
	// first collection, and how far a high rate pushes the next one back
	// (MemoryReducer::kLongDelayMs = 8000).
	LongDelay = 8 * time.Second
	// ShortDelay separates the reducer's collections
	// (MemoryReducer::kShortDelayMs = 500).
	ShortDelay = 500 * time.Millisecond
	// MaxGCs is the most collections one quiet period gets
	// (MemoryReducer::kMaxNumberOfGCs = 3).
	MaxGCs = 3
	// LowAllocationRate is the allocation rate, in bytes per second, below
	// which V8 calls the mutator idle. V8's test (Heap::
	// HasLowAllocationRate) is a mutator utilization gc_speed /
	// (rate + gc_speed) above kHighMutatorUtilization = 0.993; with the
	// GC speed V8 assumes when it has none measured
	// (kConservativeGcSpeedInBytesPerMillisecond = 200000) that is a rate
	// below 200000 × (1/0.993 − 1) ≈ 1410 bytes per millisecond.
	LowAllocationRate = 1_410_000
	// MoreGarbage is how much committed memory a collection must free for
	// V8 to expect the next one to free more, and so to run a third
	// (Heap::CollectGarbage: committed_memory_before >
	// committed_memory_after + MB).
	MoreGarbage = 1 << 20
)

// PollInterval is how often RunV8 reads the allocation counter: the
// granularity of its "rate stayed low" and of its timers. V8 posts its
// timer task with 100 ms of slack (MemoryReducer::ScheduleTimer, kSlackMs).
const PollInterval = 100 * time.Millisecond

// Reducer is V8's memory-reducer state machine (memory-reducer.h) fed
// with readings of the cumulative allocation counter instead of V8's
// heap events. It starts waiting when the idle phase begins, which stands
// for the last mark-compact of the load:
//
//   - waiting: at each reading, a rate at or above LowAllocationRate since
//     the previous reading pushes the next collection to LongDelay from
//     now; with a low rate, a due collection runs (Tick returns true).
//   - after a collection (Collected): the first is always followed by a
//     second ShortDelay later; the second by a third only if it freed more
//     than MoreGarbage; after MaxGCs, or a collection that freed too
//     little, the reducer is done.
//
// V8's other ways in (a background tab, a watchdog after 100 s without a
// GC, a new mutator mark-compact that grows the heap by 10%) need a
// mutator that runs; an idle server has none, so they are left out.
type Reducer struct {
	next    time.Time // earliest time of the next collection
	lastT   time.Time // time of the previous reading
	lastA   uint64    // allocation counter at the previous reading
	started int       // collections run
	done    bool
}

// NewReducer returns a reducer waiting from now, when the allocation
// counter reads allocs.
func NewReducer(now time.Time, allocs uint64) *Reducer {
	return &Reducer{next: now.Add(LongDelay), lastT: now, lastA: allocs}
}

// Tick takes a reading of the allocation counter and reports whether a
// collection is due now. The caller runs it and then calls Collected.
func (r *Reducer) Tick(now time.Time, allocs uint64) bool {
	if r.done {
		return false
	}
	dt := now.Sub(r.lastT).Seconds()
	var rate float64
	if dt > 0 && allocs >= r.lastA {
		rate = float64(allocs-r.lastA) / dt
	}
	r.lastT, r.lastA = now, allocs
	if rate >= LowAllocationRate {
		r.next = now.Add(LongDelay)
		return false
	}
	return !now.Before(r.next)
}

// Collected records a collection that ended at now, having freed freed
// bytes of committed memory (negative if it grew), with the allocation
// counter at allocs, and schedules the next one or ends.
func (r *Reducer) Collected(now time.Time, freed int64, allocs uint64) {
	r.started++
	r.lastT, r.lastA = now, allocs
	if r.started < MaxGCs && (r.started == 1 || freed > MoreGarbage) {
		r.next = now.Add(ShortDelay)
		return
	}
	r.done = true
}

// Started returns the number of collections run so far.
func (r *Reducer) Started() int { return r.started }

// Done reports whether the reducer has run its last collection.
func (r *Reducer) Done() bool { return r.done }
