//go:build linux

package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// TestMmap_OutsideGoHeap: under allocator mmap, linear memory is the
// allocator's, not the Go heap's: the live heap does not grow with it,
// while under allocator go it grows by at least as much.
func TestMmap_OutsideGoHeap(t *testing.T) {
	for _, a := range []Allocator{AllocatorGo, AllocatorMmap} {
		t.Run(a.String(), func(t *testing.T) {
			// Reuse keeps the instances and their memory live.
			e, _ := newEngine(t, field(func(s *Strategy) { s.Lifetime, s.Allocator = Reuse, a }), 0)
			h0 := heapLive(e)
			mustDo(t, e, bigRequest(1))
			h1 := heapLive(e)
			s := e.Snapshot()
			grown := int64(h1) - int64(h0)
			t.Logf("%s: linear memory %d, mapped %d, live heap %d -> %d (%+d)", a, s.LinearMemory, s.MappedMemory, h0, h1, grown)
			if s.LinearMemory < 4<<20 {
				t.Fatalf("linear memory %d: the big image did not grow the instances", s.LinearMemory)
			}
			switch a {
			case AllocatorGo:
				if s.MappedMemory != 0 || grown < int64(s.LinearMemory) {
					t.Errorf("go: mapped %d, heap grew %d for %d bytes of linear memory", s.MappedMemory, grown, s.LinearMemory)
				}
			case AllocatorMmap:
				// Wasm pages are 64 KiB: committing whole OS pages adds nothing.
				if s.MappedMemory != s.LinearMemory {
					t.Errorf("mmap: mapped %d, linear memory %d", s.MappedMemory, s.LinearMemory)
				}
				if grown > int64(s.LinearMemory/8) {
					t.Errorf("mmap: live heap grew %d for %d bytes of linear memory outside it", grown, s.LinearMemory)
				}
			}
		})
	}
}

// TestMmap_RSSFallsAtClose: munmap returns the pages at Close, without a
// GC: resident memory falls by a good part of the instances' size. The
// margin is generous: pages the guest never touched were never resident.
func TestMmap_RSSFallsAtClose(t *testing.T) {
	e, _ := newEngine(t, field(func(s *Strategy) { s.Lifetime, s.Allocator = Reuse, AllocatorMmap }), 0)
	mustDo(t, e, bigRequest(1))
	mustDo(t, e, bigRequest(2))
	size := e.Snapshot().MappedMemory
	defer setGCPercent(setGCPercent(-1)) // no GC can help
	cycles := e.Snapshot().GCCycles
	before := rss(t)
	if err := e.Close(testCtx); err != nil {
		t.Fatal(err)
	}
	after := rss(t)
	s := e.Snapshot()
	t.Logf("mapped %d; RSS %d -> %d (%d fewer)", size, before, after, int64(before)-int64(after))
	if s.GCCycles != cycles {
		t.Errorf("%d GC cycles ran during Close", s.GCCycles-cycles)
	}
	if s.MappedMemory != 0 || s.LinearMemory != 0 {
		t.Errorf("after Close: mapped %d, linear %d", s.MappedMemory, s.LinearMemory)
	}
	if after > before || before-after < size/3 {
		t.Errorf("RSS fell by %d at Close, want at least a third of the %d bytes mapped", int64(before)-int64(after), size)
	}
}

