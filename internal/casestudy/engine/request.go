package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// Default qualities, used when Request.Quality is 0.
const (
	DefaultJPEGQuality = 75 // JPEG quality, 1-100
	DefaultWebPQuality = 75 // WebP quality, 1-100
	DefaultPNGLevel    = 6  // PNG zlib level, 1-9
)

// Request is one image optimisation: decode Source, rotate it, resize it
// to Width when it is wider, and encode it to Format.
type Request struct {
	ID      int           // caller's id, echoed in the Response, errors and events
	Source  []byte        // encoded PNG or JPEG
	Rotate  int           // clockwise degrees: 0, 90, 180 or 270
	Width   int           // resize target; 0 or >= the (rotated) image width: no resize
	Format  codecs.Format // output format
	Quality int           // JPEG/WebP quality 1-100, PNG level 1-9; 0 = default (75 / 75 / 6)

	// trapAt is fault injection, for this package's tests only (it is
	// unexported so that no caller of the engine can set it): the named
	// operation traps (the instance runs lb_trap) instead of running. It
	// must be an operation the request has: decode, the encoder of
	// Format, rotate when Rotate is not 0, resize when Width is not 0
	// (then resize traps even if the image is narrower than Width).
	trapAt *codecs.Op
}

// Response is the result of a Request.
type Response struct {
	ID int // Request.ID
	// Output is the encoded image. Under ResultsAliased it is a slice of
	// the encoder instance's linear memory, which it keeps reachable; a
	// response from the cache shares its bytes with the cache entry and
	// with every response served from it: treat it as read-only. Under
	// allocator v8 with ResultsAliased it is a copy: a bare slice handed
	// to the caller would not keep its instance, and so its pages, alive
	// (the cache's entries alias, with their instance).
	Output        []byte
	Format        codecs.Format // its format
	Width, Height int           // its dimensions
}

// step is one codec operation of a request, as sent to a worker.
type step struct {
	op     codecs.Op
	src    []byte        // decode input
	format codecs.Format // decode: src's format, which may choose the module (codecSet.perCall)
	img    codecs.Image  // input of rotate, resize and the encoders
	in     pin           // under ResultsAliased, the instance img is a slice of: kept reachable until the step is done
	arg    int           // degrees, width, quality or level
	trap   bool          // run lb_trap instead of the operation
}

// stepResult is what a step produced: an image, or encoded bytes, and
// under ResultsAliased the instance memory it is a slice of.
type stepResult struct {
	img codecs.Image
	out []byte
	pin pin
}

// processed is a request's outcome: its response and, for the response
// cache, what it decoded (nil when the decode came from the cache) and
// what the output pins.
type processed struct {
	resp    Response
	decoded *stepResult
	outPin  pin
}

// plan is a validated request with its defaults filled in.
type plan struct {
	Request
	source  codecs.Format // Source's format
	encode  codecs.Op
	quality int
	trap    codecs.Op
	hasTrap bool
}

// ops returns the operations the request may run, in order. Resize is
// listed when Width is set, though it runs only if the image is wider.
func (p *plan) ops() []codecs.Op {
	ops := make([]codecs.Op, 0, 4)
	ops = append(ops, codecs.Decode)
	if p.Rotate != 0 {
		ops = append(ops, codecs.Rotate)
	}
	if p.Width > 0 {
		ops = append(ops, codecs.Resize)
	}
	return append(ops, p.encode)
}

// prepare checks a request against the engine's library and fills in its
// defaults. Errors name the request and the offending field.
func (e *Engine) prepare(r Request) (plan, error) {
	p := plan{Request: r}
	bad := func(format string, args ...any) (plan, error) {
		return plan{}, fmt.Errorf("engine: request %d: %w: %s", r.ID, ErrInvalidRequest, fmt.Sprintf(format, args...))
	}
	if len(r.Source) == 0 {
		return bad("empty source")
	}
	if f, err := codecs.Sniff(r.Source); err != nil {
		return bad("source: %v", err)
	} else if f != codecs.PNG && f != codecs.JPEG {
		return bad("source is %s; want png or jpeg", f)
	} else {
		p.source = f
	}
	switch r.Rotate {
	case 0, 90, 180, 270:
	default:
		return bad("rotate %d; want 0, 90, 180 or 270", r.Rotate)
	}
	if r.Width < 0 {
		return bad("negative width %d", r.Width)
	}
	op, err := codecs.EncodeOp(r.Format)
	if err != nil {
		return bad("output format %v; want png, jpeg or webp", r.Format)
	}
	p.encode = op
	maxQ := 100
	if r.Format == codecs.PNG {
		maxQ = 9
	}
	if r.Quality < 0 || r.Quality > maxQ {
		return bad("%s quality %d; want 1-%d, or 0 for the default", r.Format, r.Quality, maxQ)
	}
	p.quality = r.Quality
	if p.quality == 0 {
		switch r.Format {
		case codecs.PNG:
			p.quality = DefaultPNGLevel
		case codecs.JPEG:
			p.quality = DefaultJPEGQuality
		case codecs.WebP:
			p.quality = DefaultWebPQuality
		}
	}
	ops := p.ops()
	if r.trapAt != nil {
		t := *r.trapAt
		if !slices.Contains(ops, t) {
			return bad("trap at %s, which the request does not run", t)
		}
		p.trap, p.hasTrap = t, true
	}
	for _, op := range ops {
		if !e.set.has(op) {
			return bad("%s module not available", op)
		}
	}
	return p, nil
}

// runFunc runs one step of request id somewhere: in the calling worker
// (per-worker topology) or in the step's own worker (pipeline).
type runFunc func(ctx context.Context, id int, s step) (stepResult, error)

// process runs a prepared request's steps in order through run. A
// non-nil src is the request's decoded source, from the cache: the decode
// step is skipped. keep says to return the decode's result for the cache;
// otherwise nothing references it past the next step, so its pixels are
// garbage as soon as they are rotated or resized, as without a cache.
// Each step's input image travels with its pin (step.in), so an aliased
// image keeps the instance it is a slice of until the step reading it is
// done.
func process(ctx context.Context, p plan, run runFunc, src *stepResult, keep bool) (processed, error) {
	trap := func(op codecs.Op) bool { return p.hasTrap && p.trap == op }
	var out processed
	var cur stepResult // the image the next step reads, with its pin
	if src != nil {
		cur = *src
	} else {
		res, err := run(ctx, p.ID, step{op: codecs.Decode, src: p.Source, format: p.source, trap: trap(codecs.Decode)})
		if err != nil {
			return processed{}, err
		}
		if keep {
			out.decoded = &res
		}
		cur = res
	}
	if p.Rotate != 0 {
		res, err := run(ctx, p.ID, step{op: codecs.Rotate, img: cur.img, in: cur.pin, arg: p.Rotate, trap: trap(codecs.Rotate)})
		if err != nil {
			return processed{}, err
		}
		cur = res
	}
	if p.Width > 0 && (p.Width < cur.img.Width || trap(codecs.Resize)) {
		res, err := run(ctx, p.ID, step{op: codecs.Resize, img: cur.img, in: cur.pin, arg: p.Width, trap: trap(codecs.Resize)})
		if err != nil {
			return processed{}, err
		}
		cur = res
	}
	res, err := run(ctx, p.ID, step{op: p.encode, img: cur.img, in: cur.pin, arg: p.quality, trap: trap(p.encode)})
	if err != nil {
		return processed{}, err
	}
	out.resp = Response{ID: p.ID, Output: res.out, Format: p.Format, Width: cur.img.Width, Height: cur.img.Height}
	out.outPin = res.pin
	return out, nil
}
