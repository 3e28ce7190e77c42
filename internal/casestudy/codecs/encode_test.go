package codecs

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	"golang.org/x/image/webp"
)

func TestEncodePNG(t *testing.T) {
	img := testPattern(64, 48, true)
	in := instance(t, EncodePNG)
	sizes := map[int]int{}
	for _, level := range []int{0, 1, 6, 9} {
		t.Run(fmt.Sprint("level ", level), func(t *testing.T) {
			out, err := in.EncodePNG(testCtx, img, level)
			noErr(t, err, "EncodePNG")
			m, err := png.Decode(bytes.NewReader(out))
			noErr(t, err, "png.Decode of our output")
			got := toImage(m)
			equal(t, maxDiff(t, got, img), 0, "max channel difference after a lossless round trip")
			sizes[level] = len(out)
		})
	}
	if sizes[9] >= sizes[0] {
		t.Fatalf("level 9 gave %d bytes, level 0 %d: want smaller", sizes[9], sizes[0])
	}
}

func TestEncodeJPEG(t *testing.T) {
	img := smoothPattern(64, 48)
	in := instance(t, EncodeJPEG)
	tests := []struct {
		name    string
		quality int
		maxMean float64
	}{
		{"q1", 1, 40},
		{"q50", 50, 3},
		{"q90", 90, 2.5},
		{"q100", 100, 1},
	}
	sizes := map[int]int{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := in.EncodeJPEG(testCtx, img, tt.quality)
			noErr(t, err, "EncodeJPEG")
			m, err := jpeg.Decode(bytes.NewReader(out))
			noErr(t, err, "jpeg.Decode of our output")
			got := toImage(m)
			if d := meanDiff(t, got, img); d > tt.maxMean {
				t.Fatalf("mean channel difference = %.2f, want <= %.2f", d, tt.maxMean)
			}
			sizes[tt.quality] = len(out)
		})
	}
	if sizes[1] >= sizes[100] {
		t.Fatalf("quality 1 gave %d bytes, quality 100 %d: want smaller", sizes[1], sizes[100])
	}
}

func TestEncodeJPEG_dropsAlpha(t *testing.T) {
	in := instance(t, EncodeJPEG)
	out, err := in.EncodeJPEG(testCtx, testPattern(16, 16, true), 90)
	noErr(t, err, "EncodeJPEG")
	m, err := jpeg.Decode(bytes.NewReader(out))
	noErr(t, err, "jpeg.Decode")
	got := toImage(m)
	for i := 3; i < len(got.Pix); i += 4 {
		if got.Pix[i] != 255 {
			t.Fatalf("alpha byte %d = %d, want 255 (JPEG has no alpha)", i, got.Pix[i])
		}
	}
}

// The WebP tests measure quality as PSNR over RGB against the input
// flattened on white (the encoder has no alpha channel and composites onto
// white), decoding with golang.org/x/image/webp. Its *image.YCbCr must be
// converted with the limited-range BT.601 matrix VP8 uses (Y 16-235,
// Cb/Cr 16-240): image/color's full-range JFIF conversion, which At()
// applies, costs ~6-8 dB (27 instead of 35 dB at quality 75 on
// TestEncodeWebP's seed 1, with every channel 5-10 levels dark: the
// "blue bias" of the first reports). See webpPSNR.

// TestEncodeWebP checks the quality ladder on photo-like images: every
// output decodes at the input's size, PSNR grows with quality (above 30 dB
// at 75) and the output shrinks as quality falls.
func TestEncodeWebP(t *testing.T) {
	in := instance(t, EncodeWebP)
	qualities := []int{90, 75, 50, 10} // falling
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			img := photoImage(256, 192, seed)
			var prevPSNR float64
			prevSize := 0
			for i, q := range qualities {
				out, psnr := encodeWebPPSNR(t, in, img, q)
				t.Logf("quality %d: %d bytes (%.3f bytes/pixel), PSNR %.2f dB", q, len(out), float64(len(out))/float64(256*192), psnr)
				if floor := webpMinPSNR[q]; psnr < floor {
					t.Errorf("quality %d: PSNR %.2f dB, want >= %.1f dB", q, psnr, floor)
				}
				if i > 0 {
					if psnr >= prevPSNR {
						t.Errorf("quality %d: PSNR %.2f dB, want below quality %d's %.2f dB", q, psnr, qualities[i-1], prevPSNR)
					}
					if len(out) >= prevSize {
						t.Errorf("quality %d: %d bytes, want fewer than quality %d's %d", q, len(out), qualities[i-1], prevSize)
					}
				}
				prevPSNR, prevSize = psnr, len(out)
			}
		})
	}
}

