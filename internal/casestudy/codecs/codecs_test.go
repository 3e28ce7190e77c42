package codecs

import (
	"bytes"
	"encoding"
	"testing"

	"github.com/tetratelabs/wazero"
)

var (
	_ encoding.TextMarshaler   = Op(0)
	_ encoding.TextUnmarshaler = (*Op)(nil)
)

func TestOp(t *testing.T) {
	tests := []struct {
		op     Op
		name   string
		module string
		glue   Glue
	}{
		{Decode, "decode", "decode", GlueBindgen},
		{Resize, "resize", "resize", GlueBindgen},
		{Rotate, "rotate", "rotate", GluePlain},
		{EncodeJPEG, "encodeJpeg", "encode_jpeg", GlueEmscripten},
		{EncodePNG, "encodePng", "encode_png", GlueBindgen},
		{EncodeWebP, "encodeWebp", "encode_webp", GlueEmscripten},
	}
	equal(t, len(tests), NumOps, "ops tested")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			equal(t, tt.op.String(), tt.name, "String")
			equal(t, tt.op.Module(), tt.module, "Module")
			equal(t, tt.op.Glue(), tt.glue, "Glue")
			got, err := parseNamed(ops, tt.name)
			noErr(t, err, "parse")
			equal(t, got, tt.op, "parse")
			b, err := tt.op.MarshalText()
			noErr(t, err, "MarshalText")
			var back Op
			noErr(t, back.UnmarshalText(b), "UnmarshalText")
			equal(t, back, tt.op, "text round trip")
		})
	}
	_, err := parseNamed(ops, "encodeGif")
	wantErr(t, err, ErrInvalid, `"encodeGif"`, "encodeJpeg")
	equal(t, Op(9).String(), "Op(9)", "String of an invalid Op")
	_, err = Op(9).MarshalText()
	wantErr(t, err, ErrInvalid)
	equal(t, GluePlain.String()+GlueBindgen.String()+GlueEmscripten.String(), "plainbindgenemscripten", "Glue names")
}

// TestFormat: the codecs' side of package imageformat's Format, the
// encoder of each format and the class of a bad name.
func TestFormat(t *testing.T) {
	tests := []struct {
		f    Format
		name string
		op   Op
	}{
		{PNG, "png", EncodePNG},
		{JPEG, "jpeg", EncodeJPEG},
		{WebP, "webp", EncodeWebP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFormat(tt.name)
			noErr(t, err, "ParseFormat")
			equal(t, got, tt.f, "ParseFormat")
			op, err := EncodeOp(tt.f)
			noErr(t, err, "EncodeOp")
			equal(t, op, tt.op, "EncodeOp")
		})
	}
	_, err := ParseFormat("gif")
	wantErr(t, err, ErrInvalid, `codecs: invalid argument: unknown format "gif" (allowed: png, jpeg, webp)`)
	_, err = EncodeOp(0)
	wantErr(t, err, ErrInvalid)
}

// TestSniff: the codecs' Sniff is imageformat.Sniff with its failures
// classed ErrCorrupt, in the same words.
func TestSniff(t *testing.T) {
	got, err := Sniff(encodePNG(t, toNRGBA(testPattern(2, 2, false))))
	noErr(t, err, "Sniff")
	equal(t, got, PNG, "format")
	_, err = Sniff([]byte("GIF89a"))
	wantErr(t, err, ErrCorrupt, "codecs: corrupt or unsupported input: unknown image format (first bytes 47 49 46 38 39 61; want PNG, JPEG or WebP)")
	_, err = Sniff(nil)
	wantErr(t, err, ErrCorrupt, "codecs: corrupt or unsupported input: empty input")
}

