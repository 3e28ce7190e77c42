package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/casestudy/squoosh"
)

// squooshSet is codecs squoosh: next@10.1.0's own modules, each operation
// on the module(s) its squoosh/impl.js and codecs.js ran it on, with the
// options they passed (squoosh.Optimizer does the same with impl.js's
// lifetimes; here the engine's switches decide them):
//
//	decode      squoosh_png (wasm-bindgen) for a PNG source; for a JPEG source
//	            mozjpeg_dec (emscripten), instantiated for the call alone whatever
//	            the lifetime, as codecs.js mozjpeg.dec() did (perCall)
//	rotate      rotate.wasm (plain)
//	resize      squoosh_resize (wasm-bindgen), OptimizerResizeOptions (lanczos3),
//	            to the request's width, the height by squoosh.HeightForWidth
//	encodePng   squoosh_png encode then squoosh_oxipng at level 2 (both
//	            wasm-bindgen): one instance holds both modules and counts both
//	            memories; the request's PNG level is not used (impl.js encodePng
//	            took none)
//	encodeJpeg  mozjpeg_enc (emscripten), OptimizerMozJPEGOptions(quality)
//	encodeWebp  webp_enc (emscripten), OptimizerWebPOptions(quality)
//
// One difference from Node is kept: there one squoosh_png instance served
// both decode and encodePng of a worker (codecs.js pngEncDecInit is one
// execOnce); here decode and encodePng each have their own, as every
// operation has its own instance in the engine.
//
// Every result is copied out of linear memory, as the glue copied it
// (getArrayU8FromWasm0(...).slice(), ImageData's owned pixels, embind's
// Uint8Array): Strategy.Validate refuses results aliased with this set.
type squooshSet struct {
	lib   *squoosh.Library
	cache wazero.CompilationCache // nil: the runtime's own
	limit uint64                  // each memory's cap in bytes
	ids   atomic.Int64
}

// newSquooshSet compiles the squoosh modules from the npm install (an
// error wrapping squoosh.ErrNotInstalled names the install command when
// it is missing) in a runtime with each memory capped at limit bytes,
// calls interrupted when their context is done if interruptible, and
// wazero's compilation cache in cacheDir if it is not empty.
func newSquooshSet(ctx context.Context, limit uint64, interruptible bool, cacheDir string) (*squooshSet, error) {
	capped := codecs.Limits{MaxMemoryBytes: limit}
	cfg := wazero.NewRuntimeConfig().WithMemoryLimitPages(capped.Pages()).WithCloseOnContextDone(interruptible)
	s := &squooshSet{limit: capped.CapBytes()}
	if cacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(cacheDir)
		if err != nil {
			return nil, fmt.Errorf("compilation cache in %s: %w", cacheDir, err)
		}
		s.cache = c
		cfg = cfg.WithCompilationCache(c)
	}
	lib, err := squoosh.New(ctx, squoosh.Options{RuntimeConfig: cfg})
	if err != nil {
		if s.cache != nil {
			_ = s.cache.Close(ctx)
		}
		return nil, err
	}
	s.lib = lib
	return s, nil
}

// close closes the runtime, and with it every instance still open.
func (s *squooshSet) close(ctx context.Context) error {
	err := s.lib.Close(ctx)
	if s.cache != nil {
		err = errors.Join(err, s.cache.Close(ctx))
	}
	return err
}

func (s *squooshSet) has(op codecs.Op) bool { return op < codecs.NumOps }

// perCall: a JPEG source's decoder, mozjpeg_dec.
func (s *squooshSet) perCall(op codecs.Op, src codecs.Format) bool {
	return op == codecs.Decode && src == codecs.JPEG
}

func (s *squooshSet) instantiate(ctx context.Context, op codecs.Op, src codecs.Format) (_ codecInstance, err error) {
	in := &squooshInstance{id: int(s.ids.Add(1)), op: op, glue: codecs.GlueBindgen, limit: s.limit}
	defer func() {
		if err != nil {
			_ = in.Close(ctx)
		}
	}()
	emscripten := func(m squoosh.Module) error {
		in.glue = codecs.GlueEmscripten
		em, err := s.lib.NewEmscripten(ctx, m)
		if err == nil {
			in.em = em
			in.mods = append(in.mods, em)
		}
		return err
	}
	switch op {
	case codecs.Decode:
		if src == codecs.JPEG {
			err = emscripten(squoosh.MozJPEGDecWasm)
			break
		}
		if in.png, err = s.lib.NewPNGCodec(ctx); err == nil {
			in.mods = append(in.mods, in.png)
		}
	case codecs.Rotate:
		in.glue = codecs.GluePlain
		if in.rot, err = s.lib.NewRotator(ctx); err == nil {
			in.mods = append(in.mods, in.rot)
		}
	case codecs.Resize:
		if in.rs, err = s.lib.NewResizer(ctx); err == nil {
			in.mods = append(in.mods, in.rs)
		}
	case codecs.EncodePNG:
		if in.png, err = s.lib.NewPNGCodec(ctx); err != nil {
			break
		}
		in.mods = append(in.mods, in.png)
		if in.ox, err = s.lib.NewOxipng(ctx); err == nil {
			in.mods = append(in.mods, in.ox)
		}
	case codecs.EncodeJPEG:
		err = emscripten(squoosh.MozJPEGEncWasm)
	case codecs.EncodeWebP:
		err = emscripten(squoosh.WebPEncWasm)
	default:
		err = fmt.Errorf("unknown operation %d", op)
	}
	if err != nil {
		return nil, err
	}
	in.measure()
	return in, nil
}