// webpMinPSNR are floors for TestEncodeWebP's photo-like 256x192 images,
// about 1.5 dB under what the encoder gives (seeds 1 and 2: 29.0/29.3,
// 32.7/32.6, 35.0/35.0 and 38.0/38.0 dB at 10, 50, 75 and 90). 75 must
// stay above 30 dB in any case.
var webpMinPSNR = map[int]float64{10: 27.5, 50: 31, 75: 33.5, 90: 36.5}

// TestEncodeWebP_alpha checks alpha is composited onto white, not dropped:
// the output matches the input flattened on white, and is far from the
// input with its alpha ignored.
func TestEncodeWebP_alpha(t *testing.T) {
	in := instance(t, EncodeWebP)
	img := photoImage(64, 48, 3)
	for y := range img.Height {
		for x := range img.Width {
			img.Pix[4*(y*img.Width+x)+3] = byte(255 * x / (img.Width - 1)) // transparent left, opaque right
		}
	}
	out, psnr := encodeWebPPSNR(t, in, img, 90)
	if psnr < 36 {
		t.Errorf("PSNR against the input flattened on white %.2f dB, want >= 36 dB", psnr)
	}
	opaque := Image{Width: img.Width, Height: img.Height, Pix: bytes.Clone(img.Pix)}
	for i := 3; i < len(opaque.Pix); i += 4 {
		opaque.Pix[i] = 255
	}
	p := webpPSNR(t, out, opaque)
	t.Logf("PSNR %.2f dB against the input flattened on white, %.2f dB with alpha ignored", psnr, p)
	if p > psnr-10 {
		t.Errorf("PSNR against the input with alpha ignored %.2f dB, flattened %.2f dB: want alpha to matter", p, psnr)
	}
}

// TestEncodeWebP_sizes encodes edge sizes, up to the format's 16383 pixels
// per side, and checks each decodes at its size with a sane PSNR. The
// floors are loose: on images a few pixels across, photoLike spans its
// whole gradient in one or two rows and 4:2:0 chroma dominates the error
// (2x1 stays at 33 dB even at quality 100).
func TestEncodeWebP_sizes(t *testing.T) {
	in := instance(t, EncodeWebP)
	all, q75 := []int{0, 75, 100}, []int{75}
	for _, sz := range []struct {
		w, h      int
		qualities []int
	}{
		{1, 1, all}, {2, 1, all}, {1, 2, all}, {17, 3, all}, {3, 17, all},
		{15, 1, all}, {1, 15, all}, {31, 33, all}, {33, 31, all},
		{47, 9, all}, {16, 16, all}, {17, 17, all},
		{16383, 8, q75}, {8, 16383, q75},
	} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			img := photoImage(sz.w, sz.h, 4)
			for _, q := range sz.qualities {
				out, psnr := encodeWebPPSNR(t, in, img, q)
				t.Logf("quality %d: %d bytes, PSNR %.2f dB", q, len(out), psnr)
				if floor := webpMinPSNRSizes[q]; psnr < floor {
					t.Errorf("quality %d: PSNR %.2f dB, want >= %.1f dB", q, psnr, floor)
				}
			}
		})
	}
}

// webpMinPSNRSizes are TestEncodeWebP_sizes' floors, 2 dB under the
// lowest PSNR of any size (1x2 at 0, 17x3 at 75, 2x1 at 100).
var webpMinPSNRSizes = map[int]float64{0: 14, 75: 27, 100: 31}

// TestEncodeWebP_tooLarge checks sides over VP8's 14-bit limit fail with
// an error naming it, and leave the instance usable.
func TestEncodeWebP_tooLarge(t *testing.T) {
	in := instance(t, EncodeWebP)
	for _, sz := range []struct{ w, h int }{{16384, 8}, {8, 16384}, {20000, 1}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			img := Image{Width: sz.w, Height: sz.h, Pix: make([]byte, 4*sz.w*sz.h)}
			_, err := in.EncodeWebP(testCtx, img, 75)
			wantErr(t, err, ErrInvalid, "encodeWebp", fmt.Sprintf("%dx%d", sz.w, sz.h), "1-16383")
			equal(t, in.Closed(), false, "closed")
		})
	}
	_, psnr := encodeWebPPSNR(t, in, photoImage(16, 16, 5), 75)
	if psnr < 30 {
		t.Errorf("after the errors: PSNR %.2f dB, want >= 30 dB", psnr)
	}
}