// wasmModule assembles a minimal module that exports a memory and one
// function, () -> i32 returning version, under each of names.
func wasmModule(version byte, names ...string) []byte {
	section := func(id byte, body ...byte) []byte {
		if len(body) > 127 {
			panic("section too long for a one-byte LEB128 size")
		}
		return append([]byte{id, byte(len(body))}, body...)
	}
	name := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	exports := []byte{byte(1 + len(names))}
	exports = append(append(exports, name("memory")...), 0x02, 0)
	for _, n := range names {
		exports = append(append(exports, name(n)...), 0x00, 0)
	}
	var m []byte
	m = append(m, 0, 'a', 's', 'm', 1, 0, 0, 0)
	m = append(m, section(1, 1, 0x60, 0, 1, 0x7f)...)                // type: () -> i32
	m = append(m, section(3, 1, 0)...)                               // one function of type 0
	m = append(m, section(5, 1, 0, 1)...)                            // memory, min 1 page
	m = append(m, section(7, exports...)...)                         // exports
	m = append(m, section(10, 1, 4, 0, 0x41, version&0x3f, 0x0b)...) // i32.const version; end
	return m
}

func TestCheckExports(t *testing.T) {
	rt := wazero.NewRuntime(testCtx)
	defer rt.Close(testCtx)
	cm, err := rt.CompileModule(testCtx, wasmModule(1, "lb_abi_version"))
	noErr(t, err, "compiling the hand-made module")
	err = checkExports(Decode, cm)
	wantErr(t, err, ErrBadModule, "decode.wasm has no export lb_alloc")

	// A real module passes.
	lib := testLibrary(t)
	for op := range Op(NumOps) {
		if lib.Has(op) {
			noErr(t, checkExports(op, lib.mods[op]), op.String())
		}
	}
	// Its exports checked against another op's ABI: the op export is missing.
	if lib.Has(Rotate) {
		wantErr(t, checkExports(Decode, lib.mods[Rotate]), ErrBadModule, "decode.wasm has no export lb_decode")
	}
}

func TestNewInstance_badModule(t *testing.T) {
	rt := wazero.NewRuntime(testCtx)
	defer rt.Close(testCtx)
	cfg := wazero.NewModuleConfig().WithName("")
	mod, err := rt.InstantiateModule(testCtx, mustCompile(t, rt, wasmModule(1, "lb_abi_version")), cfg)
	noErr(t, err, "instantiating the hand-made module")
	_, err = newInstance(testCtx, testLibrary(t), Rotate, mod)
	wantErr(t, err, ErrBadModule, "rotate.wasm has no export lb_rotate")

	// Every export present (all the same function), but version 3. The
	// export section outgrows one-byte sizes, so split the names: the
	// check only needs them present, not distinct.
	all := []string{"lb_rotate"}
	for _, e := range abiExports {
		all = append(all, e.name)
	}
	mod2, err := rt.InstantiateModule(testCtx, mustCompile(t, rt, wasmModuleLong(3, all)), cfg)
	noErr(t, err, "instantiating the version-3 module")
	_, err = newInstance(testCtx, testLibrary(t), Rotate, mod2)
	wantErr(t, err, ErrBadModule, "lb_abi_version 3, want 2")
}

func mustCompile(t *testing.T, rt wazero.Runtime, bin []byte) wazero.CompiledModule {
	t.Helper()
	cm, err := rt.CompileModule(testCtx, bin)
	noErr(t, err, "compiling a hand-made module")
	return cm
}

// wasmModuleLong is wasmModule with two-byte LEB128 section sizes.
func wasmModuleLong(version byte, names []string) []byte {
	short := wasmModule(version) // memory export only
	exports := []byte{byte(1 + len(names)), 6, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0}
	for _, n := range names {
		exports = append(append(append(exports, byte(len(n))), n...), 0x00, 0)
	}
	// Replace the export section (id 7) of short with a long one.
	i := bytes.Index(short, []byte{7, 10, 1, 6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0})
	sec := []byte{7, byte(len(exports)&0x7f | 0x80), byte(len(exports) >> 7)}
	out := append([]byte{}, short[:i]...)
	out = append(append(out, sec...), exports...)
	return append(out, short[i+12:]...)
}
