package squoosh

import (
	"encoding/binary"

	"github.com/tetratelabs/wazero/api"
)

// This file writes the "a" module an emscripten instance imports. The
// emscripten modules import their memory and their functions from one
// module, "a", as the glue's import object {a: {...}} supplies them, and
// the memory must be the instance's own. A wazero host module can export
// functions but no memory, so each instance gets a tiny wasm module, the
// shim, that imports the host's functions, re-exports them under the
// minified names, and defines and exports the memory "a" with the limits
// the emscripten module declares (the glue's `new WebAssembly.Memory
// ({initial: INITIAL_MEMORY/65536, maximum: 32768})`).

// shimImport is one function the shim imports from the host and re-exports.
type shimImport struct {
	hostName, export string
	params, results  []api.ValueType
}

// shimModule encodes the shim: types, imports from hostModule, one memory
// of min..max pages, and the exports, in the binary format of the
// WebAssembly core specification (section 5).
func shimModule(hostModule string, imports []shimImport, memExport string, min, max uint32) []byte {
	var types, imps, exps []byte
	types = uleb(types, uint32(len(imports)))
	imps = uleb(imps, uint32(len(imports)))
	exps = uleb(exps, uint32(len(imports)+1))
	for i, f := range imports {
		types = append(types, 0x60)
		types = valTypes(types, f.params)
		types = valTypes(types, f.results)
		imps = name(imps, hostModule)
		imps = name(imps, f.hostName)
		imps = append(imps, 0x00) // func
		imps = uleb(imps, uint32(i))
		exps = name(exps, f.export)
		exps = append(exps, 0x00) // func
		exps = uleb(exps, uint32(i))
	}
	exps = name(exps, memExport)
	exps = append(exps, 0x02, 0x00) // memory 0
	mem := []byte{0x01, 0x01}       // one memory, limits with a maximum
	mem = uleb(mem, min)
	mem = uleb(mem, max)

	out := []byte{0x00, 0x61, 0x73, 0x6d}
	out = binary.LittleEndian.AppendUint32(out, 1)
	for _, s := range []struct {
		id   byte
		body []byte
	}{{1, types}, {2, imps}, {5, mem}, {7, exps}} {
		out = append(out, s.id)
		out = uleb(out, uint32(len(s.body)))
		out = append(out, s.body...)
	}
	return out
}

func uleb(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func name(b []byte, s string) []byte { return append(uleb(b, uint32(len(s))), s...) }

func valTypes(b []byte, ts []api.ValueType) []byte {
	b = uleb(b, uint32(len(ts)))
	return append(b, ts...)
}

// signature formats a function type for error messages.
func signature(params, results []api.ValueType) string {
	s := "("
	for i, p := range params {
		if i > 0 {
			s += ", "
		}
		s += api.ValueTypeName(p)
	}
	s += ") -> ("
	for i, r := range results {
		if i > 0 {
			s += ", "
		}
		s += api.ValueTypeName(r)
	}
	return s + ")"
}
