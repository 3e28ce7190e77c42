package engine

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/casestudy/squoosh"
	"github.com/leakbench/leakbench/internal/memprofile"
)

// events records every event of an engine, in order.
type events struct {
	mu  sync.Mutex
	all []Event
}

func (ev *events) add(e Event) {
	ev.mu.Lock()
	ev.all = append(ev.all, e)
	ev.mu.Unlock()
}

func (ev *events) list() []Event {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return append([]Event(nil), ev.all...)
}

// newSquooshEngine starts an engine on codecs squoosh with s's other
// settings, closed at the test's end, or skips the test when next@10.1.0
// is not installed (CI installs it). It is given no library, as the
// builtin target gives none, and fails the test if the engine compiled
// the embedded codecs anyway.
func newSquooshEngine(t testing.TB, s Strategy, workers int) (*Engine, *recorder, *events) {
	t.Helper()
	s.Codecs = CodecsSquoosh
	ResetListeners()
	rec, all := newRecorder(), &events{}
	e, err := New(testCtx, nil, Config{Strategy: s, Workers: workers, Events: func(ev Event) { rec.event(ev); all.add(ev) },
		Memories: memprofile.NewBook(), Library: lib.Options()})
	if errors.Is(err, squoosh.ErrNotInstalled) {
		t.Skipf("codecs squoosh needs the npm install: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, e)
	if e.lib != nil {
		t.Fatal("an engine on codecs squoosh compiled the embedded codecs")
	}
	return e, rec, all
}

// squooshRequests is a mixed list on the tiny sources: PNG and JPEG
// sources, rotations, resizes, every output format, and (last) a corrupt
// PNG that fails in squoosh_png.
func squooshRequests() (reqs []Request, jpegSources map[int]bool) {
	reqs = []Request{
		{ID: 1, Source: srcPNG, Rotate: 90, Width: 48, Format: codecs.PNG},
		{ID: 2, Source: srcJPEG, Width: 40, Format: codecs.JPEG},
		{ID: 3, Source: srcPNG, Width: 64, Format: codecs.WebP, Quality: 60},
		{ID: 4, Source: srcJPEG, Rotate: 180, Width: 32, Format: codecs.WebP},
		{ID: 5, Source: srcPNG, Rotate: 270, Width: 40, Format: codecs.JPEG, Quality: 50},
		{ID: 6, Source: srcJPEG, Width: 24, Format: codecs.PNG},
		{ID: 7, Source: srcPNG[:300], Format: codecs.PNG},
	}
	return reqs, map[int]bool{2: true, 4: true, 6: true}
}

// TestSquooshSet_Invariants runs the mixed list on codecs squoosh under
// each lifetime and both views settings, one request at a time, and
// checks what the embedded set's tests check: the instances and their
// memory as the events report them, the per-call JPEG decoder (a fresh
// instance for each JPEG source, closed after its one operation), a
// listener per emscripten instantiation, leaked views holding closed
// instances' memory (both of encodePng's modules) and cleared views none,
// the linear memory profile agreeing with the snapshot, and nothing left
// after Close.
func TestSquooshSet_Invariants(t *testing.T) {
	lifetimes := []Strategy{
		{Lifetime: Reuse},
		{Lifetime: Fresh},
		{Lifetime: Pool},
		{Lifetime: Recycle, RecycleAfter: 2},
	}
	for _, base := range lifetimes {
		for _, views := range []Views{ViewsLeaked, ViewsCleared} {
			s := base
			s.Topology, s.Views, s.Listeners = Pipeline, views, ListenersLeaked
			t.Run(fmt.Sprintf("%s/views=%s", s.Lifetime, views), func(t *testing.T) {
				e, rec, all := newSquooshEngine(t, s, 0)
				reqs, jpegSources := squooshRequests()
				for _, r := range reqs {
					resp, err := e.Do(testCtx, r)
					if r.ID == 7 {
						if err == nil {
							t.Fatal("a corrupt PNG decoded")
						}
						continue
					}
					if err != nil {
						t.Fatalf("request %d: %v", r.ID, err)
					}
					if f, err := codecs.Sniff(resp.Output); err != nil || f != r.Format {
						t.Fatalf("request %d: output is %v (%v), want %s", r.ID, f, err, r.Format)
					}
				}
				snap := e.Snapshot()
				n, sum := rec.liveMemory()
				if snap.LiveInstances != n || snap.LinearMemory != sum {
					t.Errorf("snapshot: %d live, %d bytes; events: %d live, %d bytes", snap.LiveInstances, snap.LinearMemory, n, sum)
				}
				if s.Lifetime != Fresh && n == 0 {
					t.Errorf("lifetime %s kept no instance", s.Lifetime)
				}
				checkHolderBytes(t, e.cfg.Memories.LinearMemories(), map[string]uint64{
					target.HolderLive: snap.LinearMemory - snap.DroppedMemory,
					HolderViews:       snap.LeakedViews,
					HolderListeners:   snap.Listeners,
					HolderPool:        snap.DroppedMemory,
				})

				created := checkEmscripten(t, all.list(), jpegSources, snap)

				var retained int64
				for _, w := range e.workers {
					for op := range w.glue {
						retained += w.glue[op].retained
					}
				}
				if uint64(retained) != snap.LeakedViews {
					t.Errorf("snapshot leaked views %d, glues retain %d", snap.LeakedViews, retained)
				}
				switch {
				case views == ViewsCleared && snap.LeakedViews != 0:
					t.Errorf("views cleared, yet %d bytes of leaked views", snap.LeakedViews)
				case views == ViewsLeaked && s.Lifetime == Fresh:
					g := e.workers[codecs.EncodePNG].glue[codecs.EncodePNG]
					if g.retained == 0 || len(g.view.b) != 2 || int64(g.view.capacity()) != g.retained {
						t.Errorf("encodePng's leaked glue: %d bytes retained, %d views of %d bytes; want squoosh_png's and oxipng's, all retained", g.retained, len(g.view.b), g.view.capacity())
					}
				}

				if err := e.Close(testCtx); err != nil {
					t.Fatal(err)
				}
				after := e.Snapshot()
				if after.LiveInstances != 0 || after.LinearMemory != 0 {
					t.Errorf("after Close: %d live, %d bytes", after.LiveInstances, after.LinearMemory)
				}
				for id := range created {
					if !rec.closed[id] {
						t.Errorf("instance %d (%s) never closed", id, created[id].Op)
					}
				}
			})
		}
	}
}

// checkEmscripten checks the events of a run of squooshRequests: each
// JPEG source's decoder is an instance of its own that ran one operation
// and is closed, and the snapshot's listeners are one per emscripten
// instantiation (mozjpeg_dec, mozjpeg_enc, webp_enc). It returns the
// created instances by id.
func checkEmscripten(t *testing.T, evs []Event, jpegSources map[int]bool, snap Snapshot) map[int]Event {
	t.Helper()
	created, closed, ops := map[int]Event{}, map[int]bool{}, map[int]int{}
	for _, ev := range evs {
		switch ev.Kind {
		case InstanceCreated:
			created[ev.Instance] = ev
		case InstanceClosed:
			closed[ev.Instance] = true
		case OpDone:
			ops[ev.Instance]++
		}
	}
	emscripten := 0 // instantiations of mozjpeg_dec, mozjpeg_enc, webp_enc
	for _, ev := range evs {
		switch {
		case ev.Kind == InstanceCreated && (ev.Op == codecs.EncodeJPEG || ev.Op == codecs.EncodeWebP):
			emscripten++
		case ev.Kind == OpDone && ev.Op == codecs.Decode && jpegSources[ev.Request]:
			emscripten++
			if ops[ev.Instance] != 1 || !closed[ev.Instance] {
				t.Errorf("request %d's JPEG decoder, instance %d: %d operations, closed %t; want 1, closed", ev.Request, ev.Instance, ops[ev.Instance], closed[ev.Instance])
			}
		}
	}
	if snap.ListenerCount != emscripten {
		t.Errorf("%d listeners, want one per emscripten instantiation: %d", snap.ListenerCount, emscripten)
	}

	return created
}

// TestSquooshSet_PerWorker: the mixed list, concurrently, on the before
// stage's topology (two workers, every codec reused, views and listeners
// leaked): instances and memory as the events say, a fresh JPEG decoder
// per JPEG source and a listener per emscripten instantiation.
func TestSquooshSet_PerWorker(t *testing.T) {
	e, rec, all := newSquooshEngine(t, preset(t, "before"), 2)
	reqs, jpegSources := squooshRequests()
	reqs = reqs[:len(reqs)-1] // no corrupt source: every request must succeed
	if _, errs := doAll(e, reqs); errorsIn(errs) != nil {
		t.Fatal(errorsIn(errs))
	}
	snap := e.Snapshot()
	if n, sum := rec.liveMemory(); snap.LiveInstances != n || snap.LinearMemory != sum || n == 0 {
		t.Errorf("snapshot: %d live, %d bytes; events: %d live, %d bytes", snap.LiveInstances, snap.LinearMemory, n, sum)
	}
	checkEmscripten(t, all.list(), jpegSources, snap)
}

// TestSquooshSet_LeakedViewsHoldMemory: under fresh with leaked views,
// the encodePng glue keeps both of its closed modules' memories (oxipng's
// here) reachable through a GC, until the glue is cleared.
func TestSquooshSet_LeakedViewsHoldMemory(t *testing.T) {
	e, _, _ := newSquooshEngine(t, Strategy{Topology: Pipeline, Lifetime: Fresh, Views: ViewsLeaked, Listeners: ListenersRemoved}, 0)
	mustDo(t, e, Request{ID: 1, Source: srcPNG, Width: 32, Format: codecs.PNG})
	g := &e.workers[codecs.EncodePNG].glue[codecs.EncodePNG]
	if g.wasm == nil || !g.wasm.Closed() || len(g.view.b) != 2 {
		t.Fatalf("encodePng glue: %v, %d views; want its closed instance's two", g.wasm, len(g.view.b))
	}
	wp := weakView(g.view.b[1])
	gc()
	if wp.Value() == nil {
		t.Fatal("oxipng's memory collected while the leaked glue holds it")
	}
	before := e.Snapshot().LeakedViews
	held := g.retained
	if before < uint64(cap(g.view.b[1])) || held != int64(g.view.capacity()) {
		t.Fatalf("leaked views %d bytes, encodePng's glue %d; want at least oxipng's memory %d, and both modules' %d", before, held, cap(g.view.b[1]), g.view.capacity())
	}
	g.clear(e) // no request runs: the test is the glue's only user
	gc()
	if wp.Value() != nil {
		t.Error("oxipng's memory still reachable after the glue was cleared")
	}
	if s := e.Snapshot(); s.LeakedViews != before-uint64(held) || s.LeakedViews != uint64(retainedBy(e)) {
		t.Errorf("leaked views %d after clearing encodePng's glue (%d before, %d its); glues retain %d", s.LeakedViews, before, held, retainedBy(e))
	}
}

// retainedBy sums what e's glues retain.
func retainedBy(e *Engine) int64 {
	var n int64
	for _, w := range e.workers {
		for op := range w.glue {
			n += w.glue[op].retained
		}
	}
	return n
}

// TestSquooshSet_SameBytesAsOptimizer: a request on codecs squoosh gives
// the very bytes squoosh.Optimizer.Process (impl.js processBuffer, whose
// outputs equal Node's goldens) gives for the same source, steps, format
// and quality.
func TestSquooshSet_SameBytesAsOptimizer(t *testing.T) {
	e, _, _ := newSquooshEngine(t, fixedStrategy, 0)
	sq, err := squoosh.New(testCtx, squoosh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close(testCtx)
	opt := sq.NewOptimizer()
	defer opt.Close(testCtx)
	for _, tc := range []struct {
		req   Request
		out   squoosh.Format
		steps []squoosh.Step
	}{
		{Request{ID: 1, Source: srcPNG, Rotate: 90, Width: 48, Format: codecs.PNG}, squoosh.FormatPNG, []squoosh.Step{{Rotations: 1}, {Width: 48}}},
		{Request{ID: 2, Source: srcJPEG, Width: 40, Format: codecs.JPEG, Quality: 70}, squoosh.FormatJPEG, []squoosh.Step{{Width: 40}}},
		{Request{ID: 3, Source: srcPNG, Rotate: 180, Width: 64, Format: codecs.WebP, Quality: 80}, squoosh.FormatWebP, []squoosh.Step{{Rotations: 2}, {Width: 64}}},
	} {
		got := mustDo(t, e, tc.req)
		want, err := opt.Process(testCtx, tc.req.Source, tc.steps, tc.out, tc.req.Quality)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Output, want) {
			t.Errorf("request %d (%s): %d bytes, the optimizer's %d bytes differ", tc.req.ID, tc.req.Format, len(got.Output), len(want))
		}
	}
}

// TestSquooshSet_NotInstalled: without the npm install the engine fails
// at its start, naming the install command.
func TestSquooshSet_NotInstalled(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	_, err := New(testCtx, lib, Config{Strategy: with(fixedStrategy, func(s *Strategy) { s.Codecs = CodecsSquoosh })})
	if !errors.Is(err, squoosh.ErrNotInstalled) || !strings.Contains(err.Error(), squoosh.InstallCommand) {
		t.Fatalf("New without the install: %v; want squoosh.ErrNotInstalled naming %q", err, squoosh.InstallCommand)
	}
	if root, _ := squoosh.DefaultRoot(); !strings.Contains(err.Error(), root) {
		t.Errorf("the error does not name where it looked (%s): %v", root, err)
	}
}

// TestSquooshSet_Validate: codecs takes embedded or squoosh, squoosh
// refuses malloc original and results aliased, and String names it only
// when it is not the default.
func TestSquooshSet_Validate(t *testing.T) {
	s := with(fixedStrategy, func(s *Strategy) { s.Codecs = CodecsSquoosh })
	if err := s.Validate(); err != nil {
		t.Fatalf("fixed on squoosh: %v", err)
	}
	if !strings.HasSuffix(s.String(), " codecs=squoosh") || strings.Contains(fixedStrategy.String(), "codecs") {
		t.Errorf("String: %q; embedded: %q", s.String(), fixedStrategy.String())
	}
	bad := s
	bad.Malloc = codecs.MallocOriginal
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "malloc: original with codecs: squoosh") {
		t.Errorf("malloc original on squoosh: %v", err)
	}
	bad = s
	bad.Results, bad.Cache = ResultsAliased, 4
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "results: aliased with codecs: squoosh") {
		t.Errorf("results aliased on squoosh: %v", err)
	}
	var c Codecs
	if err := c.UnmarshalText([]byte("node")); err == nil || !strings.Contains(err.Error(), "embedded, squoosh") {
		t.Errorf("UnmarshalText(node): %v", err)
	}
	if err := (Strategy{Codecs: 9}).Validate(); err == nil || !strings.Contains(err.Error(), "codecs") {
		t.Errorf("undefined codecs: %v", err)
	}
}
