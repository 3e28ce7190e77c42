package codecs

import "context"

// Decode decodes a PNG (any colour type, depths 1-16, Adam7, tRNS) or JPEG
// (baseline or progressive) into RGBA8.
//
// Before the guest sees anything it checks the input size
// (Limits.MaxInputBytes), the format's magic, the header's dimensions
// (Limits.MaxPixels), that input and output fit in linear memory, and for
// PNG that the compressed image data doesn't inflate past what the header
// declares.
func (in *Instance) Decode(ctx context.Context, src []byte) (img Image, err error) {
	defer in.recoverTo(ctx, &err)
	if err := in.begin(ctx, Decode); err != nil {
		return Image{}, err
	}
	hdr, err := in.lib.limits.checkEncoded(src, &in.zr)
	if err != nil {
		return Image{}, err
	}
	return callOp(ctx, in, src, func() (Image, error) { return in.imageResult(ctx, hdr.width, hdr.height) },
		uint64(len(src)))
}
