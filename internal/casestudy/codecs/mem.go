package codecs

import (
	"context"
	"fmt"
	"strings"
)

// ptr is an offset into an instance's linear memory, as the C ABI passes
// it. 0 is NULL.
type ptr uint32

// maxErrorText bounds how much of lb_error the host reads.
const maxErrorText = 4096

// alloc calls lb_alloc(n) and records the pointer for release.
func (in *Instance) alloc(ctx context.Context, n int) (ptr, error) {
	if n <= 0 || n > maxBufferBytes {
		return 0, fmt.Errorf("%w: %s: allocation of %d bytes", ErrInvalid, in.op, n)
	}
	r, err := in.call(ctx, in.fns.alloc, "lb_alloc", uint64(n))
	if err != nil {
		return 0, err
	}
	if r == 0 {
		return 0, alsoIs(fmt.Errorf("%w: %s: lb_alloc(%d) failed with %d bytes of linear memory in use (limit %d bytes)",
			ErrOutOfMemory, in.op, n, in.MemorySize(), in.lib.limits.CapBytes()), ErrLimit)
	}
	p := ptr(r)
	in.ptrs = append(in.ptrs, p)
	return p, nil
}

// write allocates len(b) bytes in the guest and copies b there.
func (in *Instance) write(ctx context.Context, b []byte) (ptr, error) {
	p, err := in.alloc(ctx, len(b))
	if err != nil {
		return 0, err
	}
	if !in.mem.Write(uint32(p), b) {
		return 0, fmt.Errorf("%w: %s: lb_alloc returned %#x, but %d bytes there are outside linear memory of %d bytes",
			ErrBadModule, in.op, uint32(p), len(b), in.mem.Size())
	}
	return p, nil
}

// read copies n bytes at p out of linear memory into Go memory.
func (in *Instance) read(p ptr, n uint32, what string) ([]byte, error) {
	b, err := in.slice(p, n, what)
	if err != nil {
		return nil, err
	}
	out := make([]byte, n)
	copy(out, b)
	return out, nil
}

// resultBytes returns the n bytes of a result at p: a copy, or under
// AliasResults the slice of linear memory itself.
func (in *Instance) resultBytes(p ptr, n uint32) ([]byte, error) {
	if in.alias {
		return in.slice(p, n, "result")
	}
	return in.read(p, n, "result")
}

// slice returns the n bytes at p of linear memory, without copying.
func (in *Instance) slice(p ptr, n uint32, what string) ([]byte, error) {
	if p == 0 && n > 0 {
		return nil, fmt.Errorf("%w: %s: %s is NULL with length %d", ErrBadModule, in.op, what, n)
	}
	b, ok := in.mem.Read(uint32(p), n)
	if !ok {
		return nil, fmt.Errorf("%w: %s: %s at %#x+%d is outside linear memory of %d bytes", ErrBadModule, in.op, what, uint32(p), n, in.mem.Size())
	}
	return b, nil
}

// mark starts an operation's scratch frame; the returned func (deferred)
// frees the operation's result and every pointer allocated since, unless
// the instance has been closed meanwhile. The frees run with cancellation
// removed from ctx: they are short, and an interrupted free would discard
// an instance whose operation succeeded.
func (in *Instance) mark(ctx context.Context) func() {
	n := len(in.ptrs)
	return func() {
		ptrs := in.ptrs[n:]
		in.ptrs = in.ptrs[:n]
		if in.closed.Load() {
			return
		}
		ctx := context.WithoutCancel(ctx)
		if !in.alias { // an aliased result stays allocated: it is the caller's
			if _, err := in.call(ctx, in.fns.resultFree, "lb_result_free"); err != nil {
				return
			}
		}
		for i := len(ptrs) - 1; i >= 0; i-- {
			if _, err := in.call(ctx, in.fns.free, "lb_free", uint64(ptrs[i])); err != nil {
				return
			}
		}
	}
}

