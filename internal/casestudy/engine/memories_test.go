package engine

import (
	"runtime"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/memprofile"
)

// TestMemories_AgreeWithSnapshot runs the published stages with a Book
// and checks that the linear memory profile's holders say what the
// Snapshot counts: live instances under live, leaked glue views under
// views, listeners under listeners, each memory once, each with the
// stack that instantiated it.
func TestMemories_AgreeWithSnapshot(t *testing.T) {
	for _, name := range []string{"before", "fix1", "fix1+2", "fixed"} {
		t.Run(name, func(t *testing.T) {
			ResetListeners()
			book := memprofile.NewBook()
			e, err := New(testCtx, lib, Config{Strategy: preset(t, name), Workers: 2, Memories: book})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { e.Close(testCtx); ResetListeners() })
			var reqs []Request
			for range 3 {
				for _, f := range formats() {
					reqs = append(reqs, request(len(reqs)+1, f))
				}
			}
			if _, errs := doAll(e, reqs); errorsIn(errs) != nil {
				t.Fatal(errorsIn(errs))
			}
			mems := book.LinearMemories()
			seen := map[int]bool{}
			for _, m := range mems {
				if seen[m.Instance] {
					t.Errorf("instance %d listed twice", m.Instance)
				}
				seen[m.Instance] = true
				if !stackHas(m.Stack, "engine.(*worker).instantiate") {
					t.Errorf("instance %d (%s, %s): its stack does not name worker.instantiate", m.Instance, m.Codec, m.Holder)
				}
			}
			s := e.Snapshot()
			want := map[string]uint64{
				target.HolderLive: s.LinearMemory,
				HolderViews:       s.LeakedViews,
				HolderListeners:   s.Listeners,
			}
			by := checkHolderBytes(t, mems, want)
			if len(by) > len(want) || s.LiveInstances != countHolder(mems, target.HolderLive) {
				t.Errorf("holders %v, %d live in the profile; snapshot %+v", by, countHolder(mems, target.HolderLive), s)
			}
			if strings.HasPrefix(name, "fix1+2") && by[HolderViews]+by[HolderListeners] == 0 {
				t.Errorf("fix1+2 leaks views and listeners, the profile lists none: %v", by)
			}
		})
	}
}

// checkHolderBytes sums the linear memories' bytes by holder, checks each
// holder of want against the sums (a holder with no memory has 0 bytes),
// and returns them.
func checkHolderBytes(t *testing.T, mems []target.LinearMemory, want map[string]uint64) map[string]uint64 {
	t.Helper()
	by := map[string]uint64{}
	for _, m := range mems {
		by[m.Holder] += uint64(m.Bytes)
	}
	for h, w := range want {
		if by[h] != w {
			t.Errorf("linear memory profile: %s %d bytes, snapshot %d", h, by[h], w)
		}
	}
	return by
}

func countHolder(mems []target.LinearMemory, holder string) int {
	n := 0
	for _, m := range mems {
		if m.Holder == holder {
			n++
		}
	}
	return n
}

// stackHas reports whether a frame of stack is in a function whose name
// ends with fn.
func stackHas(stack []uintptr, fn string) bool {
	frames := runtime.CallersFrames(stack)
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.Function, fn) {
			return true
		}
		if !more {
			return false
		}
	}
}
