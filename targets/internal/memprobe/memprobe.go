// Package memprobe reads what the gen2brain decoders do not export: the
// size of the decoder instance's linear memory (api.Memory.Size) at the end
// of a decode, the memory an image returned by the library keeps alive.
//
// The libraries instantiate their module inside Decode, with a package-level
// runtime and context.Background(), and close it before returning, so no
// caller can reach the instance or hook it (wazero's experimental memory
// allocator and function listeners are context values, and the library
// never takes a context). Nor can the size be read from the image: wazero's
// Memory.Read returns Buffer[off:off+n:off+n], whose capacity is clipped to
// the view, so the cap of the pixel slice says nothing about the memory
// behind it.
//
// So memprobe replays the decode: it loads the library's own wasm binary
// from the module cache (the file the library embeds, lib/*.wasm.gz of the
// version this binary is built with), instantiates it as the library does
// (wazero.NewRuntime with the default configuration, WASI preview 1, a
// default module configuration, so no start function runs) and makes the
// same export calls with the same arguments in the same order as the
// library's decode, including the frees it defers until after it has taken
// the view (read from webp_wazero.go, avif_wazero.go and decode.go
// of webp v0.5.5, avif v0.4.4 and heic v0.4.5). The guest's allocator is
// deterministic, so the memory grows exactly as in the library's instance.
// The probe returns the decoded bytes too; the tests check that they equal
// the pixels of the library's image byte for byte, which is what shows the
// replay ran the library's decode and not something else.
package memprobe

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/leakbench/leakbench/targets/internal/moddir"
)

// Result is what a replayed decode leaves.
type Result struct {
	// MemorySize is api.Memory.Size() of the decoder instance after the
	// decode, before the instance is closed: the linear memory in bytes.
	MemorySize uint64
	// BufferCap is the capacity of the Go slice behind that memory, read
	// through reflect from wazero's MemoryInstance.Buffer: wazero grows a
	// memory with append, so the backing array (what a view keeps alive)
	// has up to a quarter more room than Size. It is the allocation a view
	// retains: growslice rounds the capacity up to the allocation's size.
	BufferCap uint64
	// Out is a copy of the output buffer the library wraps as the image's
	// pixels (all planes, in the library's layout), as the image sees it
	// when Decode has returned: after the library's deferred frees.
	Out []byte
	// Clobbered counts the bytes of Out that the library's deferred
	// free(out) changed after the decode wrote them: the guest allocator
	// keeps its free-list links in a freed chunk, and the image is a view
	// of that chunk.
	Clobbered int
	// Module names the wasm binary replayed: module path, version and file.
	Module string
}

// Library names the wasm binary of one decoder.
type library struct {
	path string // module path
	wasm string // the embedded binary, relative to the module root
}

var (
	webpLib = library{"github.com/gen2brain/webp", "lib/webp.wasm.gz"}
	avifLib = library{"github.com/gen2brain/avif", "lib/decode.wasm.gz"}
	heicLib = library{"github.com/gen2brain/heic", "lib/heif.wasm.gz"}
)

// errDecode is the guest's decode returning 0.
var errDecode = errors.New("memprobe: the guest's decode failed")

// WebP replays github.com/gen2brain/webp's Decode of data (a still image;
// animations are not replayed).
func (p *Prober) WebP(ctx context.Context, data []byte) (Result, error) {
	return p.replay(ctx, webpLib, func(g *guest) (view, error) {
		in := g.put(data)
		hdr := g.malloc(16) // width, height, frame count, has-animation
		if g.call("decode", in, uint64(len(data)), 1, 0, hdr, hdr+4, hdr+8, hdr+12, 0, 0) == 0 {
			return view{}, errDecode
		}
		w, h := int(g.u32(hdr)), int(g.u32(hdr+4))
		if g.u32(hdr+12) != 0 {
			return view{}, errors.New("memprobe: animated webp is not replayed")
		}
		cw, ch := (w+1)/2, (h+1)/2
		size := 2*w*h + 2*cw*ch // Y, Cb, Cr, A
		out := g.malloc(uint64(size))
		if g.call("decode", in, uint64(len(data)), 0, 0, hdr, hdr+4, hdr+8, hdr+12, 0, out) == 0 {
			return view{}, errDecode
		}
		return g.viewAfterFrees(out, size, out, hdr, in), nil
	})
}

