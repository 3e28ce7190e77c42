package codecs

import (
	"context"
	"fmt"
)

// Rotate rotates img clockwise by degrees: 0 (a copy), 90, 180 or 270.
// Width and height swap for 90 and 270.
func (in *Instance) Rotate(ctx context.Context, img Image, degrees int) (out Image, err error) {
	defer in.recoverTo(ctx, &err)
	if err := in.begin(ctx, Rotate); err != nil {
		return Image{}, err
	}
	lim := in.lib.limits
	if err := lim.checkImage(Rotate, img); err != nil {
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
	if err := in.ready(ctx); err != nil {
		return Image{}, err
	}
	defer in.mark(ctx)()
	p, err := in.write(ctx, img.Pix)
	if err != nil {
		return Image{}, err
	}
	status, err := in.call(ctx, in.fns.op, "lb_rotate", uint64(p), uint64(img.Width), uint64(img.Height), uint64(degrees))
	if err != nil {
		return Image{}, err
	}
	if status != 0 {
		return Image{}, in.statusErr(ctx, int32(status))
	}
	return in.imageResult(ctx, w, h)
}
