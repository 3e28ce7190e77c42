package codecs

import (
	"context"
	"fmt"
)

// EncodePNG encodes img as PNG (RGBA, 8 bits) at zlib level 0-9.
func (in *Instance) EncodePNG(ctx context.Context, img Image, level int) ([]byte, error) {
	return in.encode(ctx, EncodePNG, PNG, img, encoderArg{"level", level, 0, 9})
}

// EncodeJPEG encodes img as baseline JPEG at quality 1-100, dropping alpha.
func (in *Instance) EncodeJPEG(ctx context.Context, img Image, quality int) ([]byte, error) {
	return in.encode(ctx, EncodeJPEG, JPEG, img, encoderArg{"quality", quality, 1, 100})
}

// EncodeWebP encodes img as lossy WebP (VP8) at quality 0-100, dropping
// alpha.
func (in *Instance) EncodeWebP(ctx context.Context, img Image, quality int) ([]byte, error) {
	return in.encode(ctx, EncodeWebP, WebP, img, encoderArg{"quality", quality, 0, 100})
}

// encoderArg is an encoder's one setting (the PNG level, the JPEG or WebP
// quality) and the range its module accepts.
type encoderArg struct {
	name     string
	value    int
	min, max int
}

// encode runs one of the encoders, whose exports share a signature:
// (rgba, w, h, arg) -> status, with the encoded bytes as result. An arg
// out of its range is an ErrInvalid, once the instance is known usable.
func (in *Instance) encode(ctx context.Context, op Op, f Format, img Image, arg encoderArg) (out []byte, err error) {
	defer in.recoverTo(ctx, &err)
	if err := in.begin(ctx, op); err != nil {
		return nil, err
	}
	if arg.value < arg.min || arg.value > arg.max {
		return nil, fmt.Errorf("%w: %s: %s %d, want %d-%d", ErrInvalid, op, arg.name, arg.value, arg.min, arg.max)
	}
	lim := in.lib.limits
	if err := lim.checkImage(op, img); err != nil {
		return nil, err
	}
	if err := lim.checkMemory(op, 4*uint64(img.Width)*uint64(img.Height)); err != nil {
		return nil, err
	}
	return callOp(ctx, in, img.Pix, func() ([]byte, error) { return in.bytesResult(ctx, f) },
		uint64(img.Width), uint64(img.Height), uint64(arg.value))
}
