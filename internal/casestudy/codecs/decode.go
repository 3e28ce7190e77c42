package codecs

import "context"

// Decode decodes a PNG (any colour type, depths 1-16, Adam7, tRNS) or JPEG
// (baseline, extended or progressive Huffman) into RGBA8.
//
// The host checks the input size (Limits.MaxInputBytes), the format's
// magic and the header's dimensions (Limits.MaxPixels, the memory cap)
// before copying anything into the guest. The guest then checks the whole
// file before decoding a pixel, and fails with:
//
//   - ErrCorrupt for what no valid file can be: a bad CRC in a critical PNG
//     chunk, a bad Adler-32 or zlib header, a chunk or segment past the end
//     of the file, a missing IEND or EOI, image data that inflates to more
//     or less than the header declares, and a header that declares more
//     pixels than the file's size can code (PNG: IDAT bytes times deflate's
//     1032:1; JPEG: 2 bits per 8x8 block of a sequential scan, 1 bit per
//     block of a progressive first DC scan);
//   - ErrLimit for a valid file that asks for more than the limits allow:
//     MaxPixels, working memory beyond the cap, more than 256 JPEG scans or
//     more than 64 passes' worth of JPEG decoding work;
//   - ErrOutOfMemory (and ErrLimit) when the guest's malloc fails within
//     those bounds, because linear memory is at its cap.
//
// Every guest allocation is charged to a budget computed from the header,
// and zeroed, so no output can contain bytes of an earlier request; a
// palette index past the PLTE decodes as opaque black, as libpng does.
func (in *Instance) Decode(ctx context.Context, src []byte) (img Image, err error) {
	defer in.recoverTo(ctx, &err)
	if err := in.begin(ctx, Decode); err != nil {
		return Image{}, err
	}
	lim := in.lib.limits // the guest gets MaxPixels (capped to what RGBA8 over the i32 ABI can hold) and the memory cap
	hdr, err := lim.checkEncoded(src)
	if err != nil {
		return Image{}, err
	}
	return callOp(ctx, in, src, func() (Image, error) { return in.imageResult(ctx, hdr.width, hdr.height) },
		uint64(len(src)), uint64(min(lim.MaxPixels, maxBufferBytes/4)), lim.CapBytes())
}
