package codecs

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/tetratelabs/wazero/api"
)

type fn = api.Function

// funcs are an instance's cached exports.
type funcs struct {
	op                                                          fn // the operation: lb_decode, lb_resize, ...
	alloc, free                                                 fn
	resultPtr, resultLen, resultWidth, resultHeight, resultFree fn
	errPtr, errLen, trap                                        fn
}

// Instance is one instance of one codec module. It runs its operation any
// number of times, one call at a time: it is NOT goroutine-safe (Op, ID,
// MemorySize and Closed may be called from any goroutine).
//
// A trap or a done context closes the instance: the failing call returns
// an error wrapping ErrTrap or the context's error, and later calls return
// ErrClosed. A closed Instance keeps referencing its linear memory until
// the Instance itself becomes unreachable, like a JavaScript instance
// object: drop it after Close.
type Instance struct {
	lib *Library
	op  Op
	id  int
	mod api.Module
	mem api.Memory
	fns funcs

	stack  [5]uint64 // reused by every call
	ptrs   []ptr     // guest allocations of the running operation
	closed atomic.Bool
	size   atomic.Uint64 // linear memory size after the last guest call
	alias  bool          // results are slices of linear memory (AliasResults)
}

// newInstance caches mod's exports and checks its ABI version.
func newInstance(ctx context.Context, lib *Library, op Op, mod api.Module) (*Instance, error) {
	in := &Instance{lib: lib, op: op, mod: mod, mem: mod.Memory()}
	if in.mem == nil {
		return nil, fmt.Errorf("%w: %s.wasm has no exported memory", ErrBadModule, op.Module())
	}
	var missing error
	get := func(name string) fn {
		f := mod.ExportedFunction(name)
		if f == nil && missing == nil {
			missing = fmt.Errorf("%w: %s.wasm has no export %s", ErrBadModule, op.Module(), name)
		}
		return f
	}
	in.fns = funcs{
		op:           get(opExports[op]),
		alloc:        get("lb_alloc"),
		free:         get("lb_free"),
		resultPtr:    get("lb_result_ptr"),
		resultLen:    get("lb_result_len"),
		resultWidth:  get("lb_result_width"),
		resultHeight: get("lb_result_height"),
		resultFree:   get("lb_result_free"),
		errPtr:       get("lb_error"),
		errLen:       get("lb_error_len"),
		trap:         get("lb_trap"),
	}
	version := get("lb_abi_version")
	if missing != nil {
		return nil, missing
	}
	in.size.Store(uint64(in.mem.Size()))
	v, err := in.call(ctx, version, "lb_abi_version")
	if err != nil {
		return nil, err
	}
	if v != abiVersion {
		return nil, fmt.Errorf("%w: %s.wasm has lb_abi_version %d, want %d", ErrBadModule, op.Module(), int32(v), abiVersion)
	}
	in.id = int(lib.nextID.Add(1))
	return in, nil
}

// Op returns the operation this instance runs.
func (in *Instance) Op() Op { return in.op }

// ID returns the instance's number, unique per Library, from 1.
func (in *Instance) ID() int { return in.id }

// MemorySize returns the size of the instance's linear memory in bytes, as
// of the end of its last guest call (exact whenever no operation is
// running); after Close, the size it had when it closed.
func (in *Instance) MemorySize() uint64 { return in.size.Load() }

// View returns the instance's whole linear memory, without copying: a
// slice of the very []byte wazero allocated, as wasm-bindgen's cached
// Uint8Array views do. The slice keeps that memory reachable for as long
// as it is referenced, even after Close; it is invalidated (no longer the
// live memory) when the memory grows. View returns nil after Close.
func (in *Instance) View() []byte {
	if in.Closed() {
		return nil
	}
	b, ok := in.mem.Read(0, in.mem.Size())
	if !ok {
		return nil
	}
	return b
}

// Memory returns the instance's linear memory as wazero holds it (the
// module's api.Memory, the same object before and after Close): the
// owner an allocator that releases memory when it becomes unreachable
// attaches to (engine allocator v8, package backingstore).
func (in *Instance) Memory() api.Memory { return in.mem }

// AliasResults sets whether the results of later operations (decoded,
// rotated or resized pixels, encoded bytes) are slices of the instance's
// linear memory instead of copies, as a decoder that hands out
// api.Memory.Read's slice does. An aliased result stays allocated in the
// guest (its lb_result_free is skipped, so the guest never reuses it) and
// keeps the instance's whole linear memory reachable for as long as it is
// referenced, Close or not. With a memory allocator that returns memory
// to the OS at Close (wazero's experimental.WithMemoryAllocator), an
// aliased result must not be read after Close. Not goroutine-safe: call it
// between operations.
func (in *Instance) AliasResults(on bool) { in.alias = on }

// Closed reports whether the instance is closed: by Close, a trap, a done
// context or the Library's Close.
func (in *Instance) Closed() bool { return in == nil || in.closed.Load() || in.mod.IsClosed() }

// Close closes the module instance. It is idempotent and nil-safe.
func (in *Instance) Close(ctx context.Context) error {
	if in == nil || !in.closed.CompareAndSwap(false, true) {
		return nil
	}
	in.size.Store(uint64(in.mem.Size()))
	return in.mod.Close(context.WithoutCancel(ctx))
}

// closeNow closes the instance after a failure, ignoring Close's error.
func (in *Instance) closeNow(ctx context.Context) { _ = in.Close(ctx) }

