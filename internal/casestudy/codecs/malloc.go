package codecs

import (
	"slices"

	"github.com/leakbench/leakbench/internal/enum"
	"github.com/leakbench/leakbench/wasm"
)

// Malloc says how the embedded modules allocate inside their linear
// memory: a scenario's `malloc` key.
type Malloc uint8

// The allocation settings.
const (
	// MallocLibc runs every module as built, on wasi-libc's malloc
	// (dlmalloc): freed memory is reused, so a reused instance stays at its
	// high-water mark.
	MallocLibc Malloc = iota
	// MallocOriginal runs, for each operation that has one, the variant of
	// its module that allocates as the original codec of next@10.1.0 did
	// (wasm.Originals): resize on an allocator that behaves as wee_alloc
	// 0.4.5, with the whole-image buffers of squoosh's Rust resize, so a
	// reused instance grows by those buffers at every operation, as
	// squoosh_resize did. The other operations' originals kept a flat
	// linear memory when reused (docs/allocation.md), and their modules
	// stay as built.
	MallocOriginal
)

var mallocs = enum.New[Malloc]("malloc", "libc", "original")

// String returns "libc" or "original".
func (m Malloc) String() string { return mallocs.String(m) }

// ParseMalloc returns the Malloc named s: "libc" or "original".
func ParseMalloc(s string) (Malloc, error) { return parseNamed(mallocs, s) }

// MarshalText implements encoding.TextMarshaler with Malloc.String.
func (m Malloc) MarshalText() ([]byte, error) { return marshalNamed(mallocs, m) }

// UnmarshalText implements encoding.TextUnmarshaler with ParseMalloc.
func (m *Malloc) UnmarshalText(b []byte) error { return unmarshalNamed(mallocs, b, m) }

// ModuleFor returns the name of the wasm module that runs op under m (what
// New compiles for op): op.Module(), or under MallocOriginal its
// "_original" variant when wasm/build.sh builds one.
func (m Malloc) ModuleFor(op Op) string {
	if m == MallocOriginal {
		if v := op.Module() + "_original"; slices.Contains(wasm.Originals(), v) {
			return v
		}
	}
	return op.Module()
}
