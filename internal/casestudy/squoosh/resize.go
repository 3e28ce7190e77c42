package squoosh

import (
	"context"
	"fmt"
	"math"
)

// ResizeMethod is squoosh_resize's filter (typ_idx; codecs.js
// resizeNameToIndex).
type ResizeMethod uint8

// The four filters, as codecs.js numbers them.
const (
	Triangle ResizeMethod = iota
	CatmullRom
	Mitchell
	Lanczos3
)

// ResizeOptions are squoosh_resize's options besides the sizes.
type ResizeOptions struct {
	Method      ResizeMethod
	Premultiply bool // premultiply alpha while filtering
	LinearRGB   bool // filter in linear light (color_space_conversion)
}

// OptimizerResizeOptions returns the options next@10.1.0 resized with:
// codecs.js preprocessors.resize.defaultOptions (method 'lanczos3',
// premultiply true, linearRGB true; fitMethod 'stretch' is not passed to the
// module).
func OptimizerResizeOptions() ResizeOptions {
	return ResizeOptions{Method: Lanczos3, Premultiply: true, LinearRGB: true}
}

// HeightForWidth is the height codecs.js resizeWithAspect gives a resize to
// width alone: Math.round(input_height / input_width * target_width), in
// float64 as JavaScript computes it (Math.round rounds halves up).
func HeightForWidth(inWidth, inHeight, width int) int {
	return int(math.Floor(float64(inHeight)/float64(inWidth)*float64(width) + 0.5))
}

// resizeRetptr is the constant return pointer squoosh_resize.js passes
// (`wasm.resize(8, ...)`, an older wasm-bindgen with no shadow stack).
const resizeRetptr = 8

// Resizer is one instance of squoosh_resize, reused across calls as the
// optimizer reused it (codecs.js resizeInit is execOnce). It is not safe
// for concurrent use.
type Resizer struct{ bindgenCodec }

// NewResizer instantiates squoosh_resize.
func (l *Library) NewResizer(ctx context.Context) (*Resizer, error) {
	return newBindgenCodec[Resizer](ctx, l, ResizeWasm, "")
}

// Resize resizes img to width x height with opts, as squoosh_resize.js
// resize() does: the pixels copied in, the module's result (ptr, len) read
// at address 8, copied out and freed.
func (r *Resizer) Resize(ctx context.Context, img Image, width, height int, opts ResizeOptions) (Image, error) {
	if err := img.check(); err != nil {
		return Image{}, err
	}
	if width <= 0 || height <= 0 || width > math.MaxInt32/4/height {
		return Image{}, fmt.Errorf("squoosh: resize to %dx%d: sizes must be positive and fit in memory", width, height)
	}
	if opts.Method > Lanczos3 {
		return Image{}, fmt.Errorf("squoosh: resize method %d unknown (0-3)", opts.Method)
	}
	ptr, n, err := r.b.passArray8(ctx, img.Pix)
	if err != nil {
		return Image{}, fmt.Errorf("squoosh: resize: %w", err)
	}
	_, err = r.b.mod.ExportedFunction("resize").Call(ctx, resizeRetptr, uint64(ptr), uint64(n),
		uint64(img.Width), uint64(img.Height), uint64(width), uint64(height),
		uint64(opts.Method), b2u(opts.Premultiply), b2u(opts.LinearRGB))
	if err != nil {
		return Image{}, fmt.Errorf("squoosh: resize %dx%d to %dx%d: %w", img.Width, img.Height, width, height, err)
	}
	pix, err := r.b.takeVec(ctx, resizeRetptr)
	if err != nil {
		return Image{}, fmt.Errorf("squoosh: resize: %w", err)
	}
	out := Image{Pix: pix, Width: width, Height: height}
	if err := out.check(); err != nil {
		return Image{}, fmt.Errorf("squoosh: resize returned a wrong-sized image: %w", err)
	}
	return out, nil
}

// b2u is a JS boolean argument as wasm-bindgen passes it (0 or 1).
func b2u(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}
