package builtin

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/casestudy/idlegc"
)

func TestNew_NeedsARecorder(t *testing.T) {
	if _, err := New(context.Background(), target.Config{}, Options{}); err == nil {
		t.Error("New without a Recorder: no error")
	}
}

// TestHarnessSnapshot checks how the engine's holders become the
// harness's: every byte counted once (dropped instances leave the live
// figures for the pool holder), the cache holding its instances' memory
// when aliased and its bytes when copied, and the memory outside the Go
// heap reported as OffHeap, never as a holder, so that Leaked stays the
// sum of what references keep.
func TestHarnessSnapshot(t *testing.T) {
	es := engine.Snapshot{
		LiveInstances: 10, TotalInstances: 30, LinearMemory: 100 << 20,
		DroppedInstances: 4, DroppedMemory: 40 << 20,
		LeakedViews: 5 << 20, Listeners: 7 << 20, ListenerCount: 2,
		CacheEntries: 3, CacheBytes: 3 << 20, CachePinned: 30 << 20,
		MappedMemory: 100 << 20,
	}
	held := func(s target.Snapshot) map[string]target.Held {
		m := map[string]target.Held{}
		for _, h := range s.Held {
			if _, dup := m[h.Holder]; dup {
				t.Errorf("holder %q listed twice", h.Holder)
			}
			m[h.Holder] = h
		}
		return m
	}
	for _, tc := range []struct {
		results engine.Results
		cache   uint64
	}{{engine.ResultsAliased, es.CachePinned}, {engine.ResultsCopied, es.CacheBytes}} {
		s := harnessSnapshot(es, tc.results)
		if s.LiveInstances != 6 || s.TotalInstances != 30 || s.LinearMemory != 60<<20 {
			t.Errorf("%s: live %d total %d linear %d; want the dropped instances out of the live figures", tc.results, s.LiveInstances, s.TotalInstances, s.LinearMemory)
		}
		h := held(s)
		want := map[string]target.Held{
			engine.HolderViews:     {Holder: engine.HolderViews, Bytes: es.LeakedViews},
			engine.HolderListeners: {Holder: engine.HolderListeners, Bytes: es.Listeners, Refs: 2},
			engine.HolderPool:      {Holder: engine.HolderPool, Bytes: es.DroppedMemory, Refs: 4},
			engine.HolderCache:     {Holder: engine.HolderCache, Bytes: tc.cache, Refs: 3},
		}
		for k, w := range want {
			if h[k] != w {
				t.Errorf("%s: holder %s = %+v, want %+v", tc.results, k, h[k], w)
			}
		}
		if len(h) != len(want) {
			t.Errorf("%s: holders %v, want %v", tc.results, h, want)
		}
		if s.OffHeap != es.MappedMemory {
			t.Errorf("%s: OffHeap %d, want the mapped memory %d", tc.results, s.OffHeap, es.MappedMemory)
		}
		// Linear and held memory together are the engine's, once each;
		// the mapped memory is in neither sum a second time.
		if got, want := s.LinearMemory+s.Leaked(), es.LinearMemory+es.LeakedViews+es.Listeners+tc.cache; got != want {
			t.Errorf("%s: linear+leaked = %d, want %d", tc.results, got, want)
		}
	}
	if s := harnessSnapshot(engine.Snapshot{}, engine.ResultsCopied); s.Leaked() != 0 || s.OffHeap != 0 || s.LinearMemory != 0 {
		t.Errorf("an idle engine: %+v", s)
	}
}

// TestNew_RunsARequest builds the target under the fixed preset, with and
// without idle_gc: v8, runs one request on a generated PNG and closes it:
// it is a Snapshotter and a Closer, an Idler only under idle_gc: v8, and
// nothing is live after Close.
func TestNew_RunsARequest(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 64, 48))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	fixed, _ := engine.Preset("fixed")
	for _, mode := range []idlegc.Mode{idlegc.Go, idlegc.V8} {
		tgt, err := New(t.Context(), target.Config{Recorder: discard{}, Workers: 1}, Options{Strategy: fixed, IdleGC: mode})
		if err != nil {
			t.Fatalf("idle_gc %s: %v", mode, err)
		}
		if _, idler := tgt.(target.Idler); idler != (mode == idlegc.V8) {
			t.Errorf("idle_gc %s: Idler = %v", mode, idler)
		}
		req := target.Request{ID: 1, Round: 1, Source: src, Width: 32, Format: "webp", Quality: 75, Rotate: 90}
		if err := tgt.Do(t.Context(), req); err != nil {
			t.Errorf("idle_gc %s: Do: %v", mode, err)
		}
		if err := tgt.(target.Closer).Close(context.WithoutCancel(t.Context())); err != nil {
			t.Errorf("idle_gc %s: Close: %v", mode, err)
		}
		if s := tgt.(target.Snapshotter).Snapshot(); s.LiveInstances != 0 || s.LinearMemory != 0 {
			t.Errorf("idle_gc %s: after Close %+v", mode, s)
		}
	}
}

// discard is a Recorder that drops every event.
type discard struct{}

func (discard) Op(target.Op)                          {}
func (discard) InstanceCreated(target.Instance)       {}
func (discard) InstanceClosed(target.Instance, error) {}

// TestLibraryOptions_Interrupts: the codecs are compiled with a return to
// Go at every loop header under interrupts: loops, as under an op_timeout,
// and without one otherwise (wazero's default, which no collection can
// stop).
func TestLibraryOptions_Interrupts(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts Options
		want bool
	}{
		{"default", Options{}, false},
		{"interrupts loops", Options{Strategy: engine.Strategy{Interrupts: engine.InterruptsLoops}}, true},
		{"op_timeout", Options{OpTimeout: time.Minute}, true},
	} {
		if got := !libraryOptions(target.Config{}, tt.opts).Uninterruptible; got != tt.want {
			t.Errorf("%s: interruptible = %v, want %v", tt.name, got, tt.want)
		}
	}
}
