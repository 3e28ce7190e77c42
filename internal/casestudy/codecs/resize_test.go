package codecs

import (
	"testing"
)

func TestResizedHeight(t *testing.T) {
	tests := []struct {
		name            string
		w, h, width, dh int
	}{
		{"half", 64, 48, 32, 24},
		{"rounds up", 300, 200, 100, 67},   // 66.67
		{"rounds down", 300, 200, 110, 73}, // 73.33
		{"half rounds up", 4, 3, 2, 2},     // 1.5
		{"tall", 3, 1000, 1, 333},
		{"at least 1", 1000, 1, 10, 1},
		{"enlarge", 64, 48, 640, 480},
		{"same", 37, 23, 37, 23},
		{"zero width", 64, 48, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			equal(t, ResizedHeight(tt.w, tt.h, tt.width), tt.dh, "ResizedHeight")
		})
	}
}

func TestResize_dimensions(t *testing.T) {
	tests := []struct {
		name         string
		w, h, width  int
		wantW, wantH int
	}{
		{"shrink", 64, 48, 32, 32, 24},
		{"shrink odd", 300, 200, 100, 100, 67},
		{"enlarge", 64, 48, 100, 100, 75},
		{"same", 37, 23, 37, 37, 23},
		{"to 1 pixel", 64, 48, 1, 1, 1},
		{"wide strip", 300, 2, 30, 30, 1},
		{"tall strip", 2, 300, 1, 1, 150},
	}
	in := instance(t, Resize)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := in.Resize(testCtx, testPattern(tt.w, tt.h, true), tt.width)
			noErr(t, err, "Resize")
			equal(t, out.Width, tt.wantW, "width")
			equal(t, out.Height, tt.wantH, "height")
			equal(t, len(out.Pix), 4*tt.wantW*tt.wantH, "len(Pix)")
		})
	}
}

// gradient returns a w x h image whose red and green rise left to right,
// the same on every row; blue is constant; opaque.
func gradient(w, h int) Image {
	img := Image{Width: w, Height: h, Pix: make([]byte, 4*w*h)}
	for y := range h {
		for x := range w {
			i := 4 * (y*w + x)
			img.Pix[i] = byte(x * 255 / (w - 1))
			img.Pix[i+1] = byte(255 - x*255/(w-1))
			img.Pix[i+2] = 77
			img.Pix[i+3] = 255
		}
	}
	return img
}

func TestResize_content(t *testing.T) {
	tests := []struct {
		name     string
		w, h, to int
	}{
		{"shrink", 256, 16, 64},
		{"shrink odd", 300, 20, 97},
		{"enlarge", 64, 8, 200},
	}
	in := instance(t, Resize)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := in.Resize(testCtx, gradient(tt.w, tt.h), tt.to)
			noErr(t, err, "Resize")
			for y := range out.Height {
				row := out.Pix[4*y*out.Width : 4*(y+1)*out.Width]
				for x := 1; x < out.Width; x++ {
					r0, r1 := row[4*(x-1)], row[4*x]
					g0, g1 := row[4*(x-1)+1], row[4*x+1]
					if r1 < r0 || g1 > g0 {
						t.Fatalf("row %d not monotonic at x=%d: red %d->%d, green %d->%d", y, x, r0, r1, g0, g1)
					}
					if b, a := row[4*x+2], row[4*x+3]; b < 76 || b > 78 || a != 255 {
						t.Fatalf("pixel (%d,%d): blue %d alpha %d, want 77 and 255", x, y, b, a)
					}
				}
				// The ends stay near the ends of the gradient.
				if row[0] > 12 || row[4*(out.Width-1)] < 243 {
					t.Fatalf("row %d spans red %d..%d, want about 0..255", y, row[0], row[4*(out.Width-1)])
				}
			}
		})
	}
}

func TestResize_invalid(t *testing.T) {
	img := testPattern(64, 48, false)
	checkInvalid(t, []invalidCall{
		{"zero width", Resize, 0, img, ErrInvalid, []string{"width is 0"}},
		{"negative width", Resize, -5, img, ErrInvalid, []string{"width is -5"}},
		{"target over pixel limit", Resize, 20000, img, ErrLimit, []string{"resize target is 20000x15000", "300000000 pixels"}},
		{"short Pix", Resize, 32, Image{Width: 64, Height: 48, Pix: img.Pix[:100]}, ErrInvalid, []string{"needs 12288 bytes", "Pix has 100"}},
		{"empty image", Resize, 32, Image{}, ErrInvalid, []string{"image is 0x0"}},
		{"negative size", Resize, 32, Image{Width: -1, Height: 5}, ErrInvalid, []string{"image is -1x5"}},
	})
}
