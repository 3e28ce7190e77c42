package wazeromem

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/leakbench/leakbench/harness/target"
)

// A target that embeds a *Recorder lists its linear memories: the child
// profiles any target that is a target.LinearMemories (target.LinearMemories).
var _ target.LinearMemories = struct{ *Recorder }{}

// oneMiB is a wasm module with one 16-page memory.
var oneMiB = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x10}

// TestRecorder_LiveClosedCollected records real wazero memories: live
// while their module is open, closed while something still holds their
// memory, gone once nothing does and a GC ran.
func TestRecorder_LiveClosedCollected(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	cm, err := rt.CompileModule(ctx, oneMiB)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRecorder("onemib")
	var mods [3][]byte
	for i := range mods {
		mod, err := rt.InstantiateModule(r.Context(ctx), cm, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			t.Fatal(err)
		}
		mods[i], _ = mod.Memory().Read(0, mod.Memory().Size())
		if i > 0 {
			mod.Close(ctx)
		}
	}
	kept := mods[1] // a leak: the closed module 2's memory
	mods[1], mods[2] = nil, nil
	deadline := time.Now().Add(5 * time.Second)
	var by map[int]string
	for {
		runtime.GC()
		by = map[int]string{}
		for _, m := range r.LinearMemories() {
			by[m.Instance] = m.Holder
			if m.Bytes != 1<<20 || m.Codec != "onemib" || len(m.Stack) == 0 {
				t.Errorf("memory %+v: want 1 MiB of onemib with a stack", m)
			}
		}
		if len(by) <= 2 || time.Now().After(deadline) {
			break
		}
	}
	if len(by) != 2 || by[1] != target.HolderLive || by[2] != target.HolderClosed {
		t.Errorf("holders by instance %v, want 1 live, 2 closed, 3 gone", by)
	}
	runtime.KeepAlive(kept)
}