// AVIF replays github.com/gen2brain/avif's Decode of data (its first
// frame).
func (p *Prober) AVIF(ctx context.Context, data []byte) (Result, error) {
	return p.replay(ctx, avifLib, func(g *guest) (view, error) {
		in := g.put(data)
		hdr := g.malloc(16) // width, height, depth, frame count
		if g.call("decode", in, uint64(len(data)), 1, 0, hdr, hdr+4, hdr+8, hdr+12, 0, 0) == 0 {
			return view{}, errDecode
		}
		w, h, depth := int(g.u32(hdr)), int(g.u32(hdr+4)), g.u32(hdr+8)
		size := w * h * 4
		if depth > 8 {
			size = w * h * 8
		}
		out := g.malloc(uint64(size))
		delay := g.malloc(8)
		if g.call("decode", in, uint64(len(data)), 0, 0, hdr, hdr+4, hdr+8, hdr+12, delay, out) == 0 {
			return view{}, errDecode
		}
		return g.viewAfterFrees(out, size, delay, out, hdr, in), nil
	})
}

// HEIC replays github.com/gen2brain/heic's Decode of data.
func (p *Prober) HEIC(ctx context.Context, data []byte) (Result, error) {
	return p.replay(ctx, heicLib, func(g *guest) (view, error) {
		in := g.put(data)
		hdr := g.malloc(20) // width, height, colorspace, chroma, premultiplied
		if g.call("decode", in, uint64(len(data)), 1, hdr, hdr+4, hdr+8, hdr+12, hdr+16, 0) == 0 {
			return view{}, errDecode
		}
		w, h := int(g.u32(hdr)), int(g.u32(hdr+4))
		colorspace, chroma := g.u32(hdr+8), g.u32(hdr+12)
		align := func(n int) int { return (n + 15) &^ 15 }
		var size int
		switch colorspace {
		case 0: // YCbCr
			cw, ch := w, h
			switch chroma {
			case 1: // 4:2:0
				cw, ch = (w+1)/2, (h+1)/2
			case 2: // 4:2:2
				cw = (w + 1) / 2
			case 3: // 4:4:4
			default:
				return view{}, fmt.Errorf("memprobe: heic chroma %d is not replayed", chroma)
			}
			size = align(w)*h + 2*align(cw)*ch
		case 1: // RGB, interleaved RGBA
			size = h * align(w*4)
		case 2: // monochrome
			size = h * align(w)
		default:
			return view{}, fmt.Errorf("memprobe: heic colorspace %d is not replayed", colorspace)
		}
		out := g.malloc(uint64(size))
		if g.call("decode", in, uint64(len(data)), 0, hdr, hdr+4, hdr+8, hdr+12, hdr+16, out) == 0 {
			return view{}, errDecode
		}
		return g.viewAfterFrees(out, size, out, hdr, in), nil
	})
}

// view is the output buffer twice: as the decode wrote it and as the
// library's image sees it after the deferred frees.
type view struct{ decoded, after []byte }

// guest is an instance being replayed. Its methods panic with a guestError
// on a failed call or an out-of-range access; replay recovers it.
type guest struct {
	ctx context.Context
	mod api.Module
}

type guestError struct{ err error }

func (g *guest) fail(format string, args ...any) {
	panic(guestError{fmt.Errorf(format, args...)})
}

func (g *guest) call(name string, args ...uint64) uint64 {
	f := g.mod.ExportedFunction(name)
	if f == nil {
		g.fail("memprobe: the module exports no %s", name)
	}
	res, err := f.Call(g.ctx, args...)
	if err != nil {
		g.fail("memprobe: %s: %w", name, err)
	}
	if len(res) == 0 {
		return 0
	}
	return res[0]
}

func (g *guest) malloc(n uint64) uint64 {
	p := g.call("malloc", n)
	if p == 0 {
		g.fail("memprobe: malloc(%d) failed", n)
	}
	return p
}

func (g *guest) put(data []byte) uint64 {
	p := g.malloc(uint64(len(data)))
	if !g.mod.Memory().Write(uint32(p), data) {
		g.fail("memprobe: writing %d bytes at %#x", len(data), p)
	}
	return p
}

func (g *guest) u32(p uint64) uint32 {
	v, ok := g.mod.Memory().ReadUint32Le(uint32(p))
	if !ok {
		g.fail("memprobe: reading at %#x", p)
	}
	return v
}

// viewAfterFrees copies the n-byte output at out, frees ptrs in the order
// given (the library's defers run last-registered first; callers list them
// in that order) and copies the output again.
func (g *guest) viewAfterFrees(out uint64, n int, ptrs ...uint64) view {
	decoded := g.read(out, n)
	for _, p := range ptrs {
		g.call("free", p)
	}
	return view{decoded, g.read(out, n)}
}

func (g *guest) read(p uint64, n int) []byte {
	b, ok := g.mod.Memory().Read(uint32(p), uint32(n))
	if !ok {
		g.fail("memprobe: reading %d bytes at %#x", n, p)
	}
	return bytes.Clone(b)
}

