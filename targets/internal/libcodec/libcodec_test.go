package libcodec_test

import (
	"bytes"
	"image"
	"image/color"
	"testing"
	"unsafe"

	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/internal/testimage"
)

// PSNR floors of a round trip of testimage.Photo. webp's is low because
// gen2brain/webp v0.5.5 decodes to libwebp's limited-range (16-235) YUV and
// labels it as Go's full-range image.YCbCr, which costs about 28 dB even
// at quality 100; garbage scores near 10 dB.
const (
	webpFloor = 25.0 // dB, at quality 75
	avifFloor = 33.0 // dB, at quality 60
)

func TestRoundTrip(t *testing.T) {
	src := testimage.Photo(480, 320, 3)
	webp, err := libcodec.NewWebP()
	if err != nil {
		t.Fatal(err)
	}
	avif, err := libcodec.NewAVIF()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		codec interface {
			libcodec.Decoder
			libcodec.Encoder
		}
		quality int
		floor   float64
		want    string // the decoded image's type
	}{
		{"webp", webp, 75, webpFloor, "*image.NYCbCrA"},
		{"avif", avif, 60, avifFloor, "*image.RGBA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.codec.Encode(&buf, src, tc.quality); err != nil {
				t.Fatal(err)
			}
			got, err := tc.codec.Decode(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if typ := typeName(got); typ != tc.want {
				t.Errorf("decoded a %s, want %s", typ, tc.want)
			}
			psnr, err := testimage.PSNR(src, got)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s quality %d: %d bytes, PSNR %.2f dB", tc.name, tc.quality, buf.Len(), psnr)
			if psnr < tc.floor {
				t.Errorf("PSNR %.2f dB, want at least %.0f", psnr, tc.floor)
			}
			// The floor must be able to fail: another photo scores below it.
			other, err := testimage.PSNR(testimage.Photo(480, 320, 4), got)
			if err != nil {
				t.Fatal(err)
			}
			if other >= tc.floor {
				t.Errorf("a different image scores %.2f dB, above the floor %.0f", other, tc.floor)
			}
		})
	}
}

func TestHEICDecodesWithWazero(t *testing.T) {
	if _, err := libcodec.NewHEIC(); err != nil {
		t.Fatal(err)
	}
	if _, err := (libcodec.HEIC{}).Decode([]byte("not a heic file")); err == nil {
		t.Error("decoding garbage succeeded")
	}
}

func typeName(img image.Image) string {
	switch img.(type) {
	case *image.NYCbCrA:
		return "*image.NYCbCrA"
	case *image.YCbCr:
		return "*image.YCbCr"
	case *image.RGBA:
		return "*image.RGBA"
	case *image.NRGBA:
		return "*image.NRGBA"
	case *image.Gray:
		return "*image.Gray"
	}
	return "other"
}

// overlaps reports whether two byte slices share memory.
func overlaps(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	a0, b0 := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	return a0 < b0+uintptr(len(b)) && b0 < a0+uintptr(len(a))
}

func sample(r image.Rectangle) []image.Image {
	nycc := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio420)
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio422)
	imgs := []image.Image{image.NewRGBA(r), image.NewNRGBA(r), image.NewRGBA64(r), image.NewGray(r), ycc, nycc, image.NewCMYK(r)}
	for _, img := range imgs {
		for _, p := range libcodec.Planes(img) {
			for i := range p {
				p[i] = byte(i*7 + 3)
			}
		}
	}
	return imgs
}

func TestClone(t *testing.T) {
	r := image.Rect(1, 2, 9, 7)
	for _, img := range sample(r) {
		c := libcodec.Clone(img)
		if c.Bounds() != r {
			t.Errorf("%T: clone bounds %v, want %v", img, c.Bounds(), r)
		}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if a, b := color.NRGBA64Model.Convert(img.At(x, y)), color.NRGBA64Model.Convert(c.At(x, y)); a != b {
					t.Fatalf("%T: pixel %d,%d: clone %v, want %v", img, x, y, b, a)
				}
			}
		}
		for _, p := range libcodec.Planes(img) {
			for _, q := range libcodec.Planes(c) {
				if overlaps(p, q) {
					t.Errorf("%T: the clone shares memory with the original", img)
				}
			}
		}
		if got, want := libcodec.PixelBytes(c), libcodec.PixelBytes(img); got != want && libcodec.Planes(img) != nil {
			t.Errorf("%T: clone has %d bytes of pixels, want %d", img, got, want)
		}
	}
}

// TestCloneContiguous: gen2brain/webp's encoder reads an NYCbCrA's planes
// as one block from Y, so a clone must keep them contiguous, in order.
func TestCloneContiguous(t *testing.T) {
	m := libcodec.Clone(image.NewNYCbCrA(image.Rect(0, 0, 7, 5), image.YCbCrSubsampleRatio420)).(*image.NYCbCrA)
	end := func(p []byte) uintptr { return uintptr(unsafe.Pointer(&p[0])) + uintptr(len(p)) }
	start := func(p []byte) uintptr { return uintptr(unsafe.Pointer(&p[0])) }
	if end(m.Y) != start(m.Cb) || end(m.Cb) != start(m.Cr) || end(m.Cr) != start(m.A) {
		t.Error("the cloned planes are not one contiguous block Y, Cb, Cr, A")
	}
}

func TestPixelBytes(t *testing.T) {
	r := image.Rect(0, 0, 5, 3)
	for _, tc := range []struct {
		img  image.Image
		want int
	}{
		{image.NewRGBA(r), 60},
		{image.NewGray(r), 15},
		{image.NewNYCbCrA(r, image.YCbCrSubsampleRatio420), 15 + 6 + 6 + 15},
		{image.NewCMYK(r), 60}, // unknown to Planes: 4 bytes a pixel
	} {
		if got := libcodec.PixelBytes(tc.img); got != tc.want {
			t.Errorf("%T: %d bytes, want %d", tc.img, got, tc.want)
		}
	}
}

// fixed is a Decoder that returns the same image every time.
type fixed struct{ img image.Image }

func (f fixed) Decode([]byte) (image.Image, error) { return f.img, nil }

func TestCopyOut(t *testing.T) {
	orig := image.NewRGBA(image.Rect(0, 0, 4, 4))
	orig.Pix[5] = 42
	got, err := libcodec.CopyOut{Decoder: fixed{orig}}.Decode(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := got.(*image.RGBA)
	if !ok || !bytes.Equal(m.Pix, orig.Pix) {
		t.Fatalf("CopyOut returned %T with other pixels", got)
	}
	if overlaps(m.Pix, orig.Pix) {
		t.Error("CopyOut returned the decoder's pixels, not a copy")
	}
	if _, err := (libcodec.CopyOut{Decoder: libcodec.HEIC{}}).Decode([]byte("junk")); err == nil {
		t.Error("CopyOut hid the decoder's error")
	}
}