// squooshModule is what every squoosh instance type has in common.
type squooshModule interface {
	Memory() api.Memory
	Closed() bool
	Close(ctx context.Context) error
}

// squooshInstance is the squoosh module(s) that run one operation.
type squooshInstance struct {
	id   int
	op   codecs.Op
	glue codecs.Glue
	mods []squooshModule // in the order the operation calls them

	png *squoosh.PNGCodec   // decode of a PNG source, encodePng's first step
	ox  *squoosh.Oxipng     // encodePng's second step
	rs  *squoosh.Resizer    // resize
	rot *squoosh.Rotator    // rotate
	em  *squoosh.Emscripten // mozjpeg_dec, mozjpeg_enc or webp_enc

	size   atomic.Uint64 // MemorySize
	closed atomic.Bool   // closed by Close
	limit  uint64        // each memory's cap, for errors
}

func (in *squooshInstance) ID() int            { return in.id }
func (in *squooshInstance) Glue() codecs.Glue  { return in.glue }
func (in *squooshInstance) MemorySize() uint64 { return in.size.Load() }

// Closed reports whether Close, or the runtime's, closed the instance.
func (in *squooshInstance) Closed() bool {
	if in.closed.Load() {
		return true
	}
	for _, m := range in.mods {
		if m.Closed() {
			return true
		}
	}
	return false
}

// measure records the sum of the modules' memory sizes, unless the
// instance is closed (its memory may be unmapped): it keeps the last.
func (in *squooshInstance) measure() {
	if in.Closed() {
		return
	}
	var n uint64
	for _, m := range in.mods {
		n += uint64(m.Memory().Size())
	}
	in.size.Store(n)
}

func (in *squooshInstance) Views() [][]byte {
	if in.Closed() {
		return nil
	}
	views := make([][]byte, 0, len(in.mods))
	for _, m := range in.mods {
		mem := m.Memory()
		if b, ok := mem.Read(0, mem.Size()); ok {
			views = append(views, b)
		}
	}
	return views
}

func (in *squooshInstance) Memories() []api.Memory {
	mems := make([]api.Memory, len(in.mods))
	for i, m := range in.mods {
		mems[i] = m.Memory()
	}
	return mems
}

// Close closes the modules, once; MemorySize keeps their last size.
func (in *squooshInstance) Close(ctx context.Context) error {
	in.measure()
	if in.closed.Swap(true) {
		return nil
	}
	var errs []error
	for _, m := range in.mods {
		if !m.Closed() {
			errs = append(errs, m.Close(ctx))
		}
	}
	return errors.Join(errs...)
}

// run runs s. A failure says how large the instance's memory was, since
// the modules' own errors do not: a Rust module whose allocation fails at
// the memory cap aborts (a trap at `unreachable`), and only the size
// beside the cap tells that apart from a bug or corrupt input.
func (in *squooshInstance) run(ctx context.Context, s step) (res stepResult, err error) {
	if in.Closed() {
		return res, codecs.ErrClosed
	}
	defer func() {
		in.measure()
		if err != nil {
			err = fmt.Errorf("%w (linear memory %d bytes after the call; each memory's limit %d bytes)", err, in.MemorySize(), in.limit)
		}
	}()
	img := squoosh.Image{Pix: s.img.Pix, Width: s.img.Width, Height: s.img.Height}
	var out squoosh.Image
	switch {
	case s.op != in.op:
		return res, fmt.Errorf("%w: %s on a %s instance", codecs.ErrWrongOp, s.op, in.op)
	case s.op == codecs.Decode && in.png != nil:
		out, err = in.png.Decode(ctx, s.src)
	case s.op == codecs.Decode:
		out, err = in.em.Decode(ctx, s.src)
	case s.op == codecs.Rotate:
		out, err = in.rot.Rotate(ctx, img, s.arg/90)
	case s.op == codecs.Resize:
		out, err = in.rs.Resize(ctx, img, s.arg, squoosh.HeightForWidth(img.Width, img.Height, s.arg), squoosh.OptimizerResizeOptions())
	case s.op == codecs.EncodePNG:
		var plain []byte
		if plain, err = in.png.Encode(ctx, img); err == nil {
			res.out, err = in.ox.Optimise(ctx, plain, squoosh.OptimizerOxipngLevel)
		}
		return res, err
	case s.op == codecs.EncodeJPEG:
		res.out, err = in.em.Encode(ctx, img, squoosh.OptimizerMozJPEGOptions(s.arg))
		return res, err
	case s.op == codecs.EncodeWebP:
		res.out, err = in.em.Encode(ctx, img, squoosh.OptimizerWebPOptions(s.arg))
		return res, err
	}
	res.img = codecs.Image{Width: out.Width, Height: out.Height, Pix: out.Pix}
	return res, err
}