func TestEncode_invalid(t *testing.T) {
	img := testPattern(8, 8, false)
	checkInvalid(t, []invalidCall{
		{"png level -1", EncodePNG, -1, img, ErrInvalid, []string{"level -1", "0-9"}},
		{"png level 10", EncodePNG, 10, img, ErrInvalid, []string{"level 10"}},
		{"jpeg quality 0", EncodeJPEG, 0, img, ErrInvalid, []string{"quality 0", "1-100"}},
		{"jpeg quality 101", EncodeJPEG, 101, img, ErrInvalid, []string{"quality 101"}},
		{"webp quality -1", EncodeWebP, -1, img, ErrInvalid, []string{"quality -1", "0-100"}},
		{"webp quality 101", EncodeWebP, 101, img, ErrInvalid, []string{"quality 101"}},
		{"png empty image", EncodePNG, 6, Image{}, ErrInvalid, []string{"image is 0x0"}},
		{"jpeg nil Pix", EncodeJPEG, 75, Image{Width: 8, Height: 8}, ErrInvalid, []string{"Pix has 0"}},
		{"png over pixel limit", EncodePNG, 6, Image{Width: 100000, Height: 1001}, ErrLimit, []string{"100100000 pixels"}},
	})
}

// photoImage is photoLike (the benchmarks' generator) as an Image.
func photoImage(w, h int, seed uint64) Image {
	return Image{Width: w, Height: h, Pix: photoLike(w, h, seed).Pix}
}

// encodeWebPPSNR encodes img at quality q, checks the output decodes with
// x/image/webp at img's size, and returns it with its PSNR.
func encodeWebPPSNR(t testing.TB, in *Instance, img Image, q int) ([]byte, float64) {
	t.Helper()
	out, err := in.EncodeWebP(testCtx, img, q)
	noErr(t, err, fmt.Sprintf("EncodeWebP(%dx%d, quality %d)", img.Width, img.Height, q))
	return out, webpPSNR(t, out, img)
}

// webpPSNR decodes a WebP file with x/image/webp and returns its PSNR over
// RGB in dB against src flattened on white (+Inf when identical).
func webpPSNR(t testing.TB, out []byte, src Image) float64 {
	t.Helper()
	m, err := webp.Decode(bytes.NewReader(out))
	noErr(t, err, "x/image/webp.Decode of our output")
	yc, ok := m.(*image.YCbCr)
	if !ok {
		t.Fatalf("x/image/webp.Decode gave a %T, want *image.YCbCr (lossy VP8 without alpha)", m)
	}
	if b := yc.Bounds(); b != image.Rect(0, 0, src.Width, src.Height) {
		t.Fatalf("decoded bounds %v, want %dx%d", b, src.Width, src.Height)
	}
	got := bt601ToRGB(yc)
	want := flattenOnWhite(src)
	var sse float64
	for i := range got.Pix {
		if i%4 == 3 {
			continue
		}
		d := float64(got.Pix[i]) - float64(want.Pix[i])
		sse += d * d
	}
	mse := sse / float64(3*src.Width*src.Height)
	return 10 * math.Log10(255*255/mse)
}

// bt601ToRGB converts a decoded VP8 picture to opaque RGBA with the
// limited-range BT.601 matrix, chroma upsampled by nearest neighbour.
func bt601ToRGB(m *image.YCbCr) Image {
	b := m.Bounds()
	out := Image{Width: b.Dx(), Height: b.Dy(), Pix: make([]byte, 4*b.Dx()*b.Dy())}
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			yy := 1.164 * (float64(m.Y[m.YOffset(x, y)]) - 16)
			ci := m.COffset(x, y)
			cb, cr := float64(m.Cb[ci])-128, float64(m.Cr[ci])-128
			out.Pix[i] = clamp8(yy + 1.596*cr)
			out.Pix[i+1] = clamp8(yy - 0.813*cr - 0.391*cb)
			out.Pix[i+2] = clamp8(yy + 2.018*cb)
			out.Pix[i+3] = 255
			i += 4
		}
	}
	return out
}

// flattenOnWhite composites img onto opaque white, rounding like the
// encoder: (c*a + 255*(255-a) + 127) / 255.
func flattenOnWhite(img Image) Image {
	out := Image{Width: img.Width, Height: img.Height, Pix: make([]byte, len(img.Pix))}
	for i := 0; i < len(img.Pix); i += 4 {
		a := int(img.Pix[i+3])
		for c := range 3 {
			out.Pix[i+c] = byte((int(img.Pix[i+c])*a + 255*(255-a) + 127) / 255)
		}
		out.Pix[i+3] = 255
	}
	return out
}
