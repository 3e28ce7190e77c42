package squoosh

import (
	"context"
	"errors"
	"sync"
)

// Optimizer runs the operations the way next@10.1.0's squoosh/impl.js and
// codecs.js did: one squoosh_png, one squoosh_oxipng and one
// squoosh_resize instance each made on first use and reused for the life
// of the process (codecs.js wraps their init in execOnce), and a fresh
// instance of rotate.wasm, of mozjpeg and of webp at every call
// (preprocessors.rotate.instantiate and instantiateEmscriptenWasm inside
// codecs[...].dec() and .enc(), which impl.js calls per request).
//
// The reused instances serve one call at a time, as a single JavaScript
// thread did.
type Optimizer struct {
	lib *Library

	mu  sync.Mutex
	png *PNGCodec
	ox  *Oxipng
	rs  *Resizer
}

// NewOptimizer returns an Optimizer over l. Close it before l.
func (l *Library) NewOptimizer() *Optimizer { return &Optimizer{lib: l} }

// DecodePNG is impl.js decodeBuffer for a PNG: squoosh_png decode.
func (o *Optimizer) DecodePNG(ctx context.Context, data []byte) (Image, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.initPNG(ctx); err != nil {
		return Image{}, err
	}
	return o.png.Decode(ctx, data)
}

// EncodePNG is impl.js encodePng: squoosh_png encode, then squoosh_oxipng
// optimise at level 2 (codecs.js codecs.oxipng.enc).
func (o *Optimizer) EncodePNG(ctx context.Context, img Image) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.initPNG(ctx); err != nil {
		return nil, err
	}
	if o.ox == nil {
		ox, err := o.lib.NewOxipng(ctx)
		if err != nil {
			return nil, err
		}
		o.ox = ox
	}
	plain, err := o.png.Encode(ctx, img)
	if err != nil {
		return nil, err
	}
	return o.ox.Optimise(ctx, plain, OptimizerOxipngLevel)
}

// Resize is impl.js resize: squoosh_resize to width, the height kept in
// proportion (HeightForWidth), with OptimizerResizeOptions. (impl.js
// processBuffer resizes only when the image is wider than width; that
// choice is the caller's.)
func (o *Optimizer) Resize(ctx context.Context, img Image, width int) (Image, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := img.check(); err != nil {
		return Image{}, err
	}
	if o.rs == nil {
		rs, err := o.lib.NewResizer(ctx)
		if err != nil {
			return Image{}, err
		}
		o.rs = rs
	}
	return o.rs.Resize(ctx, img, width, HeightForWidth(img.Width, img.Height, width), OptimizerResizeOptions())
}

// Rotate is impl.js rotate: a fresh rotate.wasm instance per call.
func (o *Optimizer) Rotate(ctx context.Context, img Image, numRotations int) (Image, error) {
	return o.lib.RotateOnce(ctx, img, numRotations)
}

// DecodeJPEG is impl.js decodeBuffer for a JPEG: a fresh mozjpeg_dec.
func (o *Optimizer) DecodeJPEG(ctx context.Context, data []byte) (Image, error) {
	return o.decodeOnce(ctx, MozJPEGDecWasm, data)
}

// DecodeWebP is impl.js decodeBuffer for a WebP: a fresh webp_dec.
func (o *Optimizer) DecodeWebP(ctx context.Context, data []byte) (Image, error) {
	return o.decodeOnce(ctx, WebPDecWasm, data)
}

// EncodeJPEG is impl.js encodeJpeg: a fresh mozjpeg_enc with
// OptimizerMozJPEGOptions(quality).
func (o *Optimizer) EncodeJPEG(ctx context.Context, img Image, quality int) ([]byte, error) {
	return o.encodeOnce(ctx, MozJPEGEncWasm, img, OptimizerMozJPEGOptions(quality))
}

// EncodeWebP is impl.js encodeWebp: a fresh webp_enc with
// OptimizerWebPOptions(quality).
func (o *Optimizer) EncodeWebP(ctx context.Context, img Image, quality int) ([]byte, error) {
	return o.encodeOnce(ctx, WebPEncWasm, img, OptimizerWebPOptions(quality))
}

// Close closes the reused instances.
func (o *Optimizer) Close(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var errs []error
	if o.png != nil {
		errs = append(errs, o.png.Close(ctx))
	}
	if o.ox != nil {
		errs = append(errs, o.ox.Close(ctx))
	}
	if o.rs != nil {
		errs = append(errs, o.rs.Close(ctx))
	}
	o.png, o.ox, o.rs = nil, nil, nil
	return errors.Join(errs...)
}

func (o *Optimizer) initPNG(ctx context.Context) error {
	if o.png != nil {
		return nil
	}
	p, err := o.lib.NewPNGCodec(ctx)
	if err != nil {
		return err
	}
	o.png = p
	return nil
}

func (o *Optimizer) decodeOnce(ctx context.Context, m Module, data []byte) (Image, error) {
	e, err := o.lib.NewEmscripten(ctx, m)
	if err != nil {
		return Image{}, err
	}
	defer e.Close(ctx)
	return e.Decode(ctx, data)
}

func (o *Optimizer) encodeOnce(ctx context.Context, m Module, img Image, opts EncodeOptions) ([]byte, error) {
	e, err := o.lib.NewEmscripten(ctx, m)
	if err != nil {
		return nil, err
	}
	defer e.Close(ctx)
	return e.Encode(ctx, img, opts)
}
