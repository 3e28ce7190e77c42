//go:build linux

package engine

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// v8Strategy is the fixed strategy under allocator v8, changed by f.
func v8Strategy(f func(*Strategy)) Strategy {
	return field(func(s *Strategy) { s.Allocator = AllocatorV8; f(s) })
}

// waitV8 polls e's allocator, WITHOUT collecting, until cond holds: the
// releases a collection decides run on the cleanup goroutine after it. The
// timeout only guards against a hang.
func waitV8(t *testing.T, e *Engine, what string, cond func(Snapshot) bool) Snapshot {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := e.Snapshot()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %+v", what, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestV8_LeakedViewKeepsPages: the glue's leaked views keep their closed
// instances' pages mapped and resident, counted as unreleased, however
// many collections run; once the glue is cleared, a collection releases
// them and RSS falls.
func TestV8_LeakedViewKeepsPages(t *testing.T) {
	e, _ := newEngine(t, v8Strategy(func(s *Strategy) {
		s.Topology, s.Lifetime, s.Views, s.Listeners = Pipeline, Fresh, ViewsLeaked, ListenersRemoved
	}), 0)
	mustDo(t, e, bigRequest(1))
	gc()
	time.Sleep(20 * time.Millisecond) // cleanups due, if any, run
	gc()
	held := e.Snapshot()
	if held.LiveInstances != 0 || held.LeakedViews == 0 {
		t.Fatalf("after a fresh request: %+v, want no live instance and leaked views", held)
	}
	// Decode, resize and encodePng are bindgen-style: each glue holds its
	// closed instance, whose whole memory is mapped and unreleased.
	if held.UnreleasedMemory != held.LeakedViews || held.MappedMemory != held.UnreleasedMemory {
		t.Fatalf("held by leaked views: %+v, want mapped = unreleased = leaked views", held)
	}
	v := e.workers[codecs.Decode].glue[codecs.Decode].view
	if b := v.b[0]; len(b) < 4<<20 || b[len(b)-1] != b[len(b)-1] { // readable, mapped
		t.Fatalf("decode view %d bytes", len(b))
	}
	v = memView{}
	before := rss(t)
	for _, op := range []codecs.Op{codecs.Decode, codecs.Resize, codecs.EncodePNG} {
		// No worker runs: the test is the glue's only user now.
		e.workers[op].glue[op].clear(e)
	}
	gc()
	after := waitV8(t, e, "release of the cleared glues' memory", func(s Snapshot) bool { return s.MappedMemory == 0 })
	rssAfter := rss(t)
	t.Logf("held %d bytes by leaked views; RSS %d -> %d after clearing and one collection", held.UnreleasedMemory, before, rssAfter)
	if after.UnreleasedMemory != 0 || after.LeakedViews != 0 {
		t.Errorf("after clearing: %+v", after)
	}
	if rssAfter > before || before-rssAfter < held.UnreleasedMemory/3 {
		t.Errorf("RSS fell by %d, want at least a third of the %d bytes released", int64(before)-int64(rssAfter), held.UnreleasedMemory)
	}
}

// TestV8_ListenerKeepsMemory: a leaked listener keeps its instance's
// memory mapped after the instance and the engine are closed, for as long
// as the process-global registry holds it; only ResetListeners (which
// the original had no equivalent of) lets a collection release it.
func TestV8_ListenerKeepsMemory(t *testing.T) {
	e, _ := newEngine(t, v8Strategy(func(s *Strategy) {
		s.Topology, s.Lifetime, s.Views, s.Listeners = Pipeline, Fresh, ViewsCleared, ListenersLeaked
	}), 0)
	mustDo(t, e, request(1, codecs.JPEG))
	mustDo(t, e, request(2, codecs.WebP))
	if err := e.Close(testCtx); err != nil {
		t.Fatal(err)
	}
	gc()
	s := waitV8(t, e, "release of the unheld instances", func(s Snapshot) bool { return s.MappedMemory == s.Listeners })
	if s.ListenerCount != 2 || s.Listeners == 0 || s.UnreleasedMemory != s.Listeners {
		t.Fatalf("after Close: %+v, want the 2 listeners' instances mapped and unreleased", s)
	}
	for range 3 {
		gc()
	}
	if s2 := e.Snapshot(); s2.UnreleasedMemory != s.UnreleasedMemory {
		t.Fatalf("listeners' memory went from %d to %d with the listeners registered", s.UnreleasedMemory, s2.UnreleasedMemory)
	}
	ResetListeners()
	gc()
	waitV8(t, e, "release after ResetListeners", func(s Snapshot) bool { return s.MappedMemory == 0 && s.UnreleasedMemory == 0 })
}

// TestV8_PressureCollects: with the Go collector switched off (GOGC=off),
// instances nobody holds are released anyway, by the collections the
// allocator starts when committed memory grows 64 MiB past the last one,
// each reported as an ExternalGC event. No test code collects.
func TestV8_PressureCollects(t *testing.T) {
	defer setGCPercent(setGCPercent(-1))
	var mu sync.Mutex
	var gcs []Event
	ResetListeners()
	e, err := New(testCtx, lib, Config{
		Strategy: v8Strategy(func(s *Strategy) { s.Lifetime = Fresh }),
		Workers:  1,
		Events: func(ev Event) {
			if ev.Kind == ExternalGC {
				mu.Lock()
				gcs = append(gcs, ev)
				mu.Unlock()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(testCtx)
	for i := range 16 { // about 8 MiB committed by the instances of each
		mustDo(t, e, bigRequest(i+1))
	}
	s := waitV8(t, e, "a pressure collection's releases", func(s Snapshot) bool { return e.v8.Stats().Released > 0 })
	st := e.v8.Stats()
	e.v8.WaitCollections()
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d instances, %d released; %d pressure collections; mapped now %d", s.TotalInstances, st.Released, len(gcs), s.MappedMemory)
	if len(gcs) == 0 || s.ExternalGCs < len(gcs) {
		t.Fatalf("%d ExternalGC events, snapshot counts %d", len(gcs), s.ExternalGCs)
	}
	for i, ev := range gcs {
		if ev.GC != i+1 || ev.Memory <= 64<<20 || ev.Time.IsZero() {
			t.Errorf("event %d: %+v", i, ev)
		}
	}
}

// TestV8_NoBareSliceOutlivesItsOwner tries to read through what the
// engine hands out after the memory behind it was released, and fails to
// find a way: a response's output is a copy (results aliased), a cached
// entry and a glue's view hold their instance, so their bytes are mapped
// for as long as they are reachable. If any of these were a bare slice
// into a released mapping, reading it would crash the test binary.
func TestV8_NoBareSliceOutlivesItsOwner(t *testing.T) {
	e, _ := newEngine(t, v8Strategy(func(s *Strategy) {
		s.Topology, s.Lifetime, s.Views, s.Listeners = PerWorker, Fresh, ViewsLeaked, ListenersRemoved
		s.Results, s.Cache = ResultsAliased, 4
	}), 1)
	resp := mustDo(t, e, request(1, codecs.PNG))
	hit := mustDo(t, e, request(1, codecs.PNG)) // from the cache
	e.cache.mu.Lock()
	entry, _ := e.cache.outputs.get(outputKey{})
	for _, el := range e.cache.outputs.index {
		entry = el.Value.(*lruEntry[outputKey, cachedOutput]).val
	}
	e.cache.mu.Unlock()
	if entry.pin.owner == nil || !inside(entry.out, memoryOf(embedded(entry.pin.owner))) {
		t.Fatal("the cached output does not alias its instance's memory, or does not carry it")
	}
	for _, r := range []Response{resp, hit} {
		if inside(r.Output, memoryOf(embedded(entry.pin.owner))) || !bytes.Equal(r.Output, entry.out) {
			t.Fatal("a response hands out a slice of linear memory")
		}
	}
	view := e.workers[0].glue[codecs.Decode].view // a glue's view: with its owner
	entry = cachedOutput{}
	if err := e.Close(testCtx); err != nil { // clears the cache
		t.Fatal(err)
	}
	for op := range e.workers[0].glue {
		e.workers[0].glue[op].clear(e) // the workers have stopped
	}
	gc()
	// What stays reachable is the responses and the view: the view's
	// instance is mapped (unreleased), nothing else is.
	s := waitV8(t, e, "release of everything but the view's instance", func(s Snapshot) bool {
		return s.MappedMemory == uint64(heldBytes(view))
	})
	if s.UnreleasedMemory != s.MappedMemory {
		t.Fatalf("%+v", s)
	}
	sum := 0
	for _, b := range view.b[0] { // mapped: its owner is reachable through it
		sum += int(b)
	}
	for _, r := range []Response{resp, hit} {
		if cfg, format, err := decodeConfig(r.Output); err != nil || format != "png" || cfg.Width == 0 {
			t.Fatalf("response after release: %v %s %v", cfg, format, err)
		}
	}
	t.Logf("read %d bytes of a closed instance through a held view (sum %d) and two responses after release", view.capacity(), sum)
	view = memView{}
	gc()
	waitV8(t, e, "release of the view's instance", func(s Snapshot) bool { return s.MappedMemory == 0 })
}

// memoryOf is an instance's whole memory, closed or not (wazero's
// api.Memory keeps its buffer after Close).
func memoryOf(in *codecs.Instance) []byte {
	b, _ := in.Memory().Read(0, in.Memory().Size())
	return b
}

// inside reports whether b lies inside mem.
func inside(b, mem []byte) bool {
	if len(b) == 0 || len(mem) == 0 {
		return false
	}
	p, lo := uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&mem[0]))
	return p >= lo && p+uintptr(len(b)) <= lo+uintptr(len(mem))
}

// TestV8_GrowInPlace: a decode instance kept across requests grows in
// place: its memory's address never changes, and the Go heap does not
// take its growth.
func TestV8_GrowInPlace(t *testing.T) {
	e, _ := newEngine(t, v8Strategy(func(s *Strategy) { s.Lifetime = Reuse }), 1)
	mustDo(t, e, smallRequest(1))
	in := e.workers[0].kept[codecs.Decode]
	v0 := embedded(in.inst).View()
	p0, n0 := unsafe.SliceData(v0), len(v0)
	h0 := heapLive(e)
	mustDo(t, e, bigRequest(2))
	v1 := embedded(in.inst).View()
	h1 := heapLive(e)
	t.Logf("decode memory %d -> %d bytes at %p -> %p; live heap %d -> %d", n0, len(v1), p0, unsafe.SliceData(v1), h0, h1)
	if len(v1) <= n0 {
		t.Fatalf("the big request did not grow the decoder: %d -> %d", n0, len(v1))
	}
	if unsafe.SliceData(v1) != p0 {
		t.Error("the decoder's memory moved when it grew")
	}
	if grown := int64(h1) - int64(h0); grown > int64(len(v1)-n0)/4 {
		t.Errorf("live heap grew %d for %d bytes of growth outside it", grown, len(v1)-n0)
	}
}

// TestV8_EveryCombination runs a workload with failures under every
// strategy allocator go accepts, with allocator v8, while the Go
// collector runs very often (GOGC=5): a bare slice of a released memory
// read anywhere (an aliased image between steps, a cached entry, a leaked
// view) would crash the test binary. After Close and collections, only
// what leaked references still hold stays mapped.
func TestV8_EveryCombination(t *testing.T) {
	if testing.Short() {
		t.Skip("many engines")
	}
	defer setGCPercent(setGCPercent(5))
	var vs []Strategy
	for _, top := range []Topology{PerWorker, Pipeline} {
		for _, lt := range []Lifetime{Reuse, Fresh, Pool, Recycle} {
			for _, vl := range [][2]uint8{{0, 0}, {1, 1}} {
				for _, res := range []Results{ResultsCopied, ResultsAliased} {
					s := Strategy{Topology: top, Lifetime: lt, Views: Views(vl[0]), Listeners: Listeners(vl[1]), Allocator: AllocatorV8, Results: res, Cache: 2}
					if lt == Recycle {
						s.RecycleAfter = 2
					}
					if s.Validate() != nil {
						continue // refused under allocator go as well
					}
					go_ := s
					go_.Allocator = AllocatorGo
					if go_.Validate() != nil {
						t.Fatalf("%s: accepted under v8, refused under go", s)
					}
					vs = append(vs, s)
				}
			}
		}
	}
	for _, s := range vs {
		t.Run(fmt.Sprintf("%s/%s/views-%s/listeners-%s/%s", s.Topology, s.Lifetime, s.Views, s.Listeners, s.Results), func(t *testing.T) {
			e, _ := newEngine(t, s, 2)
			reqs := mixedRequests()
			resps, errs := doAll(e, reqs)
			for i, err := range errs {
				switch id := reqs[i].ID; {
				case id == 90 && !errors.Is(err, codecs.ErrTrap), id == 91 && !errors.Is(err, codecs.ErrCorrupt):
					t.Errorf("request %d: %v", id, err)
				case id < 90 && err != nil:
					t.Errorf("request %d: %v", id, err)
				case id < 90:
					if _, _, err := decodeConfig(resps[i].Output); err != nil {
						t.Errorf("request %d: output: %v", id, err)
					}
				}
			}
			if err := e.Close(testCtx); err != nil {
				t.Fatal(err)
			}
			// Collections, as many as it takes (a sync.Pool lets go of what
			// Close could not take back only over two of them): everything
			// but what leaked references hold is released. Under lifetime
			// pool they hold more than they count: wazero's store closes
			// the modules it still lists (the pooled and dropped ones)
			// without unlinking them from each other (Store.CloseWithExitCode
			// leaves ModuleInstance.prev and next), so a module a leaked
			// reference holds keeps that whole list reachable, under
			// allocator go as well.
			held := e.Snapshot()
			want := held.Listeners + held.LeakedViews
			if s.Lifetime == Pool {
				gc()
				gc()
				if m := e.Snapshot().MappedMemory; m < want {
					t.Errorf("mapped %d after Close, less than the %d bytes leaked references hold", m, want)
				} else {
					t.Logf("mapped %d after Close, leaked references count %d", m, want)
				}
			} else {
				eventually(t, fmt.Sprintf("release of all but the %d bytes leaked references hold (%+v)", want, held), func() bool { return e.Snapshot().MappedMemory == want })
			}
			if s := e.Snapshot(); s.LiveInstances != 0 || s.UnreleasedMemory != s.MappedMemory {
				t.Errorf("after Close: %+v", s)
			}
			// Let go of the leaked references: everything is released.
			for _, w := range e.workers {
				for op := range w.glue {
					w.glue[op].clear(e)
				}
			}
			ResetListeners()
			eventually(t, "release of everything once the leaked references are gone", func() bool { return e.Snapshot().MappedMemory == 0 })
		})
	}
}

// TestV8_AliasedOutputOutlivesCollections: under allocator v8 with
// results aliased, the copy handed to the caller is made while the
// encoder's instance is still reachable: collections forced all along
// (which release an unreachable instance's pages) never fault the copy
// nor change the bytes. Without the owner kept alive until the copy, a
// collection between the encoder's return and the copy faulted (seen in
// CI under load).
func TestV8_AliasedOutputOutlivesCollections(t *testing.T) {
	if testing.Short() {
		t.Skip("many requests under constant collections")
	}
	defer setGCPercent(setGCPercent(5))
	fixed, _ := Preset("fixed")
	fixed.Allocator, fixed.Results = AllocatorV8, ResultsAliased
	e, _ := newEngine(t, fixed, 2)
	stop := make(chan struct{})
	var collector sync.WaitGroup
	collector.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
			}
		}
	})
	defer func() { close(stop); collector.Wait() }()
	for round := range 5 {
		reqs := mixedRequests()
		resps, errs := doAll(e, reqs)
		for i, err := range errs {
			if id := reqs[i].ID; id < 90 && err == nil {
				if _, _, err := decodeConfig(resps[i].Output); err != nil {
					t.Errorf("round %d, request %d: output: %v", round, id, err)
				}
			}
		}
	}
}
