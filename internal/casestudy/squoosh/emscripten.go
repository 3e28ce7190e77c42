package squoosh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/experimental/table"
)

// emscriptenHostModule is the name of the host module that serves every
// emscripten instance's imports (through the instance's shim).
const emscriptenHostModule = "squoosh-emscripten"

// emscriptenImportModule and emscriptenMemory are the import module name
// and the memory's name the minified emscripten modules use.
const (
	emscriptenImportModule = "a"
	emscriptenMemory       = "a"
)

// emscriptenImports maps each emscripten module's minified import names to
// the emscripten or embind library function each is. Read from the glue
// beside each module: its import object (`var d={a:tb}` in
// mozjpeg_node_dec.js, `{a:mb}` in webp_node_enc.js, ...) lists each
// minified name with the function body emscripten put there, which names
// itself by what it does (e.g. `'Unknown boolean type size'` is
// _embind_register_bool, `B.copyWithin(a,b,b+c)` is
// emscripten_memcpy_big). The empty JS functions are identified by their
// wasm types and their place in the glue: __cxa_atexit (i32,i32,i32)->i32,
// fd_seek (5 x i32)->i32, fd_close (i32)->i32 returning 0, setTempRet0
// (i32)->(). The memory import "a" is the shim's.
var emscriptenImports = map[Module]map[string]string{
	MozJPEGDecWasm: {
		"b": "_embind_register_memory_view", "c": "_embind_register_integer", "d": "emscripten_resize_heap",
		"e": "_emval_decref", "f": "_emval_get_global", "g": "__cxa_atexit", "h": "_embind_register_std_wstring",
		"i": "_embind_register_std_string", "j": "_emval_incref", "k": "_emval_new", "l": "abort",
		"m": "fd_write", "n": "_embind_register_float", "o": "_embind_register_bool", "p": "_embind_register_void",
		"q": "_embind_register_function", "r": "fd_seek", "s": "setTempRet0", "t": "emscripten_memcpy_big",
		"u": "environ_get", "v": "environ_sizes_get", "w": "fd_close", "x": "_embind_register_emval", "y": "proc_exit",
	},
	MozJPEGEncWasm: {
		"b": "_embind_register_value_object_field", "c": "_embind_register_memory_view", "d": "_embind_register_integer",
		"e": "emscripten_resize_heap", "f": "_embind_register_std_wstring", "g": "_embind_register_function",
		"h": "_emval_decref", "i": "abort", "j": "fd_write", "k": "_embind_register_float", "l": "_embind_register_std_string",
		"m": "_emval_incref", "n": "_embind_finalize_value_object", "o": "_embind_register_value_object", "p": "_emval_new",
		"q": "fd_seek", "r": "setTempRet0", "s": "emscripten_memcpy_big", "t": "environ_get", "u": "environ_sizes_get",
		"v": "_emval_get_global", "w": "fd_close", "x": "_embind_register_emval", "y": "_embind_register_bool",
		"z": "_embind_register_void", "A": "proc_exit", "B": "__cxa_atexit",
	},
	WebPDecWasm: {
		"b": "_embind_register_memory_view", "c": "_embind_register_integer", "d": "emscripten_resize_heap",
		"e": "_emval_decref", "f": "_emval_get_global", "g": "__cxa_atexit", "h": "_embind_register_std_wstring",
		"i": "_embind_register_std_string", "j": "_embind_register_function", "k": "_emval_incref", "l": "_emval_new",
		"m": "abort", "n": "_embind_register_float", "o": "_embind_register_bool", "p": "_embind_register_void",
		"q": "emscripten_memcpy_big", "r": "_embind_register_emval",
	},
	WebPEncWasm: {
		"b": "_embind_register_value_object_field", "c": "_embind_register_memory_view", "d": "_embind_register_integer",
		"e": "emscripten_resize_heap", "f": "_embind_register_enum_value", "g": "_emval_decref", "h": "_embind_register_std_wstring",
		"i": "_embind_register_function", "j": "abort", "k": "_embind_register_float", "l": "_embind_register_std_string",
		"m": "_embind_finalize_value_object", "n": "_embind_register_value_object", "o": "_embind_register_enum",
		"p": "_emval_new", "q": "emscripten_memcpy_big", "r": "_embind_register_emval", "s": "_embind_register_bool",
		"t": "_embind_register_void", "u": "_emval_incref", "v": "_emval_get_global", "w": "__cxa_atexit",
	},
}

