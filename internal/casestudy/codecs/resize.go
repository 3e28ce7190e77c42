package codecs

import (
	"context"
	"fmt"
)

// ResizedHeight returns the height Resize gives an image of w x h resized
// to width: round(h*width/w), at least 1.
func ResizedHeight(w, h, width int) int {
	if w <= 0 || h <= 0 || width <= 0 {
		return 0
	}
	dh := (2*uint64(h)*uint64(width) + uint64(w)) / (2 * uint64(w))
	return int(max(dh, 1))
}

// Resize scales img to width pixels wide, keeping its aspect ratio: the
// height is ResizedHeight(img.Width, img.Height, width). width must be
// positive; the target size is checked against Limits.MaxPixels.
func (in *Instance) Resize(ctx context.Context, img Image, width int) (out Image, err error) {
	defer in.recoverTo(ctx, &err)
	lim, err := in.beginImage(ctx, Resize, img)
	if err != nil {
		return Image{}, err
	}
	if width <= 0 {
		return Image{}, fmt.Errorf("%w: resize: width is %d, want > 0", ErrInvalid, width)
	}
	height := ResizedHeight(img.Width, img.Height, width)
	if err := lim.checkSize(Resize, "resize target", width, height); err != nil {
		return Image{}, err
	}
	if err := lim.checkMemory(Resize, 4*(uint64(img.Width)*uint64(img.Height)+uint64(width)*uint64(height))); err != nil {
		return Image{}, err
	}
	return callOp(ctx, in, img.Pix, func() (Image, error) { return in.imageResult(ctx, width, height) },
		uint64(img.Width), uint64(img.Height), uint64(width), uint64(height))
}
