package squoosh

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/tetratelabs/wazero/api"
)

// This file is a small embind host: the part of emscripten's
// src/embind/embind.js and src/embind/emval.js that squoosh's mozjpeg and
// webp codecs use, written in Go from those files' semantics.
//
//   - _embind_register_{void,bool,integer,float,std_string,std_wstring,
//     emval,memory_view,enum,enum_value} record a type under its typeid
//     (registerType), with what it takes to move values across (size,
//     signedness, range, true/false values, the typed array kind).
//   - _embind_register_value_object, _field and _finalize_value_object
//     record a struct passed by value: a constructor, a destructor, and a
//     setter per field (embind.js __embind_finalize_value_object; the
//     getters are recorded too but this host only writes objects).
//   - _embind_register_function records name -> (argument typeids,
//     invoker signature, invoker, function pointer); a call wires each
//     argument (toWireType), calls invoker(fn, wired...) through the
//     table, runs the destructors last in, first out (runDestructors) and
//     reads the result back (fromWireType).
//   - emval handles (emval.js): 1 undefined, 2 null, 3 true, 4 false, and
//     from 5 up reference-counted values, freed handles reused last in,
//     first out (emval_free_list); _emval_new, _emval_get_global,
//     _emval_incref and _emval_decref are the calls these codecs make
//     (val::global("Uint8Array").new_(typed_memory_view(...)),
//     ImageData.new_(...)).

// typeKind is what an embind type is.
type typeKind uint8

const (
	kindVoid typeKind = iota
	kindBool
	kindInteger
	kindFloat
	kindStdString
	kindStdWString
	kindEmval
	kindMemoryView
	kindValueObject
	kindEnum
)

// embindType is a registered type.
type embindType struct {
	name              string
	kind              typeKind
	size              uint32 // bytes (bool, integer, float, enum)
	min, max          int64  // integer range
	unsigned          bool
	trueVal, falseVal uint32
	viewKind          uint32 // memory view: index in Int8Array..Float64Array
	obj               *valueObject
}

// valueObject is a registered value_object<T>.
type valueObject struct {
	name             string
	ctorSig, dtorSig string
	ctor, dtor       uint32
	fields           []valueField
}

// valueField is one field of a value object, write side.
type valueField struct {
	name       string
	setterType uint32
	setterSig  string
	setter     uint32
	setterCtx  uint32
}

// embindFunction is a registered function.
type embindFunction struct {
	name    string
	argType []uint32 // [0] the return type, then the parameters
	sig     string
	invoker uint32
	fn      uint32
}

// jsValue is a JavaScript value an emval handle can hold here.
type jsValue any

// jsUndefined and jsNull are JavaScript's undefined and null.
type (
	jsUndefinedT struct{}
	jsNullT      struct{}
)

var (
	jsUndefined jsValue = jsUndefinedT{}
	jsNull      jsValue = jsNullT{}
)

// jsGlobal is a property of globalThis, looked up by _emval_get_global.
type jsGlobal string

// typedArray is a Uint8Array or Uint8ClampedArray the host constructed
// (a copy, as `new Uint8Array(view)` copies).
type typedArray struct {
	ctor string
	data []byte
}

// memoryView is a typed_memory_view: elements of a kind over the module's
// memory, not copied.
type memoryView struct {
	kind uint32
	data []byte
}

