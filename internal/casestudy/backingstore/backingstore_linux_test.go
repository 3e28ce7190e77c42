//go:build linux

package backingstore

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
	"unsafe"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// growModule is a hand-assembled module:
//
//	(memory (export "memory") 1 2000)
//	(func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
var growModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, // type: (i32) -> i32
	0x03, 0x02, 0x01, 0x00, // func 0 has type 0
	0x05, 0x05, 0x01, 0x01, 0x01, 0xd0, 0x0f, // memory min 1 max 2000
	0x07, 0x11, 0x02, // two exports
	0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00,
	0x04, 'g', 'r', 'o', 'w', 0x00, 0x00,
	0x0a, 0x08, 0x01, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b, // code
}

const wasmPage = 64 << 10

var ctx = context.Background()

// harness is a runtime instantiating growModule with an allocator.
type harness struct {
	t     *testing.T
	r     wazero.Runtime
	mod   wazero.CompiledModule
	a     *Allocator
	colls chan Collection
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, colls: make(chan Collection, 64)}
	var err error
	h.a, err = New(func(c Collection) { h.colls <- c })
	if err != nil {
		t.Fatal(err)
	}
	h.r = wazero.NewRuntime(ctx)
	t.Cleanup(func() { _ = h.r.Close(ctx) })
	if h.mod, err = h.r.CompileModule(ctx, growModule); err != nil {
		t.Fatal(err)
	}
	return h
}

