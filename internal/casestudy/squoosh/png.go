package squoosh

import (
	"context"
	"fmt"
)

// pngStackPointer and oxipngStackPointer are the shadow stack pointer
// globals squoosh_png.js and squoosh_oxipng.js move around each call.
const (
	pngStackPointer    = "__wbindgen_export_1"
	oxipngStackPointer = "__wbindgen_export_0"
)

// PNGCodec is one instance of squoosh_png (decode and a plain encode), reused
// as the optimizer reused it (codecs.js pngEncDecInit is execOnce). It is
// not safe for concurrent use.
type PNGCodec struct{ bindgenCodec }

// NewPNGCodec instantiates squoosh_png.
func (l *Library) NewPNGCodec(ctx context.Context) (*PNGCodec, error) {
	return newBindgenCodec[PNGCodec](ctx, l, PNGWasm, pngStackPointer)
}

// Decode decodes a PNG file to RGBA: squoosh_png.js decode(), whose module
// builds the result through the ImageData import and returns its heap slot.
func (p *PNGCodec) Decode(ctx context.Context, data []byte) (Image, error) {
	ptr, n, err := p.b.passArray8(ctx, data)
	if err != nil {
		return Image{}, fmt.Errorf("squoosh: png decode: %w", err)
	}
	res, err := p.b.mod.ExportedFunction("decode").Call(context.WithValue(ctx, heapKey{}, &p.b.heap), uint64(ptr), uint64(n))
	if err != nil {
		return Image{}, fmt.Errorf("squoosh: png decode of %d bytes: %w", len(data), err)
	}
	obj, err := p.b.heap.take(uint32(res[0]))
	if err != nil {
		return Image{}, fmt.Errorf("squoosh: png decode: %w", err)
	}
	img, ok := obj.(Image)
	if !ok {
		return Image{}, fmt.Errorf("squoosh: png decode returned a %T, not an ImageData", obj)
	}
	if err := img.check(); err != nil {
		return Image{}, fmt.Errorf("squoosh: png decode: %w", err)
	}
	return img, nil
}

// Encode encodes img as a plain PNG: squoosh_png.js encode().
func (p *PNGCodec) Encode(ctx context.Context, img Image) ([]byte, error) {
	if err := img.check(); err != nil {
		return nil, err
	}
	var out []byte
	err := p.b.withRetptr(func(retptr uint32) error {
		ptr, n, err := p.b.passArray8(ctx, img.Pix)
		if err != nil {
			return err
		}
		if _, err := p.b.mod.ExportedFunction("encode").Call(ctx, uint64(retptr), uint64(ptr), uint64(n), uint64(img.Width), uint64(img.Height)); err != nil {
			return err
		}
		out, err = p.b.takeVec(ctx, retptr)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("squoosh: png encode %dx%d: %w", img.Width, img.Height, err)
	}
	return out, nil
}

// OptimizerOxipngLevel is the level next@10.1.0 optimised PNGs at
// (codecs.js oxipng.defaultEncoderOptions.level).
const OptimizerOxipngLevel = 2

// Oxipng is one instance of squoosh_oxipng, reused as the optimizer reused
// it (codecs.js oxipngInit is execOnce). It is not safe for concurrent use.
type Oxipng struct{ bindgenCodec }

// NewOxipng instantiates squoosh_oxipng.
func (l *Library) NewOxipng(ctx context.Context) (*Oxipng, error) {
	return newBindgenCodec[Oxipng](ctx, l, OxipngWasm, oxipngStackPointer)
}

// Optimise recompresses a PNG file at level (0-6): squoosh_oxipng.js
// optimise(). The module's own errors (__wbindgen_throw) come back as
// errors.
func (o *Oxipng) Optimise(ctx context.Context, png []byte, level int) ([]byte, error) {
	if level < 0 || level > 6 {
		return nil, fmt.Errorf("squoosh: oxipng level %d outside 0-6", level)
	}
	var out []byte
	err := o.b.withRetptr(func(retptr uint32) error {
		ptr, n, err := o.b.passArray8(ctx, png)
		if err != nil {
			return err
		}
		if _, err := o.b.mod.ExportedFunction("optimise").Call(ctx, uint64(retptr), uint64(ptr), uint64(n), uint64(level)); err != nil {
			return err
		}
		out, err = o.b.takeVec(ctx, retptr)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("squoosh: oxipng optimise of %d bytes: %w", len(png), err)
	}
	return out, nil
}
