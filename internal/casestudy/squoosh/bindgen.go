package squoosh

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// This file is the Go side of wasm-bindgen's generated glue for
// squoosh_resize.js, squoosh_png.js and squoosh_oxipng.js (wasm-bindgen
// 0.2.x as next@10.1.0 ships it). What the glue does, read from those files:
//
//   - A Rust Vec<u8> argument is copied in by passArray8ToWasm0: ptr =
//     __wbindgen_malloc(len), then the bytes at ptr.
//   - A Vec<u8> result comes back through a return pointer: the caller
//     passes retptr as the first argument, the callee stores (ptr, len) as
//     two little-endian i32 at retptr and retptr+4 (read with
//     getInt32Memory0()[retptr/4+0..1]), the glue copies len bytes at ptr
//     (getArrayU8FromWasm0(...).slice()) and frees them with
//     __wbindgen_free(ptr, len).
//   - retptr is taken from the module's shadow stack: the exported mutable
//     global (__wbindgen_export_0 in oxipng, __wbindgen_export_1 in png) is
//     lowered by 16 before the call and raised by 16 after, in a finally.
//     squoosh_resize is older and passes the constant 8 instead.
//   - A JS object a module creates (png's ImageData) is stored by the glue in
//     a slab of objects, `heap`, whose first 36 slots are reserved
//     (32 undefined, then undefined, null, true, false); the module gets the
//     slot index (addHeapObject) and returns it, and the glue takes the
//     object out and frees the slot (takeObject).
//   - __wbindgen_throw(ptr, len) throws a JS Error with the UTF-8 message at
//     ptr.

// bindgenHostModule is the import module name wasm-bindgen gives the glue's
// functions.
const bindgenHostModule = "wbg"

// pngImageDataImport is squoosh_png's one import: ImageData's constructor
// from an owned Uint8ClampedArray (ptr, len) and a width and height.
const pngImageDataImport = "__wbg_newwithownedu8clampedarrayandsh_787b2db8ea6bfd62"

// heapReserved is the number of slots wasm-bindgen's glue reserves at the
// start of its object heap (squoosh_png.js: `new Array(32)` then undefined,
// null, true, false).
const heapReserved = 36

// objectHeap is a wasm-bindgen object slab: objects by slot index, with the
// glue's free list threaded through the free slots.
type objectHeap struct {
	slots []any
	next  int
}

// add stores v and returns its slot (addHeapObject).
func (h *objectHeap) add(v any) uint32 {
	if h.slots == nil {
		h.slots = make([]any, heapReserved)
		h.next = heapReserved
	}
	if h.next == len(h.slots) {
		h.slots = append(h.slots, len(h.slots)+1)
	}
	idx := h.next
	h.next = h.slots[idx].(int)
	h.slots[idx] = v
	return uint32(idx)
}

// take returns the object at idx and frees its slot (takeObject).
func (h *objectHeap) take(idx uint32) (any, error) {
	i := int(idx)
	if i < heapReserved || i >= len(h.slots) {
		return nil, fmt.Errorf("squoosh: object index %d returned by the module is not a heap object", idx)
	}
	v := h.slots[i]
	if _, free := v.(int); free {
		return nil, fmt.Errorf("squoosh: object index %d returned by the module is a free slot", idx)
	}
	h.slots[i] = h.next
	h.next = i
	return v, nil
}

// heapKey is the context key under which a call carries its instance's
// object heap to the host functions.
type heapKey struct{}

// guestError is an error a module raised through its glue (a JS Error in
// Node); host functions panic with it and wazero returns it from Call.
type guestError struct{ msg string }

func (e *guestError) Error() string { return "squoosh: module threw: " + e.msg }

// instantiateBindgenHost instantiates the "wbg" host module with the two
// functions the glue gives png and oxipng.
func instantiateBindgenHost(ctx context.Context, rt wazero.Runtime) error {
	i32 := api.ValueTypeI32
	_, err := rt.NewHostModuleBuilder(bindgenHostModule).
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(newImageData), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).
		WithName(pngImageDataImport).Export(pngImageDataImport).
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(bindgenThrow), []api.ValueType{i32, i32}, nil).
		WithName("__wbindgen_throw").Export("__wbindgen_throw").
		Instantiate(ctx)
	if err != nil {
		return fmt.Errorf("squoosh: instantiating the wasm-bindgen host: %w", err)
	}
	return nil
}

// newImageData is squoosh_png's ImageData import: it copies len bytes at ptr
// (the module hands over ownership), frees them with __wbindgen_free, and
// stores an Image of width x height in the call's object heap.
func newImageData(ctx context.Context, mod api.Module, stack []uint64) {
	ptr, n := api.DecodeU32(stack[0]), api.DecodeU32(stack[1])
	w, h := api.DecodeU32(stack[2]), api.DecodeU32(stack[3])
	heap, ok := ctx.Value(heapKey{}).(*objectHeap)
	if !ok {
		panic(errors.New("squoosh: ImageData constructed outside a decode call"))
	}
	b, ok := mod.Memory().Read(ptr, n)
	if !ok {
		panic(fmt.Errorf("squoosh: ImageData pixels [%d, %d) outside memory", ptr, uint64(ptr)+uint64(n)))
	}
	pix := append([]byte(nil), b...)
	if _, err := mod.ExportedFunction("__wbindgen_free").Call(ctx, uint64(ptr), uint64(n)); err != nil {
		panic(err)
	}
	stack[0] = api.EncodeU32(heap.add(Image{Pix: pix, Width: int(w), Height: int(h)}))
}