// memoryViewKinds are the typed array constructors embind's memory view
// indices name (embind.js __embind_register_memory_view typeMapping).
var memoryViewKinds = []string{"Int8Array", "Uint8Array", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array"}

// memoryViewElemSize is each kind's element size in bytes.
var memoryViewElemSize = []uint32{1, 1, 2, 2, 4, 4, 4, 8}

// emvalSlot is one emval handle's value and reference count.
type emvalSlot struct {
	refs  int
	value jsValue
	used  bool
}

// emvalReserved is the number of handles emval.js reserves (0 unused,
// then undefined, null, true, false).
const emvalReserved = 5

// embind is an instance's embind state.
type embind struct {
	types   map[uint32]*embindType
	pending map[uint32]*valueObject // registered, not finalized
	funcs   map[string]*embindFunction
	emvals  []emvalSlot
	free    []uint32
}

func (e *embind) init() {
	e.types = map[uint32]*embindType{}
	e.pending = map[uint32]*valueObject{}
	e.funcs = map[string]*embindFunction{}
	e.emvals = []emvalSlot{{}, {value: jsUndefined, used: true}, {value: jsNull, used: true}, {value: true, used: true}, {value: false, used: true}}
}

// unfinished reports value objects registered but never finalized.
func (e *embind) unfinished() error {
	for id := range e.pending {
		return fmt.Errorf("value object type %d registered but never finalized", id)
	}
	return nil
}

// register stores v under a new handle (emval.js __emval_register).
func (e *embind) register(v jsValue) uint32 {
	switch v {
	case jsUndefined:
		return 1
	case jsNull:
		return 2
	case true:
		return 3
	case false:
		return 4
	}
	slot := emvalSlot{refs: 1, value: v, used: true}
	if n := len(e.free); n > 0 {
		h := e.free[n-1]
		e.free = e.free[:n-1]
		e.emvals[h] = slot
		return h
	}
	e.emvals = append(e.emvals, slot)
	return uint32(len(e.emvals) - 1)
}

// value returns the value of handle h.
func (e *embind) value(h uint32) (jsValue, error) {
	if h == 0 || int(h) >= len(e.emvals) || !e.emvals[h].used {
		return nil, fmt.Errorf("squoosh: emval handle %d is not live", h)
	}
	return e.emvals[h].value, nil
}

// incref and decref count references to the handles from 5 up.
func (e *embind) incref(h uint32) error {
	if h >= emvalReserved {
		if _, err := e.value(h); err != nil {
			return err
		}
		e.emvals[h].refs++
	}
	return nil
}

func (e *embind) decref(h uint32) error {
	if h >= emvalReserved {
		if _, err := e.value(h); err != nil {
			return err
		}
		if e.emvals[h].refs--; e.emvals[h].refs == 0 {
			e.emvals[h] = emvalSlot{}
			e.free = append(e.free, h)
		}
	}
	return nil
}

// take is an emval return value's fromWireType: the value, and the
// handle's reference dropped.
func (e *embind) take(h uint32) (jsValue, error) {
	v, err := e.value(h)
	if err != nil {
		return nil, err
	}
	return v, e.decref(h)
}

// liveHandles counts the handles from 5 up still referenced
// (count_emval_handles in emval.js).
func (e *embind) liveHandles() int {
	n := 0
	for _, s := range e.emvals[emvalReserved:] {
		if s.used {
			n++
		}
	}
	return n
}

// addType records t under id; registering an id twice is an error, as in
// embind.js registerType (memory views excepted: ignoreDuplicateRegistrations).
func (e *embind) addType(id uint32, t *embindType) {
	if id == 0 {
		panic(fmt.Errorf("squoosh: type %q registered with typeid 0", t.name))
	}
	if _, dup := e.types[id]; dup {
		if t.kind == kindMemoryView {
			return
		}
		panic(fmt.Errorf("squoosh: type %q registered twice", t.name))
	}
	e.types[id] = t
}

// typeOf returns the type registered under id.
func (e *embind) typeOf(id uint32) (*embindType, error) {
	t, ok := e.types[id]
	if !ok {
		return nil, fmt.Errorf("squoosh: embind type %d is not registered", id)
	}
	return t, nil
}

// u32 reads a little-endian uint32 at ptr or panics with a clear error.
func (in *emscriptenInstance) u32(ptr uint32) uint32 {
	v, ok := in.mem.ReadUint32Le(ptr)
	if !ok {
		panic(fmt.Errorf("squoosh: %s read 4 bytes at %d, outside memory", in.kind, ptr))
	}
	return v
}

// cstring reads the NUL-terminated string at ptr (embind.js readLatin1String).
func (in *emscriptenInstance) cstring(ptr uint32) string {
	var b []byte
	for p := ptr; ; p++ {
		c, ok := in.mem.ReadByte(p)
		if !ok {
			panic(fmt.Errorf("squoosh: %s string at %d runs outside memory", in.kind, ptr))
		}
		if c == 0 {
			return string(b)
		}
		b = append(b, c)
	}
}

// check panics with err when it is not nil: host functions report errors
// by panicking, which wazero returns from the guest call as the error.
func check(err error) {
	if err != nil {
		panic(err)
	}
}

// abortError is emscripten's abort() or exit(): the module gave up.
type abortError struct{ what string }

func (e *abortError) Error() string { return "squoosh: module " + e.what }

// readArg reads an argument of type t packed at ptr, as embind's
// readValueFromPointer does for _emval_new's argument pack.
func (in *emscriptenInstance) readArg(t *embindType, ptr uint32) (jsValue, error) {
	switch t.kind {
	case kindInteger, kindEnum:
		b, ok := in.mem.Read(ptr, t.size)
		if !ok {
			return nil, fmt.Errorf("squoosh: argument at %d outside memory", ptr)
		}
		var u uint64
		for i := int(t.size) - 1; i >= 0; i-- {
			u = u<<8 | uint64(b[i])
		}
		if !t.unsigned && t.size < 8 {
			shift := 64 - 8*t.size
			return float64(int64(u<<shift) >> shift), nil
		}
		return float64(u), nil
	case kindFloat:
		if t.size == 4 {
			v, ok := in.mem.ReadFloat32Le(ptr)
			if !ok {
				return nil, fmt.Errorf("squoosh: argument at %d outside memory", ptr)
			}
			return float64(v), nil
		}
		v, ok := in.mem.ReadFloat64Le(ptr)
		if !ok {
			return nil, fmt.Errorf("squoosh: argument at %d outside memory", ptr)
		}
		return v, nil
	case kindBool:
		b, ok := in.mem.Read(ptr, t.size)
		if !ok {
			return nil, fmt.Errorf("squoosh: argument at %d outside memory", ptr)
		}
		for _, c := range b {
			if c != 0 {
				return true, nil
			}
		}
		return false, nil
	case kindEmval:
		return in.take(in.u32(ptr))
	case kindMemoryView:
		// A memory view's wire form: {size_t length; void *data}.
		n, data := in.u32(ptr), in.u32(ptr+4)
		size := uint64(n) * uint64(memoryViewElemSize[t.viewKind])
		b, ok := in.mem.Read(data, uint32(size))
		if !ok || size > math.MaxUint32 {
			return nil, fmt.Errorf("squoosh: memory view of %d elements at %d outside memory", n, data)
		}
		return memoryView{kind: t.viewKind, data: b}, nil
	}
	return nil, fmt.Errorf("squoosh: cannot read an argument of type %q", t.name)
}

// construct is `new ctor(...args)` for the constructors these codecs call.
func construct(ctor jsValue, args []jsValue) (jsValue, error) {
	switch ctor {
	case jsGlobal("Uint8Array"), jsGlobal("Uint8ClampedArray"):
		if len(args) != 1 {
			return nil, fmt.Errorf("squoosh: new %s with %d arguments, want a memory view", ctor, len(args))
		}
		v, ok := args[0].(memoryView)
		if !ok || memoryViewElemSize[v.kind] != 1 {
			return nil, fmt.Errorf("squoosh: new %s(%T): only byte memory views are supported", ctor, args[0])
		}
		return typedArray{ctor: string(ctor.(jsGlobal)), data: append([]byte(nil), v.data...)}, nil
	case jsGlobal("ImageData"):
		// next's ImageData (squoosh/image_data.js) keeps data, width and
		// height as given; codecs.js makes it the global ImageData.
		if len(args) != 3 {
			return nil, fmt.Errorf("squoosh: new ImageData with %d arguments, want 3", len(args))
		}
		data, ok1 := args[0].(typedArray)
		w, ok2 := args[1].(float64)
		h, ok3 := args[2].(float64)
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("squoosh: new ImageData(%T, %T, %T), want (typed array, number, number)", args[0], args[1], args[2])
		}
		return Image{Pix: data.data, Width: int(w), Height: int(h)}, nil
	}
	return nil, fmt.Errorf("squoosh: the host cannot construct %v", ctor)
}

