package codecs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/leakbench/leakbench/wasm"
)

// Options configure a Library.
type Options struct {
	// Limits bound inputs, images and linear memory. Zero fields take
	// their DefaultLimits value.
	Limits Limits
	// CacheDir is a directory for wazero's compilation cache, shared by
	// processes; "" keeps compiled code in memory only.
	CacheDir string
	// Uninterruptible turns off wazero's WithCloseOnContextDone, which is
	// on by default. With it on, a context deadline interrupts a running
	// guest call, but wazero v1.12's compiler then exits to Go at every
	// loop back-edge, which makes the codecs 4-35x slower as measured by the codecs benchmark (wazero issue
	// #2466). With it off, the codecs run at full speed, a done context is
	// noticed only between guest calls (before an operation and between
	// its steps), and a long guest call delays the process's GC
	// stop-the-world until it returns: choose it when no per-operation
	// deadline is needed.
	Uninterruptible bool
	// Malloc chooses, per operation, the module as built (MallocLibc, the
	// zero value) or its variant that allocates as the original codec did
	// (MallocOriginal).
	Malloc Malloc
}

// Library holds the compiled codec modules and the wazero.Runtime that
// instantiates them. Each available module is compiled once, in New.
//
// A Library is goroutine-safe: Instantiate may be called concurrently.
type Library struct {
	opts          Options // as given to New, Limits resolved
	limits        Limits
	interruptible bool
	rt            wazero.Runtime
	cache         wazero.CompilationCache // nil: the runtime's own in-memory cache
	mods          [NumOps]wazero.CompiledModule
	absent        [NumOps]error // why mods[op] is nil

	nextID    atomic.Int64
	closeOnce sync.Once
	closed    atomic.Bool
	closeErr  error
}

// abiExports are the exports every module has, with their i32 parameter
// and result counts.
var abiExports = []struct {
	name            string
	params, results int
}{
	{"lb_abi_version", 0, 1},
	{"lb_alloc", 1, 1},
	{"lb_free", 1, 0},
	{"lb_result_ptr", 0, 1},
	{"lb_result_len", 0, 1},
	{"lb_result_width", 0, 1},
	{"lb_result_height", 0, 1},
	{"lb_result_free", 0, 0},
	{"lb_error", 0, 1},
	{"lb_error_len", 0, 1},
	{"lb_trap", 0, 0},
}

// abiVersion is the lb_abi_version this package speaks.
const abiVersion = 2

// New compiles every embedded codec module once in a new wazero.Runtime:
// the compiler where the platform supports it, else the interpreter; calls
// interrupted (and the instance closed) when their context is done, unless
// Options.Uninterruptible; linear memory capped at Limits.MaxMemoryBytes;
// WASI preview 1 with no filesystem, environment, arguments or output. A
// module that isn't embedded yet leaves its Op unavailable (Has reports
// false); any other problem with a module fails New with an error wrapping
// ErrBadModule.
func New(ctx context.Context, opts Options) (lib *Library, err error) {
	defer recoverTo(&err, "codecs.New")
	limits, err := opts.Limits.resolve()
	if err != nil {
		return nil, err
	}
	if !mallocs.Valid(opts.Malloc) {
		return nil, fmt.Errorf("%w: Options.Malloc %d (want %s)", ErrInvalid, uint8(opts.Malloc), mallocs.Allowed())
	}
	cfg := wazero.NewRuntimeConfig(). // compiler if supported, else interpreter
						WithCloseOnContextDone(!opts.Uninterruptible).
						WithMemoryLimitPages(limits.Pages())
	opts.Limits = limits
	l := &Library{opts: opts, limits: limits, interruptible: !opts.Uninterruptible}
	if opts.CacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(opts.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("codecs: compilation cache in %s: %w", opts.CacheDir, err)
		}
		l.cache = c
		cfg = cfg.WithCompilationCache(c)
	}
	l.rt = wazero.NewRuntimeWithConfig(ctx, cfg)
	defer func() {
		if err != nil {
			_ = l.Close(ctx)
		}
	}()
	defer recoverTo(&err, "codecs.New") // runs before the cleanup above
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, l.rt); err != nil {
		return nil, fmt.Errorf("codecs: instantiating wasi_snapshot_preview1: %w", err)
	}
	for op := range Op(NumOps) {
		name := opts.Malloc.ModuleFor(op)
		bin, err := wasm.Module(name)
		if errors.Is(err, fs.ErrNotExist) {
			l.absent[op] = err
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrBadModule, name, err)
		}
		cm, err := l.rt.CompileModule(ctx, bin)
		if err != nil {
			return nil, fmt.Errorf("%w: compiling %s.wasm: %w", ErrBadModule, name, err)
		}
		l.mods[op] = cm
		if err := checkExports(op, cm); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// checkExports checks a compiled module's exports against the C ABI.