// bindgenThrow is __wbindgen_throw: the module's error as a Go error.
func bindgenThrow(_ context.Context, mod api.Module, stack []uint64) {
	ptr, n := api.DecodeU32(stack[0]), api.DecodeU32(stack[1])
	b, ok := mod.Memory().Read(ptr, n)
	if !ok {
		panic(&guestError{msg: fmt.Sprintf("(message [%d, %d) outside memory)", ptr, uint64(ptr)+uint64(n))})
	}
	panic(&guestError{msg: string(b)})
}

// bindgenInstance is one instance of a wasm-bindgen module with the glue's
// helpers.
type bindgenInstance struct {
	mod          api.Module
	malloc, free api.Function
	sp           api.MutableGlobal // the shadow stack pointer; nil for resize
	heap         objectHeap
}

// bindgenCodec is what the wasm-bindgen codecs (PNGCodec, Oxipng,
// Resizer) share: their one instance, its linear memory and its Close.
type bindgenCodec struct{ b *bindgenInstance }

// MemorySize is the instance's linear memory size in bytes
// (wasm.memory.buffer.byteLength in Node).
func (c bindgenCodec) MemorySize() uint32 { return c.b.memorySize() }

// Close closes the instance.
func (c bindgenCodec) Close(ctx context.Context) error { return c.b.close(ctx) }

// Memory is the instance's linear memory, the same api.Memory before and
// after Close: what an allocator that releases memory once it is
// unreachable attaches to, and what a view of the whole memory reads
// (Memory().Read(0, Memory().Size())).
func (c bindgenCodec) Memory() api.Memory { return c.b.mod.Memory() }

// Closed reports whether the instance is closed, by Close or by its
// Library's.
func (c bindgenCodec) Closed() bool { return c.b.closed() }

// newBindgenCodec instantiates m (see instantiateBindgen) as the codec C.
func newBindgenCodec[C ~struct{ bindgenCodec }](ctx context.Context, l *Library, m Module, spExport string) (*C, error) {
	b, err := l.instantiateBindgen(ctx, m, spExport)
	if err != nil {
		return nil, err
	}
	return &C{bindgenCodec{b}}, nil
}

// instantiateBindgen instantiates m anonymously and finds the glue's
// exports; spExport names the shadow stack pointer global, or is empty.
func (l *Library) instantiateBindgen(ctx context.Context, m Module, spExport string) (*bindgenInstance, error) {
	mod, err := l.rt.InstantiateModule(ctx, l.mods[m], wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return nil, fmt.Errorf("squoosh: instantiating %s: %w", m, err)
	}
	b := &bindgenInstance{mod: mod, malloc: mod.ExportedFunction("__wbindgen_malloc"), free: mod.ExportedFunction("__wbindgen_free")}
	if spExport != "" {
		b.sp, _ = mod.ExportedGlobal(spExport).(api.MutableGlobal)
	}
	if b.malloc == nil || b.free == nil || (spExport != "" && b.sp == nil) || mod.Memory() == nil {
		_ = mod.Close(ctx)
		return nil, fmt.Errorf("squoosh: %s lacks the wasm-bindgen exports (memory, __wbindgen_malloc, __wbindgen_free %s)", m, spExport)
	}
	return b, nil
}

// passArray8 copies data into a fresh allocation (passArray8ToWasm0).
func (b *bindgenInstance) passArray8(ctx context.Context, data []byte) (ptr, n uint32, err error) {
	res, err := b.malloc.Call(ctx, uint64(len(data)))
	if err != nil {
		return 0, 0, err
	}
	ptr = api.DecodeU32(res[0])
	if !b.mod.Memory().Write(ptr, data) {
		return 0, 0, fmt.Errorf("squoosh: __wbindgen_malloc(%d) returned %d, outside memory", len(data), ptr)
	}
	return ptr, uint32(len(data)), nil
}

// withRetptr reserves 16 bytes of the shadow stack for call's return
// pointer and releases them after, as the glue's try/finally does.
func (b *bindgenInstance) withRetptr(call func(retptr uint32) error) error {
	sp := api.DecodeU32(b.sp.Get())
	retptr := sp - 16
	b.sp.Set(api.EncodeU32(retptr))
	defer b.sp.Set(api.EncodeU32(sp))
	return call(retptr)
}

// takeVec reads the (ptr, len) pair at retptr, copies the bytes and frees
// them.
func (b *bindgenInstance) takeVec(ctx context.Context, retptr uint32) ([]byte, error) {
	mem := b.mod.Memory()
	ptr, ok1 := mem.ReadUint32Le(retptr)
	n, ok2 := mem.ReadUint32Le(retptr + 4)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("squoosh: return pointer %d outside memory", retptr)
	}
	v, ok := mem.Read(ptr, n)
	if !ok {
		return nil, fmt.Errorf("squoosh: returned vector [%d, %d) outside memory", ptr, uint64(ptr)+uint64(n))
	}
	out := append([]byte(nil), v...)
	if _, err := b.free.Call(ctx, uint64(ptr), uint64(n)); err != nil {
		return nil, err
	}
	return out, nil
}

// memorySize is the instance's linear memory size in bytes.
func (b *bindgenInstance) memorySize() uint32 { return b.mod.Memory().Size() }

// close closes the instance.
func (b *bindgenInstance) close(ctx context.Context) error { return b.mod.Close(ctx) }

// closed reports whether the instance is closed.
func (b *bindgenInstance) closed() bool { return b.mod.IsClosed() }