// InjectTrap calls lb_trap, which executes `unreachable`: fault injection.
// It returns the trap's error (wrapping ErrTrap) and leaves the instance
// closed, as any trap does. Any Op's instance can trap.
//
// It is exported for the tests of the package that runs instances: the
// engine's trap tests make a real instance trap through it (by an
// unexported field of engine.Request, which no caller of the engine can
// set). Go has no test-only export across packages, and a registration
// hook would be global state; nothing else calls it.
func (in *Instance) InjectTrap(ctx context.Context) (err error) {
	defer in.recoverTo(ctx, &err)
	if in.Closed() {
		in.closeNow(ctx)
		return fmt.Errorf("%w: %s instance %d: inject trap", ErrClosed, in.op, in.id)
	}
	if _, err := in.call(ctx, in.fns.trap, "lb_trap"); err != nil {
		return err
	}
	in.closeNow(ctx)
	return fmt.Errorf("%w: %s.wasm: lb_trap returned without trapping (instance closed)", ErrBadModule, in.op.Module())
}

// begin checks that the instance can run op: the right Op, not closed.
func (in *Instance) begin(ctx context.Context, op Op) error {
	if in == nil {
		return fmt.Errorf("%w: %s on a nil instance", ErrClosed, op)
	}
	if in.op != op {
		return fmt.Errorf("%w: %s called on a %s instance", ErrWrongOp, op, in.op)
	}
	if in.Closed() {
		in.closeNow(ctx) // perhaps closed by the Library: record it
		return fmt.Errorf("%w: %s instance %d", ErrClosed, op, in.id)
	}
	return nil
}

// beginImage is begin for an operation on a decoded image (resize,
// rotate): it also checks img against the limits, and returns them for the
// operation's own checks.
func (in *Instance) beginImage(ctx context.Context, op Op, img Image) (Limits, error) {
	if err := in.begin(ctx, op); err != nil {
		return Limits{}, err
	}
	lim := in.lib.limits
	return lim, lim.checkImage(op, img)
}

// ready fails, closing the instance, when ctx is already done: a deadline
// always discards the instance, whether or not the guest was running.
func (in *Instance) ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		in.closeNow(ctx)
		return fmt.Errorf("codecs: %s instance %d: %w (instance closed)", in.op, in.id, err)
	}
	return nil
}

// callOp runs the instance's operation export: it writes input into the
// guest, calls the export with the input's address followed by args, maps
// a non-zero status to an error, and on success copies the output out with
// read. Every guest allocation, input and result, is freed before it
// returns.
func callOp[T any](ctx context.Context, in *Instance, input []byte, read func() (T, error), args ...uint64) (T, error) {
	var zero T
	if err := in.ready(ctx); err != nil {
		return zero, err
	}
	defer in.mark(ctx)()
	p, err := in.write(ctx, input)
	if err != nil {
		return zero, err
	}
	status, err := in.call(ctx, in.fns.op, opExports[in.op], append([]uint64{uint64(p)}, args...)...)
	if err != nil {
		return zero, err
	}
	if status != 0 {
		return zero, in.statusErr(ctx, int32(status))
	}
	return read()
}

// call calls a guest function with i32 arguments on the reused stack and
// returns its first result (0 if none). Any error closes the instance: a
// trap wraps ErrTrap, an interruption wraps the context's error.
func (in *Instance) call(ctx context.Context, f fn, name string, args ...uint64) (uint32, error) {
	if in.closed.Load() {
		return 0, fmt.Errorf("%w: %s instance %d: %s", ErrClosed, in.op, in.id, name)
	}
	s := in.stack[:max(len(args), 1)]
	copy(s, args)
	err := f.CallWithStack(ctx, s)
	in.size.Store(uint64(in.mem.Size()))
	if err != nil {
		return 0, in.fail(ctx, name, err)
	}
	return uint32(s[0]), nil
}

// fail closes the instance after a failed call and classifies the error.
func (in *Instance) fail(ctx context.Context, name string, err error) error {
	wasClosed := in.Closed()
	in.closeNow(ctx)
	cause := ctx.Err()
	switch {
	case cause != nil:
	case errors.Is(err, context.DeadlineExceeded):
		cause = context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		cause = context.Canceled
	}
	if cause != nil {
		return fmt.Errorf("codecs: %s instance %d: %s interrupted: %w (instance closed)", in.op, in.id, name, cause)
	}
	if wasClosed {
		return fmt.Errorf("%w: %s instance %d was closed during %s: %v", ErrClosed, in.op, in.id, name, err)
	}
	return fmt.Errorf("%w in %s instance %d, %s: %w (instance closed)", ErrTrap, in.op, in.id, name, err)
}

// recoverTo turns a panic below an exported method into an error wrapping
// ErrTrap and closes the instance.
func (in *Instance) recoverTo(ctx context.Context, err *error) {
	r := recover()
	if r == nil {
		return
	}
	if in != nil {
		in.closeNow(ctx)
		*err = fmt.Errorf("%w: %s instance %d: internal error (instance closed): %v", ErrTrap, in.op, in.id, r)
		return
	}
	*err = fmt.Errorf("%w: internal error: %v", ErrTrap, r)
}

// recoverTo turns a panic below an exported function into an error.
func recoverTo(err *error, where string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: internal error: %v", where, r)
	}
}
