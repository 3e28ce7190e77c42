package engine

import (
	"runtime"
	"sync"
	"testing"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// TestPool_DroppedStayInRuntime: what a sync.Pool drops at a GC is never
// closed. The instance objects become garbage, but wazero's store still
// links every dropped module, so its linear memory survives any number of
// collections, in the engine's snapshot and in the Go heap, until the
// engine's Close closes its runtime; then it goes.
func TestPool_DroppedStayInRuntime(t *testing.T) {
	e, rec := newEngine(t, field(func(s *Strategy) { s.Lifetime = Pool }), 0)
	p := attach(e, rec)
	mustDo(t, e, bigRequest(1)) // decode, resize, encodePng: three pooled instances
	const n = 3
	dec := p.get(t, 1, codecs.Decode)
	if s := e.Snapshot(); s.LiveInstances != n || s.PooledInstances+s.DroppedInstances != n {
		t.Fatalf("after one request: %d live, %d pooled, %d dropped; want %d live, all pooled or dropped", s.LiveInstances, s.PooledInstances, s.DroppedInstances, n)
	}
	before := e.Snapshot()

	// Two GCs empty a sync.Pool; the cleanups then record the drops.
	eventually(t, "the pools to drop their instances", func() bool { return e.Snapshot().DroppedInstances == n })
	gc()
	s := e.Snapshot()
	_, events := rec.liveMemory()
	if s.PooledInstances != 0 || s.LiveInstances != n || s.DroppedMemory != s.LinearMemory || s.LinearMemory != before.LinearMemory || s.LinearMemory != events {
		t.Errorf("after the drops: %+v; want %d live, 0 pooled, dropped memory = linear memory = %d (events: %d)", s, n, before.LinearMemory, events)
	}
	if dec.obj.Value() != nil {
		t.Error("the dropped decode instance's Go object is still reachable: something besides the runtime holds it")
	}
	if dec.mem.Value() == nil {
		t.Fatal("the dropped decode instance's memory was collected: the runtime does not hold it")
	}
	if s.HeapLive < s.DroppedMemory {
		t.Errorf("live heap %d < dropped memory %d", s.HeapLive, s.DroppedMemory)
	}
	t.Logf("dropped: %d instances holding %d bytes, decode %d; live heap %d", s.DroppedInstances, s.DroppedMemory, dec.held, s.HeapLive)

	// The next request finds the pools empty: new instances, the dropped
	// ones still there.
	mustDo(t, e, smallRequest(2))
	if s := e.Snapshot(); s.TotalInstances != 2*n || s.LiveInstances != 2*n {
		t.Errorf("after a second request: %d live of %d; want %d of %d", s.LiveInstances, s.TotalInstances, 2*n, 2*n)
	}
	heapBefore := heapLive(e)
	if err := e.Close(testCtx); err != nil {
		t.Fatal(err)
	}
	heapAfter := heapLive(e)
	s = e.Snapshot()
	if s.LiveInstances != 0 || s.LinearMemory != 0 || s.DroppedInstances != 0 || s.DroppedMemory != 0 || s.PooledInstances != 0 {
		t.Errorf("after Close: %+v", s)
	}
	if dec.mem.Value() != nil {
		t.Error("the dropped decode instance's memory survived the engine's Close")
	}
	if n, _ := rec.liveMemory(); n != 0 {
		t.Errorf("events: %d instances never closed", n)
	}
	if heapBefore < heapAfter || heapBefore-heapAfter < uint64(dec.held)/2 {
		t.Errorf("live heap %d -> %d at Close: want a fall of at least half the decode instance's %d bytes", heapBefore, heapAfter, dec.held)
	}
	t.Logf("live heap %d -> %d at Close", heapBefore, heapAfter)
}

// TestPool_Reuses: between GCs a pool hands its instance back. sync.Pool
// keeps one private slot per P, which other Ps cannot take from, so a
// worker that moved to another P may create another: at most GOMAXPROCS
// per codec for the single pipeline worker of each.
func TestPool_Reuses(t *testing.T) {
	e, rec := newEngine(t, field(func(s *Strategy) { s.Lifetime = Pool }), 0)
	// Hold off collections: a GC in the middle would drop an instance.
	defer setGCPercent(setGCPercent(-1))
	for i := range 5 {
		mustDo(t, e, smallRequest(i+1))
	}
	// Under the race detector sync.Pool.Put drops a quarter of what it is
	// given at random: more instances, never fewer.
	procs := runtime.GOMAXPROCS(0)
	for op, n := range rec.createdPerOp() {
		if n < 1 || n > 5 || !raceEnabled && n > procs {
			t.Errorf("%s: %d instances for 5 operations; GOMAXPROCS is %d", op, n, procs)
		}
	}
	if s := e.Snapshot(); s.PooledInstances+s.DroppedInstances > s.LiveInstances || s.LiveInstances != s.TotalInstances {
		t.Errorf("%+v", s)
	}
}

// TestPoolSize_Bounds: 4 workers share at most 2 instances of each codec.
func TestPoolSize_Bounds(t *testing.T) {
	for _, lt := range []Lifetime{Reuse, Recycle} {
		t.Run(lt.String(), func(t *testing.T) {
			s := Strategy{Topology: PerWorker, Lifetime: lt, Views: ViewsLeaked, Listeners: ListenersLeaked, PoolSize: 2}
			if lt == Recycle {
				s.RecycleAfter = 3
			}
			e, rec := newEngine(t, s, 4)
			var mu sync.Mutex
			live := map[codecs.Op]int{}
			peak := map[codecs.Op]int{}
			hook := func(ev Event) {
				mu.Lock()
				defer mu.Unlock()
				switch ev.Kind {
				case InstanceCreated:
					live[ev.Op]++
					peak[ev.Op] = max(peak[ev.Op], live[ev.Op])
				case InstanceClosed:
					live[ev.Op]--
				}
			}
			rec.hook.Store(&hook)
			reqs := make([]Request, 12)
			for i := range reqs {
				reqs[i] = request(i+1, formats()[i%len(formats())])
			}
			if _, errs := doAll(e, reqs); errorsIn(errs) != nil {
				t.Fatal(errorsIn(errs))
			}
			mu.Lock()
			defer mu.Unlock()
			for op, n := range peak {
				if n > 2 {
					t.Errorf("%s: %d instances at once, pool_size is 2", op, n)
				}
			}
			snap := e.Snapshot()
			if snap.LiveInstances > 2*opsAvailable() || snap.PooledInstances != snap.LiveInstances {
				t.Errorf("after the load: %d live, %d idle in the pools", snap.LiveInstances, snap.PooledInstances)
			}
		})
	}
}

// TestPool_DroppedWithLeakedGlue: a dropped instance that leaked glue or a
// listener still references is closed with the runtime at Close; from
// then on its memory counts as retained by them, like any closed
// instance's.
func TestPool_DroppedWithLeakedGlue(t *testing.T) {
	e, _ := newEngine(t, Strategy{Topology: Pipeline, Lifetime: Pool, Views: ViewsLeaked, Listeners: ListenersLeaked}, 0)
	mustDo(t, e, Request{ID: 1, Source: srcPNG, Format: codecs.JPEG}) // decode (bindgen), encodeJpeg (emscripten)
	eventually(t, "the pools to drop their instances", func() bool { return e.Snapshot().DroppedInstances == 2 })
	if s := e.Snapshot(); s.LeakedViews != 0 || s.Listeners != 0 || s.ListenerCount != 1 {
		t.Errorf("dropped but not closed: leaked views %d, listeners %d (%d); want 0, 0 (1): the memory is live", s.LeakedViews, s.Listeners, s.ListenerCount)
	}
	if err := e.Close(testCtx); err != nil {
		t.Fatal(err)
	}
	s := e.Snapshot()
	if s.LiveInstances != 0 || s.DroppedInstances != 0 || s.LeakedViews == 0 || s.Listeners == 0 {
		t.Errorf("after Close: %+v; want the glue and the listener retaining the closed instances", s)
	}
}
