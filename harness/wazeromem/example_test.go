package wazeromem_test

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"

	"github.com/leakbench/leakbench/harness/wazeromem"
)

// oneByteMemory is the smallest module with a linear memory: the wasm
// header and a memory section of one memory of at least one 64 KiB page.
var oneByteMemory = []byte{0, 'a', 's', 'm', 1, 0, 0, 0, 5, 3, 1, 0, 1}

// A wazero target records its linear memories for the linear memory
// profile: instantiate with the recorder's Context, and a memory is "live"
// until its module closes, then "closed" while anything still holds it.
func ExampleNewRecorder() {
	ctx := context.Background()
	rec := wazeromem.NewRecorder("thumbnail")
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)

	mod, err := rt.InstantiateWithConfig(rec.Context(ctx), oneByteMemory, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		fmt.Println(err)
		return
	}
	view, _ := mod.Memory().Read(0, 1) // a view, as a leaky binding keeps one
	for _, m := range rec.LinearMemories() {
		fmt.Println(m.Codec, m.Holder, m.Bytes)
	}
	mod.Close(ctx)
	for _, m := range rec.LinearMemories() {
		fmt.Println(m.Codec, m.Holder, m.Bytes)
	}
	_ = view[0]
	// Output:
	// thumbnail live 65536
	// thumbnail closed 65536
}
