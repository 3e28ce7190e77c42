package driver

import (
	"context"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/results"
)

// idle runs the idle phase: the target's own model of the idle server
// when it is a target.Idler (the builtin's V8 memory reducer under
// idle_gc: v8), else the process left alone for the phase's duration.
func (c *child) idle(ctx context.Context) error {
	if idler, ok := c.tgt.(target.Idler); ok {
		return idler.Idle(ctx, c.spec.Idle)
	}
	return sleep(ctx, c.spec.Idle)
}

// targetGC reports a collection the target made: an idle_gc event for
// one of its idle model (its memory the bytes freed), an external_gc
// event for one it started for memory pressure.
func (c *child) targetGC(g target.GC) {
	kind := results.EventExternalGC
	if g.Idle {
		kind = results.EventIdleGC
	}
	c.gcEvent(kind, g.Start, g.N, g.Duration, g.Memory)
}

// gcEvent emits a collection's event of the given kind, with the child's
// RSS and snapshot read once the collection has returned: its number,
// start, duration and the memory the kind reports (freed by the memory
// reducer, external to the heap for a pressure collection).
func (c *child) gcEvent(kind results.EventKind, start time.Time, n int, d time.Duration, memory uint64) {
	rss, _, _ := c.self.Sample()
	snap, held := c.snap()
	c.em.emit(results.Event{
		Kind:     kind,
		Time:     start.UnixNano(),
		Round:    int(c.round.Load()),
		GC:       n,
		Seconds:  d.Seconds(),
		Memory:   memory,
		RSS:      rss,
		Snapshot: &snap,
		Held:     held,
	})
}
