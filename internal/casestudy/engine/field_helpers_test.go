package engine

import (
	"bytes"
	"image"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// srcBig is a 1024x768 PNG: its decode instance grows to several MiB, far
// above the 320 KiB a fresh instance starts with.
var srcBig = sync.OnceValue(func() []byte { return genImage(1024, 768, "png") })

// bigRequest decodes srcBig and resizes it to 64 pixels wide before the
// PNG encode, so that only decode and resize see the big image.
func bigRequest(id int) Request {
	return Request{ID: id, Source: srcBig(), Width: 64, Format: codecs.PNG}
}

// smallRequest runs the same codecs as bigRequest on srcPNG.
func smallRequest(id int) Request {
	return Request{ID: id, Source: srcPNG, Width: 48, Format: codecs.PNG}
}

// field returns the "fixed" strategy changed by f.
func field(f func(*Strategy)) Strategy { return with(fixedStrategy, f) }

// opMemory is what a probe saw of an instance at the end of an operation:
// its id, the capacity of a view of its memory (the backing array) and
// weak pointers to that memory and to the instance object.
type opMemory struct {
	instance int
	held     int64
	mem      weak.Pointer[byte]
	obj      weak.Pointer[codecs.Instance]
}

// probe records, for each successful operation, the instance's memory as
// the worker sees it right after the call: the recorder's hook runs on
// the worker's goroutine before the worker lets go of the instance.
type probe struct {
	mu  sync.Mutex
	ops map[[2]int]opMemory // by request id and op
}

// attach installs the probe on e's recorder.
func attach(e *Engine, rec *recorder) *probe {
	p := &probe{ops: map[[2]int]opMemory{}}
	hook := func(ev Event) {
		if ev.Kind != OpDone || ev.Err != nil {
			return
		}
		in := e.workers[ev.Worker-1].busy
		if in == nil || in.inst.ID() != ev.Instance {
			return
		}
		ci := embedded(in.inst)
		view := ci.View()
		m := opMemory{instance: ev.Instance, held: heldBytes(memView{inst: in.inst, b: [][]byte{view}}), obj: weak.Make(ci)}
		if len(view) > 0 {
			m.mem = weak.Make(&view[0])
		}
		p.mu.Lock()
		p.ops[[2]int{ev.Request, int(ev.Op)}] = m
		p.mu.Unlock()
	}
	rec.hook.Store(&hook)
	return p
}

func (p *probe) get(t testing.TB, request int, op codecs.Op) opMemory {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.ops[[2]int{request, int(op)}]
	if !ok {
		t.Fatalf("no %s operation of request %d seen", op, request)
	}
	return m
}

// gc runs two collections, enough for any garbage to be freed.
func gc() {
	runtime.GC()
	runtime.GC()
}

// eventually polls cond, collecting garbage in between, until it holds;
// the timeout only guards against a hang (a bug), it never decides a pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
}

// heapLive returns the live heap after a full collection.
func heapLive(e *Engine) uint64 {
	gc()
	return e.Snapshot().HeapLive
}

// rss returns the process's resident set size from /proc/self/statm, or
// skips the test where there is none.
func rss(t testing.TB) uint64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	f := strings.Fields(string(b))
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		t.Fatalf("statm %q: %v", b, err)
	}
	return pages * uint64(os.Getpagesize())
}

// newEngineConfig is newEngine with a whole Config (its Events are the
// recorder's); with an OpTimeout, on the interruptible library.
func newEngineConfig(t testing.TB, cfg Config) (*Engine, *recorder) {
	t.Helper()
	ResetListeners()
	rec := newRecorder()
	cfg.Events = rec.event
	l := lib
	if cfg.OpTimeout > 0 { // the deadline must be able to stop a guest call
		l = interruptible(t)
	}
	e, err := New(testCtx, l, cfg)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, e)
	return e, rec
}

// createdPerOp counts instance creations by codec.
func (r *recorder) createdPerOp() map[codecs.Op]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := map[codecs.Op]int{}
	for _, ev := range r.created {
		n[ev.Op]++
	}
	return n
}

// setGCPercent is debug.SetGCPercent.
func setGCPercent(p int) int { return debug.SetGCPercent(p) }

// decodeConfig returns an encoded image's dimensions.
func decodeConfig(src []byte) (image.Config, string, error) {
	return image.DecodeConfig(bytes.NewReader(src))
}
