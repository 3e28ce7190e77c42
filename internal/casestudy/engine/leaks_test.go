package engine

import (
	"runtime"
	"testing"
	"weak"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// TestLifetime_Reuse: kept instances hold their linear memory, all of it
// real Go heap that a GC cannot free.
func TestLifetime_Reuse(t *testing.T) {
	for _, name := range []string{"before", "fix1"} {
		t.Run(name, func(t *testing.T) {
			e, rec := newEngine(t, preset(t, name), 2)
			var reqs []Request
			for i := range 3 {
				for _, f := range formats() {
					reqs = append(reqs, request(len(reqs)+1, f))
					reqs[len(reqs)-1].Width = 32 + 16*i
				}
			}
			if _, errs := doAll(e, reqs); errorsIn(errs) != nil {
				t.Fatal(errorsIn(errs))
			}
			n, sum := rec.liveMemory()
			s := e.Snapshot()
			if s.LiveInstances != n || s.LinearMemory != sum || sum == 0 {
				t.Fatalf("snapshot: %d live, %d bytes; events: %d live, %d bytes", s.LiveInstances, s.LinearMemory, n, sum)
			}
			runtime.GC()
			runtime.GC()
			after := e.Snapshot()
			if after.LinearMemory != s.LinearMemory || after.LiveInstances != s.LiveInstances {
				t.Errorf("after GC: %d live, %d bytes; before: %d, %d", after.LiveInstances, after.LinearMemory, s.LiveInstances, s.LinearMemory)
			}
			if after.HeapLive < after.LinearMemory {
				t.Errorf("live heap %d < linear memory %d: the memory is not Go heap?", after.HeapLive, after.LinearMemory)
			}
			if after.LeakedViews != 0 || after.Listeners != 0 {
				t.Errorf("reused instances are live, yet leaked views %d, listeners %d", after.LeakedViews, after.Listeners)
			}
		})
	}
}

// TestFixed_NothingRetained: with all four fixes, nothing is live or
// retained between requests.
func TestFixed_NothingRetained(t *testing.T) {
	e, rec := newEngine(t, preset(t, "fixed"), 0)
	for i, f := range append(formats(), formats()...) {
		mustDo(t, e, request(i+1, f))
		s := e.Snapshot()
		if s.LiveInstances != 0 || s.LinearMemory != 0 || s.LeakedViews != 0 || s.Listeners != 0 || s.ListenerCount != 0 {
			t.Fatalf("after request %d: %+v", i+1, s)
		}
	}
	if n, _ := rec.liveMemory(); n != 0 || len(rec.closed) != len(rec.created) {
		t.Errorf("events: %d live, %d created, %d closed", n, len(rec.created), len(rec.closed))
	}
}

// TestListeners_GrowLinearly: with fresh instances and leaked listeners,
// every emscripten-style instantiation adds a listener that keeps its
// (closed) instance's memory, without bound.
func TestListeners_GrowLinearly(t *testing.T) {
	e, _ := newEngine(t, Strategy{Topology: Pipeline, Lifetime: Fresh, Views: ViewsCleared, Listeners: ListenersLeaked}, 0)
	const k = 6
	var first uint64
	for i := 1; i <= k; i++ {
		mustDo(t, e, request(i, codecs.JPEG))
		s := e.Snapshot()
		if i == 1 {
			first = s.Listeners
			if first == 0 {
				t.Fatal("no listener memory after one JPEG encode")
			}
		}
		if s.ListenerCount != i || s.Listeners != uint64(i)*first {
			t.Errorf("after %d JPEG requests: %d listeners holding %d bytes; want %d holding %d", i, s.ListenerCount, s.Listeners, i, uint64(i)*first)
		}
		if s.LeakedViews != 0 || s.LiveInstances != 0 {
			t.Errorf("views cleared, fresh: leaked views %d, live %d", s.LeakedViews, s.LiveInstances)
		}
	}
	// PNG output is bindgen-style: no listeners.
	mustDo(t, e, request(k+1, codecs.PNG))
	if s := e.Snapshot(); s.ListenerCount != k {
		t.Errorf("PNG request added listeners: %d", s.ListenerCount)
	}
	// WebP is emscripten-style too.
	if lib.Has(codecs.EncodeWebP) {
		before := e.Snapshot().Listeners
		mustDo(t, e, request(k+2, codecs.WebP))
		s := e.Snapshot()
		if s.ListenerCount != k+1 || s.Listeners <= before {
			t.Errorf("WebP request: %d listeners holding %d bytes (before: %d)", s.ListenerCount, s.Listeners, before)
		}
		ResetListeners()
		mustDo(t, e, request(k+3, codecs.JPEG))
	}
	// Close does not free them: the registry is process-global.
	want := e.Snapshot()
	if err := e.Close(testCtx); err != nil {
		t.Fatal(err)
	}
	if s := e.Snapshot(); s.ListenerCount != want.ListenerCount || s.Listeners != want.Listeners || s.ListenerCount == 0 {
		t.Errorf("after Close: %d listeners holding %d; before: %d holding %d", s.ListenerCount, s.Listeners, want.ListenerCount, want.Listeners)
	}
	ResetListeners()
	if s := e.Snapshot(); s.ListenerCount != 0 || s.Listeners != 0 {
		t.Errorf("after ResetListeners: %d listeners holding %d", s.ListenerCount, s.Listeners)
	}
}

// TestViews_Bounded: with fresh instances and leaked views only, the glue
// keeps one dead instance per bindgen module per worker: the figure does
// not grow with the number of requests.
func TestViews_Bounded(t *testing.T) {
	t.Run("pipeline", func(t *testing.T) {
		e, _ := newEngine(t, Strategy{Topology: Pipeline, Lifetime: Fresh, Views: ViewsLeaked, Listeners: ListenersRemoved}, 0)
		mustDo(t, e, request(1, codecs.PNG))
		first := e.Snapshot().LeakedViews
		if first == 0 {
			t.Fatal("no leaked view memory after a PNG request")
		}
		for i := 2; i <= 4; i++ {
			mustDo(t, e, request(i, codecs.PNG))
			if s := e.Snapshot(); s.LeakedViews != first || s.LiveInstances != 0 || s.ListenerCount != 0 {
				t.Errorf("after %d requests: leaked views %d (want %d), live %d, listeners %d", i, s.LeakedViews, first, s.LiveInstances, s.ListenerCount)
			}
		}
		if n := retainedGlues(e); n != 3 {
			t.Errorf("%d glues retain a closed instance, want 3 (decode, resize, encodePng)", n)
		}
	})
	t.Run("per-worker", func(t *testing.T) {
		const workers = 3
		e, _ := newEngine(t, Strategy{Topology: PerWorker, Lifetime: Fresh, Views: ViewsLeaked, Listeners: ListenersRemoved}, workers)
		var peak uint64
		for round := range 3 {
			reqs := make([]Request, 4)
			for i := range reqs {
				reqs[i] = request(round*10+i, codecs.PNG)
			}
			if _, errs := doAll(e, reqs); errorsIn(errs) != nil {
				t.Fatal(errorsIn(errs))
			}
			s := e.Snapshot()
			var sum int64
			n := 0
			maxOne := int64(0)
			for _, w := range e.workers {
				for op := range w.glue {
					if r := w.glue[op].retained; r > 0 {
						sum += r
						n++
						maxOne = max(maxOne, r)
					}
				}
			}
			if uint64(sum) != s.LeakedViews {
				t.Errorf("snapshot leaked views %d, glues retain %d", s.LeakedViews, sum)
			}
			if n > workers*3 || s.LeakedViews > uint64(workers*3)*uint64(maxOne) {
				t.Errorf("round %d: %d glues retain %d bytes; bound is %d glues", round, n, s.LeakedViews, workers*3)
			}
			peak = max(peak, s.LeakedViews)
		}
		if peak == 0 {
			t.Error("no leaked views at all")
		}
	})
}

// retainedGlues counts glues holding a closed instance. Call it only
// between requests: Do's return orders the workers' writes before it.
func retainedGlues(e *Engine) int {
	n := 0
	for _, w := range e.workers {
		for op := range w.glue {
			if w.glue[op].retained > 0 {
				n++
			}
		}
	}
	return n
}

// TestLeaks_AreReal checks with weak pointers that the leaks are real
// references: the memory of a closed instance survives GC while glue or a
// listener holds it, and is collected once they let go.
func TestLeaks_AreReal(t *testing.T) {
	t.Run("views", func(t *testing.T) {
		e, _ := newEngine(t, Strategy{Topology: Pipeline, Lifetime: Fresh, Views: ViewsLeaked, Listeners: ListenersRemoved}, 0)
		mustDo(t, e, request(1, codecs.PNG))
		wp := weakView(e.workers[codecs.Decode].glue[codecs.Decode].view.b[0])
		runtime.GC()
		runtime.GC()
		if wp.Value() == nil {
			t.Fatal("leaked view collected while the glue holds it")
		}
		mustDo(t, e, request(2, codecs.PNG)) // the next instantiation overwrites the glue
		runtime.GC()
		runtime.GC()
		if wp.Value() != nil {
			t.Error("first decode instance's memory still reachable after the glue moved on")
		}
	})
	t.Run("listeners", func(t *testing.T) {
		e, _ := newEngine(t, Strategy{Topology: Pipeline, Lifetime: Reuse, Views: ViewsCleared, Listeners: ListenersLeaked}, 0)
		mustDo(t, e, request(1, codecs.JPEG))
		wp := weakView(e.workers[codecs.EncodeJPEG].kept[codecs.EncodeJPEG].em.heap.b[0])
		if err := e.Close(testCtx); err != nil {
			t.Fatal(err)
		}
		if s := e.Snapshot(); s.ListenerCount != 1 || s.Listeners == 0 {
			t.Fatalf("after Close: %d listeners holding %d bytes", s.ListenerCount, s.Listeners)
		}
		e = nil // only the global registry can keep the instance now
		runtime.GC()
		runtime.GC()
		if wp.Value() == nil {
			t.Fatal("instance memory collected while a listener holds it")
		}
		ResetListeners()
		runtime.GC()
		runtime.GC()
		if wp.Value() != nil {
			t.Error("instance memory still reachable after ResetListeners")
		}
	})
}

// weakView returns a weak pointer to the backing array of view.
func weakView(view []byte) weak.Pointer[byte] {
	if len(view) == 0 {
		panic("empty view")
	}
	return weak.Make(&view[0])
}
