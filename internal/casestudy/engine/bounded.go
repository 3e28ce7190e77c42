package engine

import (
	"context"
)

// boundedSet is Strategy.PoolSize for one codec: at most k instances of
// it in the whole engine, shared by all workers, as a bounded pool of
// instances reused (or recycled) by whichever worker needs one. A worker
// that finds none idle creates one while fewer than k exist, else waits
// for one to come back.
type boundedSet struct {
	idle  chan *instance // idle instances; capacity k
	slots chan struct{}  // one token per instance in existence; capacity k
}

func newBoundedSet(k int) *boundedSet {
	return &boundedSet{idle: make(chan *instance, k), slots: make(chan struct{}, k)}
}

// take returns an idle instance, or nil when the caller may create one (it
// then owns a slot: free it if the creation fails). It waits while k
// instances exist and none is idle, until ctx is done.
func (b *boundedSet) take(ctx context.Context) (*instance, error) {
	select {
	case in := <-b.idle:
		return in, nil
	default:
	}
	select {
	case in := <-b.idle:
		return in, nil
	case b.slots <- struct{}{}:
		return nil, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// put gives an instance back. It never blocks: at most k exist.
func (b *boundedSet) put(in *instance) { b.idle <- in }

// free gives up the slot of an instance that is closed (or was never
// created).
func (b *boundedSet) free() { <-b.slots }

// drain returns the idle instances, for Close.
func (b *boundedSet) drain() []*instance {
	var out []*instance
	for {
		select {
		case in := <-b.idle:
			out = append(out, in)
		default:
			return out
		}
	}
}