// TestMmap_NoFault runs a workload, with failures, under every strategy
// with allocator mmap and leaked views or listeners, then closes the
// engine and collects: leaked references to unmapped memory must never be
// read (a read would crash the test binary). Leaked glue and listeners
// then hold nothing, which the snapshot shows as dead references.
func TestMmap_NoFault(t *testing.T) {
	if testing.Short() {
		t.Skip("many engines")
	}
	type variant struct {
		name string
		s    Strategy
	}
	var vs []variant
	for _, top := range []Topology{PerWorker, Pipeline} {
		for _, lt := range []Lifetime{Reuse, Fresh, Pool, Recycle} {
			for _, vl := range [][2]uint8{{0, 0}, {0, 1}, {1, 0}} { // at least one leaked
				s := Strategy{Topology: top, Lifetime: lt, Views: Views(vl[0]), Listeners: Listeners(vl[1]), Allocator: AllocatorMmap}
				if lt == Recycle {
					s.RecycleAfter = 2
				}
				if (lt == Reuse || lt == Recycle) && top == PerWorker && vl[0] == 0 {
					s.PoolSize = 2
				}
				if vl[1] == 0 {
					s.Cache = 2
				}
				if err := s.Validate(); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
				vs = append(vs, variant{fmt.Sprintf("%s/%s/views-%s/listeners-%s", top, lt, s.Views, s.Listeners), s})
			}
		}
	}
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			e, _ := newEngine(t, v.s, 3)
			reqs := mixedRequests()
			_, errs := doAll(e, reqs)
			for i, err := range errs {
				switch reqs[i].ID {
				case 90:
					if !errors.Is(err, codecs.ErrTrap) {
						t.Errorf("trapped request: %v", err)
					}
				case 91:
					if !errors.Is(err, codecs.ErrCorrupt) {
						t.Errorf("corrupt request: %v", err)
					}
				default:
					if err != nil {
						t.Errorf("request %d: %v", reqs[i].ID, err)
					}
				}
			}
			gc()
			mid := e.Snapshot()
			if mid.MappedMemory < mid.LinearMemory {
				t.Errorf("mapped %d < linear memory %d", mid.MappedMemory, mid.LinearMemory)
			}
			if err := e.Close(testCtx); err != nil {
				t.Fatal(err)
			}
			gc()
			s := e.Snapshot()
			if s.MappedMemory != 0 || s.LiveInstances != 0 || s.LeakedViews != 0 || s.Listeners != 0 {
				t.Errorf("after Close: %+v; want nothing mapped, live or retained", s)
			}
			if v.s.Views == ViewsLeaked && s.DeadViews == 0 {
				t.Error("views leaked, yet no dead view after Close")
			}
			if v.s.Listeners == ListenersLeaked && (s.DeadListeners == 0 || s.DeadListeners != s.ListenerCount) {
				t.Errorf("listeners leaked: %d dead of %d", s.DeadListeners, s.ListenerCount)
			}
		})
	}
}

// TestMmap_Interrupted: a deadline that interrupts the guest mid-operation
// makes wazero free (unmap) the memory on the calling goroutine before
// the error comes back; nothing may touch it afterwards. Whether a given
// deadline lands mid-operation depends on the machine: the test asserts
// only that every request ends well or with the deadline, without a
// fault, and logs how many were interrupted.
func TestMmap_Interrupted(t *testing.T) {
	for _, lt := range []Lifetime{Reuse, Fresh, Pool} {
		t.Run(lt.String(), func(t *testing.T) {
			s := Strategy{Topology: Pipeline, Lifetime: lt, Views: ViewsLeaked, Listeners: ListenersLeaked, Allocator: AllocatorMmap}
			e, _ := newEngineConfig(t, Config{Strategy: s, OpTimeout: 3 * time.Millisecond})
			interrupted, midCall := 0, 0
			for i := range 6 {
				r := bigRequest(i + 1)
				if i%2 == 1 {
					r = Request{ID: i + 1, Source: srcBig(), Width: 640, Format: codecs.JPEG}
				}
				if _, err := e.Do(testCtx, r); errors.Is(err, context.DeadlineExceeded) {
					interrupted++
					if strings.Contains(err.Error(), " interrupted: ") { // codecs: stopped inside a guest call
						midCall++
					}
				} else if err != nil {
					t.Errorf("request %d: %v", i+1, err)
				}
			}
			if err := e.Close(testCtx); err != nil {
				t.Fatal(err)
			}
			gc()
			if s := e.Snapshot(); s.MappedMemory != 0 || s.LiveInstances != 0 {
				t.Errorf("after Close: %+v", s)
			}
			t.Logf("%d of 6 requests interrupted, %d inside a guest call", interrupted, midCall)
		})
	}
}