// instantiate makes an instance whose memory the allocator adopted.
func (h *harness) instantiate() api.Module {
	h.t.Helper()
	m, err := h.r.InstantiateModule(experimental.WithMemoryAllocator(ctx, h.a), h.mod, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.a.Adopt(m.Memory()); err != nil {
		h.t.Fatal(err)
	}
	return m
}

// grow grows m's memory by pages and touches every new page.
func (h *harness) grow(m api.Module, pages uint32) {
	h.t.Helper()
	res, err := m.ExportedFunction("grow").Call(ctx, uint64(pages))
	if err != nil || int32(res[0]) < 0 {
		h.t.Fatalf("grow %d: %v %v", pages, res, err)
	}
	b, _ := m.Memory().Read(0, m.Memory().Size())
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
}

// waitReleased waits, without collecting, until the allocator has released
// n memories: the cleanups of a collection run after it.
func (h *harness) waitReleased(n int) Stats {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := h.a.Stats()
		if s.Released >= n || time.Now().After(deadline) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// heapObjects is the Go heap's object bytes.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestGrowInPlace: a grow commits pages of the same reservation: the data
// pointer never moves, the committed counter follows the memory, and the
// Go heap does not grow with it.
func TestGrowInPlace(t *testing.T) {
	h := newHarness(t)
	m := h.instantiate()
	b0, _ := m.Memory().Read(0, 1)
	p0 := unsafe.SliceData(b0)
	runtime.GC()
	heap0 := heapObjects()
	for range 8 {
		h.grow(m, 64) // 4 MiB each
		b, _ := m.Memory().Read(0, m.Memory().Size())
		if p := unsafe.SliceData(b); p != p0 {
			t.Fatalf("grow moved the buffer from %p to %p", p0, p)
		}
	}
	runtime.GC()
	heap1 := heapObjects()
	size := uint64(m.Memory().Size())
	if size != (1+8*64)*wasmPage {
		t.Fatalf("memory size %d", size)
	}
	if s := h.a.Stats(); s.Committed != size || s.Reserved != FullGuardSize || s.Memories != 1 {
		t.Errorf("stats %+v, want %d committed in one %d reservation", s, size, uint64(FullGuardSize))
	}
	if grown := int64(heap1) - int64(heap0); grown > int64(size/16) {
		t.Errorf("the Go heap grew %d bytes for %d bytes of linear memory outside it", grown, size)
	}
	t.Logf("memory %d bytes at %p throughout; Go heap objects %d -> %d", size, p0, heap0, heap1)
}

// TestCloseOnlyMarks: Close (wazero's Free) leaves the pages mapped and
// counted as closed while the owner is reachable; once it is not, a
// collection releases them.
func TestCloseOnlyMarks(t *testing.T) {
	h := newHarness(t)
	m := h.instantiate()
	h.grow(m, 16)
	mem := m.Memory()
	size := uint64(mem.Size())
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.GC()
	s := h.a.Stats()
	if s.Closed != size || s.Committed != size || s.Released != 0 {
		t.Fatalf("after Close with the memory held: %+v, want %d closed and still committed", s, size)
	}
	b, ok := mem.Read(0, uint32(size)) // still mapped: reading cannot fault
	if !ok || b[16*4096] != 1 {
		t.Fatalf("closed but held memory unreadable: %v", ok)
	}
	runtime.KeepAlive(mem)
	mem, m, b = nil, nil, nil
	runtime.GC()
	s = h.waitReleased(1)
	if s.Released != 1 || s.Committed != 0 || s.Closed != 0 || s.Reserved != 0 {
		t.Fatalf("after the owner became unreachable: %+v, want all released", s)
	}
}

// TestUnclosedStaysUntilRuntimeCloses: an instance nobody closed stays in
// wazero's store, memory and all, however unreachable it is from the
// program; the runtime's Close frees it and a collection releases it.
func TestUnclosedStaysUntilRuntimeCloses(t *testing.T) {
	h := newHarness(t)
	h.grow(h.instantiate(), 16)
	runtime.GC()
	runtime.GC()
	time.Sleep(10 * time.Millisecond) // let cleanups, if any were due, run
	if s := h.a.Stats(); s.Released != 0 || s.Committed == 0 {
		t.Fatalf("unclosed instance: %+v, want it kept by the store", s)
	}
	if err := h.r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	if s := h.waitReleased(1); s.Released != 1 || s.Committed != 0 {
		t.Fatalf("after the runtime closed: %+v", s)
	}
}

// TestPressureCollection: external memory growing past the soft limit
// starts a collection by itself, which releases a closed memory nobody
// holds. The test never collects: with GOGC off, only the allocator can.
func TestPressureCollection(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	h := newHarness(t)
	a := h.instantiate()
	h.grow(a, 32<<20/wasmPage) // 32 MiB
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	a = nil
	if s := h.a.Stats(); s.Collections != 0 || s.Closed == 0 {
		t.Fatalf("below the limit: %+v", s)
	}
	b := h.instantiate()
	h.grow(b, 40<<20/wasmPage) // past 64 MiB in all
	var c Collection
	select {
	case c = <-h.colls:
	case <-time.After(30 * time.Second):
		t.Fatalf("no collection started at %d bytes committed (limit %d)", h.a.Stats().Committed, uint64(ExternalAllocationSoftLimit))
	}
	if c.N != 1 || c.Limit != ExternalAllocationSoftLimit || c.External <= c.Limit {
		t.Errorf("collection %+v", c)
	}
	s := h.waitReleased(1)
	if s.Released != 1 || s.Closed != 0 || s.Committed != uint64(b.Memory().Size()) {
		t.Fatalf("after the pressure collection: %+v, want the closed 32 MiB released and %d committed", s, b.Memory().Size())
	}
	h.a.WaitCollections()
	if l := h.a.Limit(); l != s.Committed+ExternalAllocationSoftLimit {
		t.Errorf("limit after the collection %d, want committed %d + soft limit", l, s.Committed)
	}
	runtime.KeepAlive(b)
}

// TestFreeBeforeAdopt: a memory wazero frees before any owner adopted it
// (a failed instantiation) is released at once; Adopt refuses memories
// that are not the allocator's.
func TestFreeBeforeAdopt(t *testing.T) {
	h := newHarness(t)
	lm := h.a.Allocate(0, 4*wasmPage)
	if b := lm.Reallocate(wasmPage); len(b) != wasmPage {
		t.Fatalf("reallocate: %d bytes", len(b))
	}
	lm.Free()
	if s := h.a.Stats(); s.Released != 1 || s.Committed != 0 || s.Memories != 0 {
		t.Fatalf("after Free of an unadopted memory: %+v", s)
	}
	if b := lm.Reallocate(2 * wasmPage); b != nil {
		t.Fatal("reallocate after free succeeded")
	}
	other, err := wazero.NewRuntime(ctx).InstantiateWithConfig(ctx, growModule, wazero.NewModuleConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := h.a.Adopt(other.Memory()); err == nil {
		t.Error("adopted a memory of the default allocator")
	}
	if err := h.a.Adopt(nil); err == nil {
		t.Error("adopted nil")
	}
}