// replay runs decode against a fresh instance of lib's wasm binary and
// reads the instance's memory size when decode returns.
// Prober replays decodes. It compiles each library's binary once, in its
// own wazero runtime, and instantiates it afresh for every replay, as the
// libraries do. A Prober may be used from one goroutine at a time.
type Prober struct {
	rt       wazero.Runtime
	cache    wazero.CompilationCache // nil: none
	compiled map[library]compiled
}

type compiled struct {
	mod  wazero.CompiledModule
	name string // module path, version and file
}

// New returns a Prober. Close it when done. Its runtime keeps the
// compiled binaries in wazero's compilation cache in CacheDir when there
// is one, so that a process compiles a library's binary only if no other
// has (the libraries' own runtimes compile theirs regardless); the
// compiled code is the same either way, so the replay is too.
func New(ctx context.Context) *Prober {
	cfg := wazero.NewRuntimeConfig()
	var cache wazero.CompilationCache
	if dir, err := CacheDir(); err == nil {
		if c, err := wazero.NewCompilationCacheWithDir(dir); err == nil {
			cache = c
			cfg = cfg.WithCompilationCache(c)
		}
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	return &Prober{rt: rt, cache: cache, compiled: map[library]compiled{}}
}

// CacheDir returns os.UserCacheDir()/leakbench/targets/wazero, where the
// Probers' compilation cache lives.
func CacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "leakbench", "targets", "wazero"), nil
}

// Close releases the runtime, the compiled binaries and the cache.
func (p *Prober) Close(ctx context.Context) error {
	err := p.rt.Close(ctx)
	if p.cache != nil {
		err = errors.Join(err, p.cache.Close(ctx))
	}
	return err
}

func (p *Prober) compile(ctx context.Context, lib library) (compiled, error) {
	if c, ok := p.compiled[lib]; ok {
		return c, nil
	}
	file, m, err := moddir.File(ctx, lib.path, lib.wasm)
	if err != nil {
		return compiled{}, err
	}
	bin, err := readGzip(file)
	if err != nil {
		return compiled{}, fmt.Errorf("memprobe: %s: %w", file, err)
	}
	mod, err := p.rt.CompileModule(ctx, bin)
	if err != nil {
		return compiled{}, fmt.Errorf("memprobe: compiling %s: %w", file, err)
	}
	c := compiled{mod, m.Path + " " + m.Version + " " + lib.wasm}
	p.compiled[lib] = c
	return c, nil
}

// replay runs decode against a fresh instance of lib's wasm binary and
// reads the instance's memory size when decode returns.
func (p *Prober) replay(ctx context.Context, lib library, decode func(*guest) (view, error)) (res Result, err error) {
	c, err := p.compile(ctx, lib)
	if err != nil {
		return Result{}, err
	}
	// No name: the libraries' instances are anonymous, and so any number
	// may live at once.
	mod, err := p.rt.InstantiateModule(ctx, c.mod, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return Result{}, fmt.Errorf("memprobe: instantiating %s: %w", c.name, err)
	}
	defer mod.Close(ctx)
	defer func() {
		if r := recover(); r != nil {
			ge, ok := r.(guestError)
			if !ok {
				panic(r)
			}
			err = ge.err
		}
	}()
	out, err := decode(&guest{ctx: ctx, mod: mod})
	if err != nil {
		return Result{}, err
	}
	clobbered := 0
	for i := range out.after {
		if out.after[i] != out.decoded[i] {
			clobbered++
		}
	}
	bufCap, err := bufferCap(mod.Memory())
	if err != nil {
		return Result{}, err
	}
	return Result{
		MemorySize: uint64(mod.Memory().Size()),
		BufferCap:  bufCap,
		Out:        out.after,
		Clobbered:  clobbered,
		Module:     c.name,
	}, nil
}

// bufferCap reads cap(Buffer) of wazero's *wasm.MemoryInstance, the
// concrete type behind api.Memory (an exported field of a type in an
// internal package: reflect reads it, no import needed). It checks that
// len(Buffer) is Memory.Size, so a wazero that changed the field fails here
// rather than giving a wrong capacity.
func bufferCap(mem api.Memory) (uint64, error) {
	v := reflect.ValueOf(mem)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		if b := v.Elem().FieldByName("Buffer"); b.IsValid() && b.Kind() == reflect.Slice && b.Type().Elem().Kind() == reflect.Uint8 {
			if uint64(b.Len()) == uint64(mem.Size()) {
				return uint64(b.Cap()), nil
			}
		}
	}
	return 0, fmt.Errorf("memprobe: %T has no Buffer []byte of length Memory.Size(); this wazero lays out its memory differently", mem)
}

func readGzip(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
