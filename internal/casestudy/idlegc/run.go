package idlegc

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// GC is one collection the reducer ran.
type GC struct {
	N        int           // 1 to MaxGCs
	Start    time.Time     // when it began
	Duration time.Duration // of the GC and the release together
	Freed    int64         // committed memory it freed, bytes (negative if it grew)
}

// RunV8 replays the memory reducer's schedule (see Reducer) against this
// process's Go runtime for d, or until ctx is done: it reads the
// cumulative allocation counter (/gc/heap/allocs:bytes) every
// PollInterval, and each collection the reducer asks for is a full GC
// followed by the release of freed memory to the OS, debug.FreeOSMemory.
// onGC, if not nil, is called after each one, from RunV8's goroutine. It
// returns ctx's error if ctx ended first, else nil.
func RunV8(ctx context.Context, d time.Duration, onGC func(GC)) error {
	return runV8(ctx, d, onGC, NewReducer)
}

// runV8 is RunV8 with the reducer newReducer makes: NewReducer, or in
// this package's tests one whose first wait is shorter than LongDelay.
func runV8(ctx context.Context, d time.Duration, onGC func(GC), newReducer func(time.Time, uint64) *Reducer) error {
	if d <= 0 {
		return nil
	}
	end := time.NewTimer(d)
	defer end.Stop()
	tick := time.NewTicker(PollInterval)
	defer tick.Stop()
	m := newMeter()
	r := newReducer(time.Now(), m.allocs())
	poll := tick.C
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-end.C:
			return nil
		case now := <-poll:
			if !r.Tick(now, m.allocs()) {
				continue
			}
			before := m.committed()
			start := time.Now()
			debug.FreeOSMemory()
			dur := time.Since(start)
			freed := int64(before) - int64(m.committed())
			r.Collected(time.Now(), freed, m.allocs())
			if onGC != nil {
				onGC(GC{N: r.Started(), Start: start, Duration: dur, Freed: freed})
			}
			if r.Done() {
				tick.Stop()
				poll = nil // wait for the end of the phase
			}
		}
	}
}

// meter reads the runtime's counters without allocating.
type meter struct{ s []metrics.Sample }

// The metrics meter reads, by index into meter.s.
const (
	mAllocs   = iota // cumulative bytes allocated on the heap
	mTotal           // all memory mapped by the runtime
	mReleased        // heap memory returned to the OS
)

func newMeter() *meter {
	return &meter{s: []metrics.Sample{
		mAllocs:   {Name: "/gc/heap/allocs:bytes"},
		mTotal:    {Name: "/memory/classes/total:bytes"},
		mReleased: {Name: "/memory/classes/heap/released:bytes"},
	}}
}

func (m *meter) read() { metrics.Read(m.s) }

// allocs returns the cumulative bytes allocated on the heap.
func (m *meter) allocs() uint64 {
	m.read()
	return m.s[mAllocs].Value.Uint64()
}

// committed returns the memory the runtime holds from the OS: everything
// it mapped less what it returned, the analogue of V8's committed memory.
func (m *meter) committed() uint64 {
	m.read()
	return m.s[mTotal].Value.Uint64() - m.s[mReleased].Value.Uint64()
}
