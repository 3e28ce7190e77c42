package driver

import (
	"context"
	"fmt"

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
	rss, _, _ := c.self.Sample()
	snap, held := c.snap()
	c.em.emit(results.Event{
		Kind:     results.EventIdleGC,
		Time:     g.Start.UnixNano(),
		Round:    int(c.round.Load()),
		GC:       g.N,
		Seconds:  g.Duration.Seconds(),
		Memory:   uint64(max(g.Freed, 0)),
		RSS:      rss,
		Snapshot: &snap,
		Held:     held,
	})
}

// externalGC reports a collection the target started (its allocator's
// external-memory pressure), with the child's RSS and snapshot read once
// it has returned.
func (c *child) externalGC(g target.GC) {
	rss, _, _ := c.self.Sample()
	snap, held := c.snap()
	c.em.emit(results.Event{
		Kind:     results.EventExternalGC,
		Time:     g.Start.UnixNano(),
		Round:    int(c.round.Load()),
		GC:       g.N,
		Seconds:  g.Duration.Seconds(),
		Memory:   g.Memory,
		RSS:      rss,
		Snapshot: &snap,
		Held:     held,
	})
}