// knownGlobals are the globals _emval_get_global finds: the typed arrays
// and next's ImageData (codecs.js: global.ImageData = ImageData).
var knownGlobals = map[string]bool{"Uint8Array": true, "Uint8ClampedArray": true, "ImageData": true}

// i32s is a list of n i32 value types.
func i32s(n int) []api.ValueType {
	ts := make([]api.ValueType, n)
	for i := range ts {
		ts[i] = api.ValueTypeI32
	}
	return ts
}

// u32s decodes the stack's first n values as uint32.
func u32s(stack []uint64, n int) []uint32 {
	a := make([]uint32, n)
	for i := range a {
		a[i] = api.DecodeU32(stack[i])
	}
	return a
}

// fn is a host function of n i32 parameters and r (0 or 1) i32 results.
func fn(n, r int, f func(ctx context.Context, in *emscriptenInstance, a []uint32) uint32) hostFunc {
	return hostFunc{params: i32s(n), results: i32s(r), fn: func(ctx context.Context, in *emscriptenInstance, stack []uint64) {
		ret := f(ctx, in, u32s(stack, n))
		if r == 1 {
			stack[0] = api.EncodeU32(ret)
		}
	}}
}

// defaultEnviron is the environment emscripten gives a program under Node
// (library.js getEnvStrings); "_" is the program's name, which the glue
// takes from process.argv[1]: here emscripten's default "./this.program".
var defaultEnviron = []string{"USER=web_user", "LOGNAME=web_user", "PATH=/", "PWD=/", "HOME=/home/web_user", "LANG=C.UTF-8", "_=./this.program"}

