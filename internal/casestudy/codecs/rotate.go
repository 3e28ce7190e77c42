package codecs

import (
	"context"
	"fmt"
)

// Rotate rotates img clockwise by degrees: 0 (a copy), 90, 180 or 270.
// Width and height swap for 90 and 270.
func (in *Instance) Rotate(ctx context.Context, img Image, degrees int) (out Image, err error) {
	defer in.recoverTo(ctx, &err)
	lim, err := in.beginImage(ctx, Rotate, img)
	if err != nil {
		return Image{}, err
	}
	w, h := img.Width, img.Height
	switch degrees {
	case 0, 180:
	case 90, 270:
		w, h = h, w
	default:
		return Image{}, fmt.Errorf("%w: rotate: %d degrees, want 0, 90, 180 or 270", ErrInvalid, degrees)
	}
	if err := lim.checkMemory(Rotate, 8*uint64(w)*uint64(h)); err != nil {
		return Image{}, err
	}
	return callOp(ctx, in, img.Pix, func() (Image, error) { return in.imageResult(ctx, w, h) },
		uint64(img.Width), uint64(img.Height), uint64(degrees))
}
