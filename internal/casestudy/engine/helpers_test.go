package engine

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// testCtx is deliberately not context.Background, as in wazero's tests.
var testCtx = context.WithValue(context.Background(), struct{}{}, "engine test")

// lib is the codecs library shared by every test: compiling the modules is
// the slow part, instances are what the tests are about. It is
// uninterruptible, as the builtin target's library is without an op
// timeout (builtin.New: Uninterruptible when OpTimeout is 0), which runs
// the codecs several times faster; a test whose deadline must stop a
// guest call takes interruptible().
var lib *codecs.Library

// testCache is the compilation cache lib and interruptible() share.
var testCache string

// interruptibleLib is lib's interruptible twin, made on first use
// (interruptible) and closed by TestMain.
var interruptibleLib struct {
	once sync.Once
	lib  *codecs.Library
	err  error
}

// interruptible returns the interruptible twin of lib: a done context
// (Config.OpTimeout) stops a guest call in the middle.
func interruptible(t testing.TB) *codecs.Library {
	t.Helper()
	interruptibleLib.once.Do(func() {
		interruptibleLib.lib, interruptibleLib.err = codecs.New(testCtx, codecs.Options{CacheDir: testCache})
	})
	if interruptibleLib.err != nil {
		t.Fatal(interruptibleLib.err)
	}
	return interruptibleLib.lib
}

// Test sources: small generated images.
var (
	srcPNG   []byte // 128x96 PNG
	srcJPEG  []byte // 128x96 JPEG
	srcSmall []byte // 64x48 PNG, for the hammer
)

func TestMain(m *testing.M) {
	// A compilation cache on disk: engines that need a runtime of their
	// own (pool, mmap, memory_limit) make one from lib.Options() and find
	// the modules compiled.
	cache, err := os.MkdirTemp("", "engine-test-wazero-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine tests:", err)
		os.Exit(2)
	}
	testCache = cache
	lib, err = codecs.New(testCtx, codecs.Options{CacheDir: cache, Uninterruptible: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine tests: codecs.New:", err)
		os.Exit(2)
	}
	srcPNG = genImage(128, 96, "png")
	srcJPEG = genImage(128, 96, "jpeg")
	srcSmall = genImage(64, 48, "png")
	code := m.Run()
	_ = lib.Close(testCtx)
	if interruptibleLib.lib != nil {
		_ = interruptibleLib.lib.Close(testCtx)
	}
	_ = os.RemoveAll(cache)
	os.Exit(code)
}

// genImage returns a w×h gradient-and-pattern image encoded as PNG or
// JPEG. Smooth content keeps the codecs fast (noise makes the PNG encoder
// several times slower).
func genImage(w, h int, format string) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(x * 255 / w), G: uint8(y * 255 / h),
				B: uint8(x ^ y), A: 255,
			})
		}
	}
	var buf bytes.Buffer
	var err error
	if format == "jpeg" {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// formats returns the output formats the library can produce.
func formats() []codecs.Format {
	f := []codecs.Format{codecs.PNG, codecs.JPEG}
	if lib.Has(codecs.EncodeWebP) {
		f = append(f, codecs.WebP)
	}
	return f
}

// opsAvailable counts the library's available operations.
func opsAvailable() int {
	n := 0
	for op := range codecs.Op(codecs.NumOps) {
		if lib.Has(op) {
			n++
		}
	}
	return n
}

// recorder tracks instances through Events: live count and its maximum,
// each live instance's last known memory, and the failed operations.
type recorder struct {
	mu      sync.Mutex
	live    map[int]uint64 // instance id -> memory
	maxLive int
	created []Event
	closed  map[int]bool
	opErrs  []Event
	// hook, if set, is called after the event is recorded, outside the
	// lock, on the worker's goroutine.
	hook atomic.Pointer[func(Event)]
}

func newRecorder() *recorder {
	return &recorder{live: map[int]uint64{}, closed: map[int]bool{}}
}

func (r *recorder) event(ev Event) {
	r.mu.Lock()
	switch ev.Kind {
	case InstanceCreated:
		r.live[ev.Instance] = ev.Memory
		r.created = append(r.created, ev)
		r.maxLive = max(r.maxLive, len(r.live))
	case InstanceClosed:
		delete(r.live, ev.Instance)
		r.closed[ev.Instance] = true
	case OpDone:
		if _, ok := r.live[ev.Instance]; ok {
			r.live[ev.Instance] = ev.Memory
		}
		if ev.Err != nil {
			r.opErrs = append(r.opErrs, ev)
		}
	}
	r.mu.Unlock()
	if h := r.hook.Load(); h != nil {
		(*h)(ev)
	}
}

// liveMemory returns the live instance count and the sum of their memory.
func (r *recorder) liveMemory() (n int, sum uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.live {
		sum += m
	}
	return len(r.live), sum
}

func (r *recorder) max() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.maxLive
}

