package driver

import (
	"context"
	"fmt"
	"time"

	"github.com/leakbench/leakbench/internal/idlegc"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/target"
)

// idle runs the idle phase: the process left alone (idlegc.Go), or V8's
// memory-reducer schedule (idlegc.V8), with an EventIdleGC for each of its
// collections.
func (c *child) idle(ctx context.Context) error {
	switch c.spec.IdleGC {
	case idlegc.Go:
		return sleep(ctx, c.spec.Idle)
	case idlegc.V8:
		return idlegc.RunV8(ctx, c.spec.Idle, c.idleGC)
	}
	return fmt.Errorf("spec: unknown idle_gc %v", c.spec.IdleGC)
}

// idleGC reports one collection of the memory reducer.
func (c *child) idleGC(g idlegc.GC) {
	c.gcEvent(results.EventIdleGC, g.Start, g.N, g.Duration, uint64(max(g.Freed, 0)))
}

// externalGC reports a collection the target started (its allocator's
// external-memory pressure).
func (c *child) externalGC(g target.GC) {
	c.gcEvent(results.EventExternalGC, g.Start, g.N, g.Duration, g.Memory)
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
