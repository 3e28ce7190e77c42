package codecs

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// goRotate is the reference: rotate img clockwise by degrees.
func goRotate(img Image, degrees int) Image {
	w, h := img.Width, img.Height
	out := Image{Width: w, Height: h, Pix: make([]byte, len(img.Pix))}
	if degrees == 90 || degrees == 270 {
		out.Width, out.Height = h, w
	}
	for y := range h {
		for x := range w {
			var dx, dy int
			switch degrees {
			case 0:
				dx, dy = x, y
			case 90:
				dx, dy = h-1-y, x
			case 180:
				dx, dy = w-1-x, h-1-y
			case 270:
				dx, dy = y, w-1-x
			}
			copy(out.Pix[4*(dy*out.Width+dx):][:4], img.Pix[4*(y*w+x):][:4])
		}
	}
	return out
}

func TestRotate(t *testing.T) {
	sizes := []struct {
		name string
		w, h int
	}{
		{"64x48", 64, 48},
		{"130x67 crosses 64-pixel tiles", 130, 67},
		{"1x1", 1, 1},
		{"1x5", 1, 5},
		{"7x1", 7, 1},
	}
	in := instance(t, Rotate)
	for _, s := range sizes {
		img := testPattern(s.w, s.h, true)
		for _, deg := range []int{0, 90, 180, 270} {
			t.Run(fmt.Sprintf("%s/%d", s.name, deg), func(t *testing.T) {
				got, err := in.Rotate(testCtx, img, deg)
				noErr(t, err, "Rotate")
				want := goRotate(img, deg)
				equal(t, got.Width, want.Width, "width")
				equal(t, got.Height, want.Height, "height")
				if !bytes.Equal(got.Pix, want.Pix) {
					t.Fatalf("pixels differ from the Go reference (max diff %d)", maxDiff(t, got, want))
				}
			})
		}
	}
}

func TestRotate_fourTimesIsIdentity(t *testing.T) {
	in := instance(t, Rotate)
	img := testPattern(33, 17, true)
	cur := img
	for range 4 {
		var err error
		cur, err = in.Rotate(testCtx, cur, 90)
		noErr(t, err, "Rotate")
	}
	if !bytes.Equal(cur.Pix, img.Pix) || cur.Width != img.Width {
		t.Fatal("four quarter turns changed the image")
	}
}

func TestRotate_invalid(t *testing.T) {
	img := testPattern(8, 4, false)
	checkInvalid(t, []invalidCall{
		{"45 degrees", Rotate, 45, img, ErrInvalid, []string{"45 degrees", "0, 90, 180 or 270"}},
		{"-90 degrees", Rotate, -90, img, ErrInvalid, []string{"-90 degrees"}},
		{"360 degrees", Rotate, 360, img, ErrInvalid, []string{"360 degrees"}},
		{"Pix too long", Rotate, 90, Image{Width: 8, Height: 4, Pix: make([]byte, 129)}, ErrInvalid, []string{"Pix has 129"}},
		{"over pixel limit", Rotate, 90, Image{Width: 20000, Height: 20000}, ErrLimit, []string{"20000x20000"}},
	})
}

// TestRotate_guestOutOfMemoryNamesTheOperationOnce: the guest's own
// message starts with its module's name; the error says "rotate: " once.
func TestRotate_guestOutOfMemoryNamesTheOperationOnce(t *testing.T) {
	in := cappedInstance(t, Rotate)
	_, err := in.Rotate(testCtx, testPattern(512, 512, false), 90)
	wantErr(t, err, ErrOutOfMemory, "rotate: out of memory allocating")
	if strings.Count(err.Error(), "rotate: ") != 1 {
		t.Errorf("error %q names the operation more than once", err)
	}
}