// emscriptenExports are the minified names of the exports the host calls,
// read from the glue's wrappers (`e._malloc=e.asm.B` ...).
type emscriptenExports struct{ ctors, malloc, free string }

var emscriptenExportNames = map[Module]emscriptenExports{
	MozJPEGDecWasm: {ctors: "A", malloc: "B", free: "C"},
	MozJPEGEncWasm: {ctors: "D", malloc: "E", free: "F"},
	WebPDecWasm:    {ctors: "t", malloc: "u", free: "v"},
	WebPEncWasm:    {ctors: "y", malloc: "z", free: "A"},
}

// instanceKey is the context key under which every call into an
// emscripten instance carries the instance to the host functions.
type instanceKey struct{}

// hostFunc is one host function with its wasm type.
type hostFunc struct {
	params, results []api.ValueType
	fn              func(ctx context.Context, in *emscriptenInstance, stack []uint64)
}

// emscriptenHost holds the compiled shim of each emscripten module.
type emscriptenHost struct {
	shims map[Module]wazero.CompiledModule
}

// newEmscriptenHost instantiates the host module with every function of
// hostFuncs and compiles each emscripten module's shim, checking that the
// module's imports have the types of the functions they are mapped to.
func newEmscriptenHost(ctx context.Context, rt wazero.Runtime, mods [numModules]wazero.CompiledModule) (*emscriptenHost, error) {
	b := rt.NewHostModuleBuilder(emscriptenHostModule)
	for name, f := range hostFuncs {
		fn := f.fn
		b = b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, _ api.Module, stack []uint64) {
			in, ok := ctx.Value(instanceKey{}).(*emscriptenInstance)
			if !ok {
				panic(errors.New("squoosh: emscripten import called outside a call of this package"))
			}
			fn(ctx, in, stack)
		}), f.params, f.results).WithName(name).Export(name)
	}
	if _, err := b.Instantiate(ctx); err != nil {
		return nil, fmt.Errorf("squoosh: instantiating the emscripten host: %w", err)
	}
	h := &emscriptenHost{shims: map[Module]wazero.CompiledModule{}}
	for m, names := range emscriptenImports {
		var imps []shimImport
		for _, def := range mods[m].ImportedFunctions() {
			mod, minified, _ := def.Import()
			name, ok := names[minified]
			if mod != emscriptenImportModule || !ok {
				return nil, fmt.Errorf("squoosh: %s imports %s.%s, which this host does not map", m, mod, minified)
			}
			f := hostFuncs[name]
			if !slices.Equal(f.params, def.ParamTypes()) || !slices.Equal(f.results, def.ResultTypes()) {
				return nil, fmt.Errorf("squoosh: %s imports %s (%s) as %s, but %s is %s here", m, minified, name,
					signature(def.ParamTypes(), def.ResultTypes()), name, signature(f.params, f.results))
			}
			imps = append(imps, shimImport{hostName: name, export: minified, params: f.params, results: f.results})
		}
		mems := mods[m].ImportedMemories()
		if len(mems) != 1 {
			return nil, fmt.Errorf("squoosh: %s imports %d memories, want 1", m, len(mems))
		}
		max, ok := mems[0].Max()
		if !ok {
			max = 65536
		}
		shim, err := rt.CompileModule(ctx, shimModule(emscriptenHostModule, imps, emscriptenMemory, mems[0].Min(), max))
		if err != nil {
			return nil, fmt.Errorf("squoosh: compiling the import shim of %s: %w", m, err)
		}
		h.shims[m] = shim
	}
	return h, nil
}

// emscriptenInstance is one instance of an emscripten module, with the
// state its embind host keeps for it (the glue's registeredTypes,
// emval_handle_array, ...).
type emscriptenInstance struct {
	kind         Module
	mod, shim    api.Module
	mem          api.Memory
	malloc, free api.Function
	embind
	out bytes.Buffer // what the module wrote to stdout and stderr
}

