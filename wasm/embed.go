// Package wasm embeds the leakbench codec modules: WASI reactor modules
// built from the C sources in wasm/src/ by wasm/build.sh, one per image
// operation, all implementing the C ABI described in wasm/ABI.md.
//
// The modules are plain bytes here; internal/casestudy/codecs compiles and runs them
// with wazero. wasm/SHA256SUMS, embedded too, lists the checksum of every
// built module, and `wasm/build.sh --check` verifies that the committed
// modules are exactly what the sources build to.
//
// It owns the C sources, their build and the built bytes. Compiling,
// instantiating and calling the modules belong to internal/casestudy/codecs.
package wasm

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
)

//go:embed *.wasm SHA256SUMS
var files embed.FS

// names lists the modules in the order of codecs.Op.
var names = [...]string{"decode", "resize", "rotate", "encode_jpeg", "encode_png", "encode_webp"}

// originals lists the variants built with the allocation of the original
// codec they stand for (wasm/build.sh's variants).
var originals = [...]string{"resize_original"}

// Names returns the names of all six codec modules, built or not, in the
// order of the codecs.Op constants: decode, resize, rotate, encode_jpeg,
// encode_png, encode_webp. The slice is a fresh copy.
func Names() []string {
	return slices.Clone(names[:])
}

// Originals returns the names of the module variants that allocate as the
// original codec they stand for: "<module>_original", built by
// wasm/build.sh from the module's own sources with the original's
// allocator in place of wasi-libc's malloc and with LB_ORIGINAL_ALLOCATION
// defined. Today only "resize_original" (wee_alloc 0.4.5's behaviour, the
// buffers of squoosh's Rust resize); the other originals allocate as
// wasi-libc's malloc does (docs/allocation.md). The slice is a fresh copy.
func Originals() []string {
	return slices.Clone(originals[:])
}

// Module returns the bytes of the module name (one of Names or Originals)
// as a fresh copy the caller may keep or modify.
//
// # Errors
//
// An unknown name is an error. A known module missing from the build (a
// checkout whose wasm/build.sh failed half-way) gives an error wrapping
// fs.ErrNotExist.
func Module(name string) ([]byte, error) {
	if !slices.Contains(names[:], name) && !slices.Contains(originals[:], name) {
		return nil, fmt.Errorf("wasm: unknown module %q (want one of %q or %q)", name, names, originals)
	}
	b, err := files.ReadFile(name + ".wasm")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("wasm: module %q is not built (run wasm/build.sh): %w", name, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("wasm: reading module %q: %w", name, err)
	}
	return b, nil
}

// Manifest returns a copy of the embedded SHA256SUMS: one line per built
// module, "<sha256 hex>  <name>.wasm", sorted by file name, as written by
// wasm/build.sh and checked by sha256sum -c.
func Manifest() []byte {
	b, err := files.ReadFile("SHA256SUMS")
	if err != nil {
		// Unreachable: the go:embed pattern fails the build without it.
		return nil
	}
	return b
}