// lastError returns lb_error's text, or a placeholder when there is none.
func (in *Instance) lastError(ctx context.Context) string {
	p, err := in.call(ctx, in.fns.errPtr, "lb_error")
	if err != nil {
		return "(lb_error failed: " + err.Error() + ")"
	}
	n, err := in.call(ctx, in.fns.errLen, "lb_error_len")
	if err != nil {
		return "(lb_error_len failed: " + err.Error() + ")"
	}
	if n > maxErrorText {
		n = maxErrorText
	}
	b, err := in.read(ptr(p), n, "lb_error")
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if len(b) == 0 {
		return "(no message)"
	}
	return string(b)
}

// statusErr maps a negative status of an operation to an error carrying
// the module's own message. The error names the operation once: a module
// that starts its message with its own name ("encode_png: level 12 ...")
// has that prefix dropped.
func (in *Instance) statusErr(ctx context.Context, status int32) error {
	msg := strings.TrimPrefix(in.lastError(ctx), in.op.Module()+": ")
	switch status {
	case -1:
		return fmt.Errorf("%w: %s: %s", ErrInvalid, in.op, msg)
	case -2:
		return alsoIs(fmt.Errorf("%w: %s: %s (linear memory %d bytes, limit %d bytes)",
			ErrOutOfMemory, in.op, msg, in.MemorySize(), in.lib.limits.CapBytes()), ErrLimit)
	case -3:
		return fmt.Errorf("%w: %s: %s", ErrCorrupt, in.op, msg)
	case -4:
		return fmt.Errorf("%w: %s: %s", ErrLimit, in.op, msg)
	}
	return fmt.Errorf("%w: %s: %s returned unknown status %d: %s", ErrBadModule, in.op, opExports[in.op], status, msg)
}

// result reads the result registers of the last operation.
func (in *Instance) result(ctx context.Context) (p ptr, n uint32, w, h int32, err error) {
	var r [4]uint32
	for i, f := range []struct {
		fn   fn
		name string
	}{{in.fns.resultPtr, "lb_result_ptr"}, {in.fns.resultLen, "lb_result_len"}, {in.fns.resultWidth, "lb_result_width"}, {in.fns.resultHeight, "lb_result_height"}} {
		if r[i], err = in.call(ctx, f.fn, f.name); err != nil {
			return 0, 0, 0, 0, err
		}
	}
	return ptr(r[0]), r[1], int32(r[2]), int32(r[3]), nil
}

// imageResult copies the last operation's image result out, checking it
// has the size the host expects.
func (in *Instance) imageResult(ctx context.Context, wantW, wantH int) (Image, error) {
	p, n, w, h, err := in.result(ctx)
	if err != nil {
		return Image{}, err
	}
	if int(w) != wantW || int(h) != wantH || uint64(n) != 4*uint64(wantW)*uint64(wantH) {
		return Image{}, fmt.Errorf("%w: %s: result is %dx%d with %d bytes, want %dx%d with %d bytes",
			ErrBadModule, in.op, w, h, n, wantW, wantH, 4*wantW*wantH)
	}
	pix, err := in.resultBytes(p, n)
	if err != nil {
		return Image{}, err
	}
	return Image{Width: wantW, Height: wantH, Pix: pix}, nil
}

// bytesResult copies the last operation's encoded result out, checking it
// is in the format the host expects.
func (in *Instance) bytesResult(ctx context.Context, want Format) ([]byte, error) {
	p, n, _, _, err := in.result(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 || n > maxBufferBytes {
		return nil, fmt.Errorf("%w: %s: result has %d bytes", ErrBadModule, in.op, n)
	}
	out, err := in.resultBytes(p, n)
	if err != nil {
		return nil, err
	}
	if f, err := Sniff(out); err != nil || f != want {
		return nil, fmt.Errorf("%w: %s: result is not %s (first bytes % x)", ErrBadModule, in.op, want, out[:min(len(out), 8)])
	}
	return out, nil
}