// instantiateEmscripten instantiates m with its own shim and runs its
// constructors (the glue's ATINIT: ___wasm_call_ctors), which register its
// embind types and functions.
func (l *Library) instantiateEmscripten(ctx context.Context, m Module) (_ *emscriptenInstance, err error) {
	shim, ok := l.emscripten.shims[m]
	if !ok {
		return nil, fmt.Errorf("squoosh: %s is not an emscripten module", m)
	}
	in := &emscriptenInstance{kind: m}
	in.embind.init()
	ctx = context.WithValue(ctx, instanceKey{}, in)
	if in.shim, err = l.rt.InstantiateModule(ctx, shim, wazero.NewModuleConfig().WithName("")); err != nil {
		return nil, fmt.Errorf("squoosh: instantiating the import shim of %s: %w", m, err)
	}
	rctx := experimental.WithImportResolver(ctx, func(name string) api.Module {
		if name == emscriptenImportModule {
			return in.shim
		}
		return nil
	})
	if in.mod, err = l.rt.InstantiateModule(rctx, l.mods[m], wazero.NewModuleConfig().WithName("")); err != nil {
		_ = in.shim.Close(ctx)
		return nil, fmt.Errorf("squoosh: instantiating %s: %w", m, err)
	}
	defer func() {
		if err != nil {
			_ = in.close(ctx)
		}
	}()
	ex := emscriptenExportNames[m]
	in.mem = in.mod.Memory()
	in.malloc, in.free = in.mod.ExportedFunction(ex.malloc), in.mod.ExportedFunction(ex.free)
	ctors := in.mod.ExportedFunction(ex.ctors)
	if in.mem == nil || in.malloc == nil || in.free == nil || ctors == nil {
		return nil, fmt.Errorf("squoosh: %s lacks its memory or the exports %s, %s, %s (constructors, malloc, free)", m, ex.ctors, ex.malloc, ex.free)
	}
	if _, err := ctors.Call(ctx); err != nil {
		return nil, fmt.Errorf("squoosh: %s constructors: %w", m, in.withOutput(err))
	}
	if err := in.unfinished(); err != nil {
		return nil, fmt.Errorf("squoosh: %s: %w", m, err)
	}
	return in, nil
}

// close closes the instance and its shim.
func (in *emscriptenInstance) close(ctx context.Context) error {
	return errors.Join(in.mod.Close(ctx), in.shim.Close(ctx))
}

// withOutput adds what the module printed to err.
func (in *emscriptenInstance) withOutput(err error) error {
	if err == nil || in.out.Len() == 0 {
		return err
	}
	return fmt.Errorf("%w (the module printed: %q)", err, bytes.TrimSpace(in.out.Bytes()))
}

// callTable calls the function at idx of the module's table with the
// embind signature sig ("vii": returns void, takes two i32), as embind's
// dynCall does (getDynCaller / wasmTable.get(idx)).
func (in *emscriptenInstance) callTable(ctx context.Context, sig string, idx uint32, args ...uint64) (_ []uint64, err error) {
	params, results, err := sigTypes(sig)
	if err != nil {
		return nil, err
	}
	var f api.Function
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("squoosh: no function of signature %q at table index %d: %v", sig, idx, r)
			}
		}()
		f = table.LookupFunction(in.mod, 0, idx, params, results)
	}()
	if err != nil {
		return nil, err
	}
	return f.Call(ctx, args...)
}

// sigTypes turns an embind signature string into wasm types: the first
// letter is the result ('v' none), the rest the parameters; 'i' i32,
// 'f' f32, 'd' f64. 'j' (i64, legalized through dynCall_* in these
// builds) is refused.
func sigTypes(sig string) (params, results []api.ValueType, err error) {
	if sig == "" {
		return nil, nil, errors.New("squoosh: empty embind signature")
	}
	for i, c := range []byte(sig) {
		var t api.ValueType
		switch c {
		case 'v':
			if i == 0 {
				continue
			}
			return nil, nil, fmt.Errorf("squoosh: embind signature %q has a void parameter", sig)
		case 'i', 'p':
			t = api.ValueTypeI32
		case 'f':
			t = api.ValueTypeF32
		case 'd':
			t = api.ValueTypeF64
		default:
			return nil, nil, fmt.Errorf("squoosh: embind signature %q: type %q not supported", sig, c)
		}
		if i == 0 {
			results = []api.ValueType{t}
		} else {
			params = append(params, t)
		}
	}
	return params, results, nil
}