func checkExports(op Op, cm wazero.CompiledModule) error {
	fns := cm.ExportedFunctions()
	check := func(name string, params, results int) error {
		d, ok := fns[name]
		if !ok {
			return fmt.Errorf("%w: %s.wasm has no export %s", ErrBadModule, op.Module(), name)
		}
		if !allI32(d.ParamTypes(), params) || !allI32(d.ResultTypes(), results) {
			return fmt.Errorf("%w: %s.wasm exports %s with %d params and %d results, want %d i32 params and %d i32 results",
				ErrBadModule, op.Module(), name, len(d.ParamTypes()), len(d.ResultTypes()), params, results)
		}
		return nil
	}
	for _, e := range abiExports {
		if err := check(e.name, e.params, e.results); err != nil {
			return err
		}
	}
	if err := check(opExports[op], opParams[op], 1); err != nil {
		return err
	}
	if _, ok := cm.ExportedMemories()["memory"]; !ok {
		return fmt.Errorf("%w: %s.wasm has no export memory", ErrBadModule, op.Module())
	}
	return nil
}

func allI32(ts []api.ValueType, n int) bool {
	if len(ts) != n {
		return false
	}
	for _, t := range ts {
		if t != api.ValueTypeI32 {
			return false
		}
	}
	return true
}

// Close closes the runtime, every instance still open and the compiled
// modules. It is idempotent; later Instantiate calls fail with ErrClosed.
func (l *Library) Close(ctx context.Context) error {
	if l == nil {
		return nil
	}
	l.closeOnce.Do(func() {
		l.closed.Store(true)
		if l.rt != nil {
			l.closeErr = l.rt.Close(ctx)
		}
		if l.cache != nil {
			l.closeErr = errors.Join(l.closeErr, l.cache.Close(ctx))
		}
	})
	return l.closeErr
}

// Options returns the options the Library was made with, Limits resolved:
// New(ctx, lib.Options()) makes a library like it, with a runtime of its
// own.
func (l *Library) Options() Options { return l.opts }

// Limits returns the limits in force, defaults filled in.
func (l *Library) Limits() Limits { return l.limits }

// Interruptible reports whether a done context interrupts a running guest
// call (see Options.Uninterruptible).
func (l *Library) Interruptible() bool { return l.interruptible }

// Has reports whether op's module is embedded and compiled.
func (l *Library) Has(op Op) bool { return op.Valid() && l.mods[op] != nil }

// Instantiate returns a fresh instance of op's module, ready for one
// operation after another (by one goroutine at a time). It runs the
// module's _initialize, checks lb_abi_version and caches the exports.
// An op whose module isn't embedded fails with ErrUnavailable.
func (l *Library) Instantiate(ctx context.Context, op Op) (in *Instance, err error) {
	defer recoverTo(&err, "codecs: instantiate")
	switch {
	case !op.Valid():
		return nil, fmt.Errorf("%w: instantiate: unknown operation %d", ErrInvalid, uint8(op))
	case l.closed.Load():
		return nil, fmt.Errorf("%w: instantiate %s: library is closed", ErrClosed, op)
	case l.mods[op] == nil:
		return nil, fmt.Errorf("%w: %s.wasm is not embedded: %w", ErrUnavailable, op.Module(), l.absent[op])
	}
	cfg := wazero.NewModuleConfig().
		WithName(""). // anonymous: any number of instances, none registered for import
		WithStartFunctions("_initialize")
	mod, err := l.rt.InstantiateModule(ctx, l.mods[op], cfg)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("codecs: instantiate %s: %w", op, ctx.Err())
		}
		if l.closed.Load() {
			return nil, fmt.Errorf("%w: instantiate %s: library is closed", ErrClosed, op)
		}
		return nil, fmt.Errorf("%w: instantiating %s.wasm: %w", ErrBadModule, op.Module(), err)
	}
	in, err = newInstance(ctx, l, op, mod)
	if err != nil {
		_ = mod.Close(ctx)
		return nil, err
	}
	return in, nil
}