// Emscripten's heap growth (library.js emscripten_resize_heap) as these
// modules were built: at most 2 GiB, at least 16 MiB (INITIAL_MEMORY),
// overgrown by MEMORY_GROWTH_GEOMETRIC_STEP 0.2 capped at
// MEMORY_GROWTH_GEOMETRIC_CAP 96 MiB above the request, halving the step
// twice when growing fails.
const (
	heapMax       = 2 << 30
	heapMin       = 16 << 20
	heapGrowStep  = 0.2
	heapGrowCap   = 96 << 20
	heapPageAlign = 65536
)

// resizeHeap is emscripten_resize_heap(requested).
func (in *emscriptenInstance) resizeHeap(requested uint32) bool {
	old := float64(in.mem.Size())
	req := float64(requested)
	if req > heapMax {
		return false
	}
	for cutDown := 1.0; cutDown <= 4; cutDown *= 2 {
		over := old * (1 + heapGrowStep/cutDown)
		over = math.Min(over, req+heapGrowCap)
		size := math.Max(heapMin, math.Max(req, over))
		if r := math.Mod(size, heapPageAlign); r > 0 {
			size += heapPageAlign - r
		}
		pages := (uint64(math.Min(heapMax, size)) - uint64(in.mem.Size()) + heapPageAlign - 1) >> 16
		if _, ok := in.mem.Grow(uint32(pages)); ok {
			return true
		}
	}
	return false
}