// newEngine starts an engine for a test, closed at its end, with a
// recorder on its events and an empty listener registry.
func newEngine(t testing.TB, s Strategy, workers int) (*Engine, *recorder) {
	t.Helper()
	ResetListeners()
	rec := newRecorder()
	e, err := New(testCtx, lib, Config{Strategy: s, Workers: workers, Events: rec.event})
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, e)
	return e, rec
}

// preset returns a preset's strategy or fails the test.
func preset(t testing.TB, name string) Strategy {
	t.Helper()
	s, ok := Preset(name)
	if !ok {
		t.Fatalf("no preset %q", name)
	}
	return s
}

// request returns a request for srcPNG rotated by 90° (96x128) and
// resized to width 48, in format f.
func request(id int, f codecs.Format) Request {
	return Request{ID: id, Source: srcPNG, Rotate: 90, Width: 48, Format: f}
}

// mixedRequests is every output format twice, then request 90, which
// traps in its resize, request 91, whose PNG is corrupt, and request 1
// again (a cache hit where there is a cache).
func mixedRequests() []Request {
	var reqs []Request
	for i, f := range append(formats(), formats()...) {
		reqs = append(reqs, request(i+1, f))
	}
	trap := codecs.Resize
	return append(reqs,
		Request{ID: 90, Source: srcJPEG, Width: 40, Format: codecs.JPEG, trapAt: &trap},
		Request{ID: 91, Source: srcPNG[:300], Format: codecs.PNG},
		request(1, codecs.PNG),
	)
}

// doAll runs reqs concurrently and returns their results in order.
func doAll(e *Engine, reqs []Request) ([]Response, []error) {
	resps := make([]Response, len(reqs))
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Go(func() { resps[i], errs[i] = e.Do(testCtx, r) })
	}
	wg.Wait()
	return resps, errs
}

// mustDo runs one request and fails the test on error.
func mustDo(t testing.TB, e *Engine, r Request) Response {
	t.Helper()
	resp, err := e.Do(testCtx, r)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// barrier holds n arrivals until all n have arrived and the test releases
// them.
type barrier struct {
	arrived chan struct{}
	release chan struct{}
}

func newBarrier(n int) *barrier {
	return &barrier{arrived: make(chan struct{}, n), release: make(chan struct{})}
}

func (b *barrier) wait() {
	b.arrived <- struct{}{}
	<-b.release
}

// awaitArrivals waits for n arrivals; the timeout only guards against a
// hang (a bug), it never decides a pass.
func (b *barrier) awaitArrivals(t testing.TB, n int) {
	t.Helper()
	for i := range n {
		select {
		case <-b.arrived:
		case <-time.After(2 * time.Minute):
			close(b.release)
			t.Fatalf("barrier: only %d of %d arrivals", i, n)
		}
	}
}

// embedded is the *codecs.Instance an instance of the embedded set is.
func embedded(in codecInstance) *codecs.Instance { return in.(embeddedInstance).Instance }

// closeAtEnd closes e when the test ends (an error from Close fails it)
// and resets the listener registry it may have filled.
func closeAtEnd(t testing.TB, e *Engine) {
	t.Cleanup(func() {
		if err := e.Close(testCtx); err != nil {
			t.Error(err)
		}
		ResetListeners()
	})
}
