package idlegc

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestMode_Text(t *testing.T) {
	for _, m := range []Mode{Go, V8} {
		b, err := m.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Mode
		if err := back.UnmarshalText(b); err != nil || back != m {
			t.Errorf("%v: round trip gave %v, %v", m, back, err)
		}
	}
	if _, err := modes.Parse("node"); err == nil || err.Error() != `unknown idle_gc "node" (allowed: go, v8)` {
		t.Errorf("parsing idle_gc: node: %v", err)
	}
	if Mode(7).Valid() {
		t.Error("Mode(7) is valid")
	}
}

// reading is one input of the reducer: a time offset and bytes allocated
// since the previous reading.
type reading struct {
	at    time.Duration
	alloc uint64
}

// schedule feeds the reducer a reading every step from 0 to until, with
// alloc(t) bytes allocated in the step ending at t, and returns the
// offsets at which it ran a collection. Each collection frees freed(n)
// bytes.
func schedule(step, until time.Duration, alloc func(time.Duration) uint64, freed func(n int) int64) []time.Duration {
	t0 := time.Unix(1000, 0)
	var total uint64
	r := NewReducer(t0, total)
	var gcs []time.Duration
	for at := step; at <= until; at += step {
		total += alloc(at)
		if r.Tick(t0.Add(at), total) {
			gcs = append(gcs, at)
			r.Collected(t0.Add(at), freed(r.Started()+1), total)
		}
	}
	return gcs
}

func quiet(time.Duration) uint64 { return 1000 } // 10 kB/s at 100 ms steps

func TestReducer_Schedule(t *testing.T) {
	const step = 100 * time.Millisecond
	lots := func(int) int64 { return 100 << 20 }
	cases := []struct {
		name  string
		alloc func(time.Duration) uint64
		freed func(int) int64
		want  []time.Duration
	}{
		{"quiet: three GCs from 8 s, 500 ms apart", quiet, lots,
			[]time.Duration{8 * time.Second, 8500 * time.Millisecond, 9 * time.Second}},
		{"second frees little: no third", quiet, func(n int) int64 {
			if n == 1 {
				return 100 << 20
			}
			return MoreGarbage
		}, []time.Duration{8 * time.Second, 8500 * time.Millisecond}},
		{"first frees nothing: the second still runs", quiet, func(int) int64 { return 0 },
			[]time.Duration{8 * time.Second, 8500 * time.Millisecond}},
		{"a burst at 5 s pushes the wait to 13 s", func(at time.Duration) uint64 {
			if at == 5*time.Second {
				return 1 << 20 // 10 MB/s over the step
			}
			return 1000
		}, lots, []time.Duration{13 * time.Second, 13500 * time.Millisecond, 14 * time.Second}},
		{"just below the threshold counts as quiet", func(time.Duration) uint64 {
			return LowAllocationRate/10 - 1
		}, lots, []time.Duration{8 * time.Second, 8500 * time.Millisecond, 9 * time.Second}},
		{"a busy mutator never gets one", func(time.Duration) uint64 { return LowAllocationRate / 10 }, lots, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := schedule(step, 20*time.Second, c.alloc, c.freed)
			if len(got) != len(c.want) {
				t.Fatalf("GCs at %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("GCs at %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestReducer_DoneStaysDone(t *testing.T) {
	t0 := time.Unix(0, 0)
	r := NewReducer(t0, 0)
	for i := range MaxGCs {
		at := t0.Add(LongDelay + time.Duration(i)*ShortDelay)
		if !r.Tick(at, 0) {
			t.Fatalf("GC %d not due at %v", i+1, at.Sub(t0))
		}
		r.Collected(at, 100<<20, 0)
	}
	if !r.Done() || r.Started() != MaxGCs {
		t.Fatalf("done %v after %d GCs", r.Done(), r.Started())
	}
	if r.Tick(t0.Add(time.Hour), 0) {
		t.Error("a done reducer asked for another GC")
	}
}

// TestRunV8_ReleasesGarbage runs the real schedule in this process, its
// first wait cut from LongDelay to one second (the schedule's constants
// are TestReducer_Schedule's, and the runner's TestRun_IdleGC sees the
// full 8 s in real children): the garbage of a burst of allocation is
// given back to the OS within the wait, the collections run at least
// ShortDelay apart, and no more than MaxGCs run.
func TestRunV8_ReleasesGarbage(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the reducer's collections")
	}
	const firstWait = time.Second
	newReducer := func(now time.Time, allocs uint64) *Reducer {
		r := NewReducer(now, allocs)
		r.next = now.Add(firstWait)
		return r
	}
	// With the collector off, the burst stays uncollected garbage until
	// the reducer's first GC (a forced GC runs even then), and the
	// background scavenger can't return it first.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	garbage := make([][]byte, 64)
	for i := range garbage {
		garbage[i] = make([]byte, 1<<20)
		garbage[i][0] = 1
	}
	garbage = nil
	var gcs []GC
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	err := runV8(context.Background(), firstWait+3*ShortDelay+time.Second, func(g GC) { gcs = append(gcs, g) }, newReducer)
	if err != nil {
		t.Fatal(err)
	}
	if len(gcs) < 2 || len(gcs) > MaxGCs {
		t.Fatalf("%d GCs, want 2 to %d: %+v", len(gcs), MaxGCs, gcs)
	}
	for i, g := range gcs {
		if g.N != i+1 {
			t.Errorf("GC %d numbered %d", i+1, g.N)
		}
	}
	// The schedule's rule is a lower bound: how late a poll comes after
	// it is the machine's load, not the reducer's (TestReducer_Schedule
	// checks the schedule itself on a fake clock).
	if gap := gcs[1].Start.Sub(gcs[0].Start); gap < ShortDelay {
		t.Errorf("second GC %v after the first, want at least %v", gap, ShortDelay)
	}
	if gcs[0].Freed < 32<<20 {
		t.Errorf("the first GC freed %d bytes of the 64 MiB of garbage", gcs[0].Freed)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.HeapReleased <= before.HeapReleased {
		t.Errorf("heap released %d -> %d: nothing given back", before.HeapReleased, after.HeapReleased)
	}
}

func TestRunV8_Canceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := RunV8(ctx, time.Minute, nil); err != context.Canceled {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