// hostFuncs are the emscripten and embind library functions the four
// modules import, by their unminified names.
var hostFuncs = map[string]hostFunc{
	"_embind_register_void": fn(2, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		in.addType(a[0], &embindType{name: in.cstring(a[1]), kind: kindVoid})
		return 0
	}),
	"_embind_register_bool": fn(5, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		in.addType(a[0], &embindType{name: in.cstring(a[1]), kind: kindBool, size: a[2], trueVal: a[3], falseVal: a[4]})
		return 0
	}),
	"_embind_register_integer": fn(5, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		// minRange and maxRange arrive as i32: a maxRange of -1 means
		// 4294967295 (unsigned int); a minRange of 0 means unsigned.
		t := &embindType{name: in.cstring(a[1]), kind: kindInteger, size: a[2], min: int64(int32(a[3])), max: int64(int32(a[4]))}
		if t.max == -1 {
			t.max = math.MaxUint32
		}
		t.unsigned = t.min == 0
		in.addType(a[0], t)
		return 0
	}),
	"_embind_register_float": fn(3, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		in.addType(a[0], &embindType{name: in.cstring(a[1]), kind: kindFloat, size: a[2]})
		return 0
	}),
	"_embind_register_std_string": fn(2, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		in.addType(a[0], &embindType{name: in.cstring(a[1]), kind: kindStdString})
		return 0
	}),
	"_embind_register_std_wstring": fn(3, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		in.addType(a[0], &embindType{name: in.cstring(a[2]), kind: kindStdWString, size: a[1]})
		return 0
	}),
	"_embind_register_emval": fn(2, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		in.addType(a[0], &embindType{name: in.cstring(a[1]), kind: kindEmval})
		return 0
	}),
	"_embind_register_memory_view": fn(3, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		if int(a[1]) >= len(memoryViewKinds) {
			panic(fmt.Errorf("squoosh: memory view kind %d unknown", a[1]))
		}
		in.addType(a[0], &embindType{name: in.cstring(a[2]), kind: kindMemoryView, viewKind: a[1]})
		return 0
	}),
	"_embind_register_enum": fn(4, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		in.addType(a[0], &embindType{name: in.cstring(a[1]), kind: kindEnum, size: a[2], unsigned: a[3] == 0})
		return 0
	}),
	"_embind_register_enum_value": fn(3, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		t, err := in.typeOf(a[0])
		check(err)
		if t.kind != kindEnum {
			panic(fmt.Errorf("squoosh: enum value %q for %q, which is not an enum", in.cstring(a[1]), t.name))
		}
		return 0 // the values matter only to JavaScript callers
	}),
	"_embind_register_value_object": fn(6, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		// (rawType, name, constructorSignature, rawConstructor,
		// destructorSignature, rawDestructor)
		in.pending[a[0]] = &valueObject{name: in.cstring(a[1]), ctorSig: in.cstring(a[2]), ctor: a[3], dtorSig: in.cstring(a[4]), dtor: a[5]}
		return 0
	}),
	"_embind_register_value_object_field": fn(10, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		// (structType, fieldName, getterReturnType, getterSignature,
		// getter, getterContext, setterArgumentType, setterSignature,
		// setter, setterContext)
		o, ok := in.pending[a[0]]
		if !ok {
			panic(fmt.Errorf("squoosh: field %q of value object %d registered outside its registration", in.cstring(a[1]), a[0]))
		}
		o.fields = append(o.fields, valueField{name: in.cstring(a[1]), setterType: a[6], setterSig: in.cstring(a[7]), setter: a[8], setterCtx: a[9]})
		return 0
	}),
	"_embind_finalize_value_object": fn(1, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		o, ok := in.pending[a[0]]
		if !ok {
			panic(fmt.Errorf("squoosh: finalizing value object %d, never registered", a[0]))
		}
		delete(in.pending, a[0])
		in.addType(a[0], &embindType{name: o.name, kind: kindValueObject, obj: o})
		return 0
	}),
	"_embind_register_function": fn(6, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		// (name, argCount, rawArgTypesAddr, signature, rawInvoker, fn)
		f := &embindFunction{name: in.cstring(a[0]), sig: in.cstring(a[3]), invoker: a[4], fn: a[5]}
		for i := range a[1] {
			f.argType = append(f.argType, in.u32(a[2]+4*i))
		}
		if _, dup := in.funcs[f.name]; dup {
			panic(fmt.Errorf("squoosh: function %q registered twice (overloads are not supported)", f.name))
		}
		in.funcs[f.name] = f
		return 0
	}),
	"_emval_incref": fn(1, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		check(in.incref(a[0]))
		return 0
	}),
	"_emval_decref": fn(1, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		check(in.decref(a[0]))
		return 0
	}),
	"_emval_get_global": fn(1, 1, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		if a[0] == 0 {
			return in.register(jsGlobal("globalThis"))
		}
		name := in.cstring(a[0])
		if !knownGlobals[name] {
			return in.register(jsUndefined)
		}
		return in.register(jsGlobal(name))
	}),
	"_emval_new": fn(4, 1, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		// (handle, argCount, argTypes, args): each argument is read from
		// the pack at args by its type, 8 bytes apart (argPackAdvance).
		ctor, err := in.value(a[0])
		check(err)
		args := make([]jsValue, a[1])
		for i := range a[1] {
			t, err := in.typeOf(in.u32(a[2] + 4*i))
			check(err)
			args[i], err = in.readArg(t, a[3]+8*i)
			check(err)
		}
		v, err := construct(ctor, args)
		check(err)
		return in.register(v)
	}),
	"emscripten_resize_heap": fn(1, 1, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		if in.resizeHeap(a[0]) {
			return 1
		}
		return 0
	}),
	"emscripten_memcpy_big": fn(3, 1, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		dst, src, n := a[0], a[1], a[2]
		buf, ok := in.mem.Read(0, in.mem.Size())
		if !ok || uint64(dst)+uint64(n) > uint64(len(buf)) || uint64(src)+uint64(n) > uint64(len(buf)) {
			panic(fmt.Errorf("squoosh: memcpy of %d bytes from %d to %d outside memory", n, src, dst))
		}
		copy(buf[dst:dst+n], buf[src:src+n])
		return 0
	}),
	"abort": fn(0, 0, func(_ context.Context, in *emscriptenInstance, _ []uint32) uint32 {
		panic(&abortError{what: "aborted"})
	}),
	"proc_exit": fn(1, 0, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		panic(&abortError{what: fmt.Sprintf("exited with status %d", a[0])})
	}),
	"fd_write": fn(4, 1, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		// (fd, iov, iovcnt, pnum): the glue prints lines to console.log
		// (fd 1) or console.warn (fd 2); here they are kept for errors.
		var n uint32
		for i := range a[2] {
			p, l := in.u32(a[1]+8*i), in.u32(a[1]+8*i+4)
			b, ok := in.mem.Read(p, l)
			if !ok {
				panic(fmt.Errorf("squoosh: fd_write of %d bytes at %d outside memory", l, p))
			}
			in.out.Write(b)
			n += l
		}
		if !in.mem.WriteUint32Le(a[3], n) {
			panic(fmt.Errorf("squoosh: fd_write count at %d outside memory", a[3]))
		}
		return 0
	}),
	"environ_sizes_get": fn(2, 1, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		size := 0
		for _, s := range defaultEnviron {
			size += len(s) + 1
		}
		if !in.mem.WriteUint32Le(a[0], uint32(len(defaultEnviron))) || !in.mem.WriteUint32Le(a[1], uint32(size)) {
			panic(errors.New("squoosh: environ_sizes_get outside memory"))
		}
		return 0
	}),
	"environ_get": fn(2, 1, func(_ context.Context, in *emscriptenInstance, a []uint32) uint32 {
		p := a[1]
		for i, s := range defaultEnviron {
			if !in.mem.WriteUint32Le(a[0]+4*uint32(i), p) || !in.mem.Write(p, append([]byte(s), 0)) {
				panic(errors.New("squoosh: environ_get outside memory"))
			}
			p += uint32(len(s)) + 1
		}
		return 0
	}),
	// The glue's empty functions: their JavaScript returns undefined,
	// which a wasm i32 result receives as 0.
	"__cxa_atexit": fn(3, 1, func(context.Context, *emscriptenInstance, []uint32) uint32 { return 0 }),
	"fd_seek":      fn(5, 1, func(context.Context, *emscriptenInstance, []uint32) uint32 { return 0 }),
	"fd_close":     fn(1, 1, func(context.Context, *emscriptenInstance, []uint32) uint32 { return 0 }),
	"setTempRet0":  fn(1, 0, func(context.Context, *emscriptenInstance, []uint32) uint32 { return 0 }),
}
