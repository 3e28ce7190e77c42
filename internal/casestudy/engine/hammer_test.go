package engine

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// TestHammer runs many goroutines of mixed requests against each preset
// (run it with -race), then checks every output and the accounting.
func TestHammer(t *testing.T) {
	for _, name := range []string{"before", "fix1+2", "fixed"} {
		t.Run(name, func(t *testing.T) {
			s := preset(t, name)
			e, rec := newEngine(t, s, 3)
			hammer(t, e, 42, func(rng *rand.Rand) []byte {
				if rng.IntN(4) == 0 {
					return srcJPEG
				}
				return srcSmall
			}, nil)
			snap := checkHammered(t, e, rec)
			if s.Lifetime == Fresh && snap.LiveInstances != 0 {
				t.Errorf("fresh: %d live instances after the load", snap.LiveInstances)
			}
			if s.Lifetime == Reuse && snap.LiveInstances > 3*codecs.NumOps {
				t.Errorf("%d live instances > 3 workers × 6", snap.LiveInstances)
			}
			if s.Views == ViewsCleared && snap.LeakedViews != 0 || s.Listeners == ListenersRemoved && snap.ListenerCount != 0 {
				t.Errorf("fixed leaks leak: %+v", snap)
			}
		})
	}
}

// hammerP goroutines of hammerN requests each make the load of hammer.
const hammerP, hammerN = 6, 4

// hammer runs hammerP goroutines of hammerN mixed requests each on e
// (request IDs 1 to hammerP*hammerN), each with a generator of its own
// (seeded with its index and seed) that picks every request's source
// (with source), rotation, width and format, and checks every output;
// after, unless nil, runs after each request with its index in the
// goroutine.
func hammer(t *testing.T, e *Engine, seed uint64, source func(*rand.Rand) []byte, after func(n int)) {
	var wg sync.WaitGroup
	for p := range hammerP {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(p), seed))
			for n := range hammerN {
				src := source(rng)
				fs := formats()
				r := Request{
					ID: p*hammerN + n + 1, Source: src, Rotate: 90 * rng.IntN(4),
					Width: []int{0, 24, 40, 300}[rng.IntN(4)], Format: fs[rng.IntN(len(fs))],
				}
				resp, err := e.Do(testCtx, r)
				if err != nil {
					t.Errorf("request %d: %v", r.ID, err)
					continue
				}
				checkDecodes(t, resp)
				if after != nil {
					after(n)
				}
			}
		})
	}
	wg.Wait()
}

// checkHammered checks the engine's accounting after hammer against its
// events, and returns its snapshot.
func checkHammered(t *testing.T, e *Engine, rec *recorder) Snapshot {
	t.Helper()
	snap := e.Snapshot()
	n, sum := rec.liveMemory()
	if snap.Requests != hammerP*hammerN || snap.Errors != 0 || snap.LiveInstances != n || snap.LinearMemory != sum {
		t.Errorf("snapshot %+v; events: %d live, %d bytes", snap, n, sum)
	}
	return snap
}

// TestHammer_Field runs many goroutines of mixed requests, with GCs in
// between so that pools drop instances, against each field preset (run it
// with -race), then checks every output and the accounting.
func TestHammer_Field(t *testing.T) {
	for _, name := range FieldPresets() {
		t.Run(name, func(t *testing.T) {
			s := preset(t, name)
			if err := s.Validate(); err != nil {
				t.Skip(err)
			}
			if s.RecycleAfter > 3 {
				s.RecycleAfter = 3 // recycle within the test
			}
			if s.Cache > 3 {
				s.Cache = 3 // evict within the test
			}
			e, rec := newEngine(t, s, 3)
			srcs := cacheSources()
			hammer(t, e, 7, func(rng *rand.Rand) []byte { return srcs[rng.IntN(len(srcs))] }, func(n int) {
				if n%2 == 1 {
					runtime.GC()
				}
			})
			snap := checkHammered(t, e, rec)
			if snap.PooledInstances+snap.DroppedInstances > snap.LiveInstances || snap.DroppedMemory > snap.LinearMemory {
				t.Errorf("pools hold more than is live: %+v", snap)
			}
			if s.PoolSize > 0 && snap.LiveInstances > s.PoolSize*codecs.NumOps {
				t.Errorf("%d live instances > pool_size %d × %d codecs", snap.LiveInstances, s.PoolSize, codecs.NumOps)
			}
			if s.Cache > 0 && snap.CacheEntries > 2*s.Cache {
				t.Errorf("%d cache entries, cache is %d", snap.CacheEntries, s.Cache)
			}
			if err := e.Close(testCtx); err != nil {
				t.Fatal(err)
			}
			if n, _ := rec.liveMemory(); n != 0 {
				t.Errorf("events: %d instances never closed", n)
			}
		})
	}
}
