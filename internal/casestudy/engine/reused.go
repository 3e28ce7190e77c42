package engine

import (
	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/enum"
)

// Reused says which codecs a lifetime that keeps instances (reuse,
// recycle, pool) keeps: all of them, or only the wasm-bindgen-style ones,
// as the published optimizer did.
//
// next@10.1.0's squoosh/codecs.js wrapped the init of each wasm-bindgen
// module (squoosh_png, squoosh_oxipng, squoosh_resize) in execOnce, so a
// worker process instantiated each once and reused it forever; but it
// called the emscripten factories (mozjpeg_node_enc/dec, webp_node_enc/dec,
// through emscripten-utils.js instantiateEmscriptenWasm) and
// WebAssembly.instantiate of rotate.wasm at every call, so those were new
// instances per operation even before the fix (and each emscripten one
// registered its process.on listeners). next@10.1.3 dropped execOnce:
// every module fresh per call.
type Reused uint8

// The reuse scopes.
const (
	// ReusedAll keeps an instance of every codec (the default).
	ReusedAll Reused = iota
	// ReusedBindgen keeps the wasm-bindgen-style codecs only (decode,
	// resize, encodePng: codecs.GlueBindgen); rotate and the
	// emscripten-style encoders get a fresh instance per operation,
	// whatever the lifetime, as next@10.1.0 instantiated them.
	ReusedBindgen
)

var reuseScopes = enum.New[Reused]("reused", "all", "bindgen")

// String returns "all" or "bindgen".
func (r Reused) String() string { return reuseScopes.String(r) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (r Reused) MarshalText() ([]byte, error) { return reuseScopes.Marshal(r) }

// UnmarshalText implements encoding.TextUnmarshaler: an unknown name is
// an error listing the allowed values.
func (r *Reused) UnmarshalText(b []byte) error { return reuseScopes.Unmarshal(b, r) }

// perCall reports whether op's instances live for one operation whatever
// the lifetime: under ReusedBindgen, the codecs whose original glue
// instantiated them at every call.
func (s Strategy) perCall(op codecs.Op) bool {
	return s.Reused == ReusedBindgen && op.Glue() != codecs.GlueBindgen
}
