package codecs

import (
	"context"
	"fmt"
)

// EncodePNG encodes img as PNG (RGBA, 8 bits) at zlib level 0-9.
func (in *Instance) EncodePNG(ctx context.Context, img Image, level int) (out []byte, err error) {
	defer in.recoverTo(ctx, &err)
	if level < 0 || level > 9 {
		if err := in.begin(ctx, EncodePNG); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: encodePng: level %d, want 0-9", ErrInvalid, level)
	}
	return in.encode(ctx, EncodePNG, PNG, img, level)
}

// EncodeJPEG encodes img as baseline JPEG at quality 1-100, dropping alpha.
func (in *Instance) EncodeJPEG(ctx context.Context, img Image, quality int) (out []byte, err error) {
	defer in.recoverTo(ctx, &err)
	if quality < 1 || quality > 100 {
		if err := in.begin(ctx, EncodeJPEG); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: encodeJpeg: quality %d, want 1-100", ErrInvalid, quality)
	}
	return in.encode(ctx, EncodeJPEG, JPEG, img, quality)
}

// EncodeWebP encodes img as lossy WebP (VP8) at quality 0-100, dropping
// alpha.
func (in *Instance) EncodeWebP(ctx context.Context, img Image, quality int) (out []byte, err error) {
	defer in.recoverTo(ctx, &err)
	if quality < 0 || quality > 100 {
		if err := in.begin(ctx, EncodeWebP); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: encodeWebp: quality %d, want 0-100", ErrInvalid, quality)
	}
	return in.encode(ctx, EncodeWebP, WebP, img, quality)
}

// encode runs one of the encoders, whose exports share a signature:
// (rgba, w, h, arg) -> status, with the encoded bytes as result.
func (in *Instance) encode(ctx context.Context, op Op, f Format, img Image, arg int) ([]byte, error) {
	if err := in.begin(ctx, op); err != nil {
		return nil, err
	}
	lim := in.lib.limits
	if err := lim.checkImage(op, img); err != nil {
		return nil, err
	}
	if err := lim.checkMemory(op, 4*uint64(img.Width)*uint64(img.Height)); err != nil {
		return nil, err
	}
	return callOp(ctx, in, img.Pix, func() ([]byte, error) { return in.bytesResult(ctx, f) },
		uint64(img.Width), uint64(img.Height), uint64(arg))
}
