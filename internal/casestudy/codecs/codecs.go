// Package codecs is the typed Go API over leakbench's six WebAssembly image
// codec modules (decode, resize, rotate, encodeJpeg, encodePng,
// encodeWebp), run by wazero.
//
// A Library compiles every embedded module once, in one wazero.Runtime
// configured to interrupt calls when their context is done (unless
// Options.Uninterruptible: wazero v1.12 makes interruptible code 4-35x
// slower, as measured by the codecs benchmark) and to cap each instance's linear memory. A Library hands out Instances: one wasm module
// instance per operation type, the unit the engine reuses, discards or leaks.
//
//	lib, err := codecs.New(ctx, codecs.Options{})
//	...
//	defer lib.Close(ctx)
//	dec, err := lib.Instantiate(ctx, codecs.Decode)
//	...
//	defer dec.Close(ctx)
//	img, err := dec.Decode(ctx, pngBytes)
//
// # Safety
//
// Every operation checks its input on the host first (input size, image
// header dimensions, pixel counts, argument ranges), so hostile input fails
// with ErrLimit, ErrInvalid or ErrCorrupt before the guest allocates
// anything. What the host can't judge without decoding, decode.wasm judges
// where the work happens (see Instance.Decode and wasm/ABI.md): it scans
// the whole file first, bounds its allocations by a budget derived from the
// header and the limits, and zeroes them, so a small file can cost only
// memory and time in proportion to its size, and no output contains bytes
// of an earlier request. Every guest allocation is freed before the
// operation returns.
// A trap or a context deadline closes the instance; the caller instantiates
// a fresh one. No exported function panics.
//
// # Memory
//
// wazero keeps an instance's linear memory in an ordinary Go []byte. An
// Instance references it until the Instance itself is unreachable, even
// after Close, as a JavaScript instance object does; a slice from View keeps
// it reachable too. This is what the engine's leak strategies rely on.
//
// # What it owns
//
// The guest ABI, the host-side checks of input, and the Go face of every
// operation. When to instantiate, reuse, leak or close an instance is the
// engine's choice; the modules' bytes belong to package wasm.
package codecs

import (
	"fmt"

	"github.com/leakbench/leakbench/internal/enum"
	"github.com/leakbench/leakbench/internal/imageformat"
)

// Op is one codec operation. Each Op has its own wasm module.
type Op uint8

// The six operations, in the order of their modules in wasm.Names.
const (
	Decode Op = iota
	Resize
	Rotate
	EncodeJPEG
	EncodePNG
	EncodeWebP
)

// NumOps is the number of operations; Op values run from 0 to NumOps-1.
const NumOps = 6

var ops = enum.New[Op]("operation", "decode", "resize", "rotate", "encodeJpeg", "encodePng", "encodeWebp")

// moduleNames are the module names of wasm.Module, per Op.
var moduleNames = [NumOps]string{"decode", "resize", "rotate", "encode_jpeg", "encode_png", "encode_webp"}

// opExports are the operation exports of the C ABI, per Op.
var opExports = [NumOps]string{"lb_decode", "lb_resize", "lb_rotate", "lb_encode_jpeg", "lb_encode_png", "lb_encode_webp"}

// opParams is the number of i32 parameters of each operation export.
var opParams = [NumOps]int{4, 5, 4, 4, 4, 4}

// String returns the operation's name as the results and events spell it:
// "decode", "resize", "rotate", "encodeJpeg", "encodePng" or "encodeWebp".
func (op Op) String() string { return ops.String(op) }

// Valid reports whether op is one of the six operations.
func (op Op) Valid() bool { return ops.Valid(op) }

// MarshalText implements encoding.TextMarshaler with Op.String.
func (op Op) MarshalText() ([]byte, error) { return marshalNamed(ops, op) }

// UnmarshalText implements encoding.TextUnmarshaler: the Op named as Op.String spells it.
func (op *Op) UnmarshalText(b []byte) error { return unmarshalNamed(ops, b, op) }

// parseNamed, marshalNamed and unmarshalNamed are the package's named
// values (Op, Malloc) in and out of text: set's, with every error wrapping
// ErrInvalid.
func parseNamed[T ~uint8](set enum.Set[T], s string) (T, error) {
	v, err := set.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return v, nil
}

func marshalNamed[T ~uint8](set enum.Set[T], v T) ([]byte, error) {
	b, err := set.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return b, nil
}

func unmarshalNamed[T ~uint8](set enum.Set[T], b []byte, v *T) error {
	x, err := parseNamed(set, string(b))
	if err == nil {
		*v = x
	}
	return err
}

// Module returns the name of the operation's wasm module, as wasm.Module
// takes it: "decode", "resize", "rotate", "encode_jpeg", "encode_png" or
// "encode_webp".
func (op Op) Module() string {
	if op < NumOps {
		return moduleNames[op]
	}
	return ""
}

// Glue is the JavaScript glue style the original codec of an operation
// used; the engine models each style's leak.
type Glue uint8

// The glue styles.
const (
	GluePlain      Glue = iota // no glue state (rotate)
	GlueBindgen                // wasm-bindgen: module-level instance and memory views
	GlueEmscripten             // emscripten: process-global listeners per instantiation
)

var glues = enum.New[Glue]("glue", "plain", "bindgen", "emscripten")

// String returns "plain", "bindgen" or "emscripten".
func (g Glue) String() string { return glues.String(g) }

// Glue returns the glue style of the operation's original codec: decode,
// resize and encodePng were wasm-bindgen modules, encodeJpeg and
// encodeWebp emscripten ones, and rotate a plain module.
func (op Op) Glue() Glue {
	switch op {
	case Decode, Resize, EncodePNG:
		return GlueBindgen
	case EncodeJPEG, EncodeWebP:
		return GlueEmscripten
	}
	return GluePlain
}

// Format is an encoded image format: package imageformat's, the one
// definition that the workload's requests also use.
type Format = imageformat.Format

// The formats. The zero Format is invalid.
const (
	PNG  = imageformat.PNG
	JPEG = imageformat.JPEG
	WebP = imageformat.WebP
)

// ParseFormat returns the Format named s: "png", "jpeg" (or "jpg") or
// "webp". Its error wraps ErrInvalid.
func ParseFormat(s string) (Format, error) {
	f, err := imageformat.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return f, nil
}

// EncodeOp returns the operation that encodes to f.
func EncodeOp(f Format) (Op, error) {
	switch f {
	case PNG:
		return EncodePNG, nil
	case JPEG:
		return EncodeJPEG, nil
	case WebP:
		return EncodeWebP, nil
	}
	return 0, fmt.Errorf("%w: no encoder for %s", ErrInvalid, f)
}

// Sniff returns the format of an encoded image from its magic bytes
// (imageformat.Sniff). It fails with an error wrapping ErrCorrupt when src
// starts with none of them.
func Sniff(src []byte) (Format, error) {
	f, err := imageformat.Sniff(src)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return f, nil
}

// Image is a decoded image: RGBA8, non-premultiplied, rows top to bottom,
// stride 4*Width, no padding, so len(Pix) == 4*Width*Height.
type Image struct {
	Width, Height int
	Pix           []byte
}
