package engine

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/leakbench/leakbench/internal/codecs"
)

// TestHammer_Field runs many goroutines of mixed requests, with GCs in
// between so that pools drop instances, against each field preset (run it
// with -race), then checks every output and the accounting.
func TestHammer_Field(t *testing.T) {
	const P, N = 6, 4
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
			var wg sync.WaitGroup
			for p := range P {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(p), 7))
					for n := range N {
						fs := formats()
						r := Request{
							ID: p*N + n + 1, Source: srcs[rng.IntN(len(srcs))], Rotate: 90 * rng.IntN(4),
							Width: []int{0, 24, 40, 300}[rng.IntN(4)], Format: fs[rng.IntN(len(fs))],
						}
						resp, err := e.Do(testCtx, r)
						if err != nil {
							t.Errorf("request %d: %v", r.ID, err)
							continue
						}
						checkDecodes(t, resp)
						if n%2 == 1 {
							runtime.GC()
						}
					}
				})
			}
			wg.Wait()
			snap := e.Snapshot()
			n, sum := rec.liveMemory()
			if snap.Requests != P*N || snap.Errors != 0 || snap.LiveInstances != n || snap.LinearMemory != sum {
				t.Errorf("snapshot %+v; events: %d live, %d bytes", snap, n, sum)
			}
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
