package codecs

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"image/png"
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

func TestEncodeWebP(t *testing.T) {
	img := smoothPattern(64, 48)
	in := instance(t, EncodeWebP)
	tests := []struct {
		name    string
		quality int
		maxMean float64
	}{
		// Loose bounds: they catch a broken encoder, not a mediocre one.
		// (The first encode_webp.wasm gives ~6-9 at every quality, with a
		// blue bias of about -6: see the codecs report.)
		{"q0", 0, 40},
		{"q75", 75, 12},
		{"q100", 100, 10},
	}
	sizes := map[int]int{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := in.EncodeWebP(testCtx, img, tt.quality)
			noErr(t, err, "EncodeWebP")
			m, err := webp.Decode(bytes.NewReader(out))
			noErr(t, err, "x/image/webp.Decode of our output")
			got := toImage(m)
			if d := meanDiff(t, got, img); d > tt.maxMean {
				t.Fatalf("mean channel difference = %.2f, want <= %.2f", d, tt.maxMean)
			}
			sizes[tt.quality] = len(out)
		})
	}
	if sizes[0] >= sizes[100] {
		t.Fatalf("quality 0 gave %d bytes, quality 100 %d: want smaller", sizes[0], sizes[100])
	}
}

func TestEncode_invalid(t *testing.T) {
	img := testPattern(8, 8, false)
	tests := []struct {
		name      string
		op        Op
		arg       int
		img       Image
		target    error
		fragments []string
	}{
		{"png level -1", EncodePNG, -1, img, ErrInvalid, []string{"level -1", "0-9"}},
		{"png level 10", EncodePNG, 10, img, ErrInvalid, []string{"level 10"}},
		{"jpeg quality 0", EncodeJPEG, 0, img, ErrInvalid, []string{"quality 0", "1-100"}},
		{"jpeg quality 101", EncodeJPEG, 101, img, ErrInvalid, []string{"quality 101"}},
		{"webp quality -1", EncodeWebP, -1, img, ErrInvalid, []string{"quality -1", "0-100"}},
		{"webp quality 101", EncodeWebP, 101, img, ErrInvalid, []string{"quality 101"}},
		{"png empty image", EncodePNG, 6, Image{}, ErrInvalid, []string{"image is 0x0"}},
		{"jpeg nil Pix", EncodeJPEG, 75, Image{Width: 8, Height: 8}, ErrInvalid, []string{"Pix has 0"}},
		{"png over pixel limit", EncodePNG, 6, Image{Width: 100000, Height: 1001}, ErrLimit, []string{"100100000 pixels"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := instance(t, tt.op)
			_, err := encodeWith(in, tt.op, tt.img, tt.arg)
			wantErr(t, err, tt.target, tt.fragments...)
			equal(t, in.Closed(), false, "closed")
		})
	}
}

// encodeWith calls the encoder method of op.
func encodeWith(in *Instance, op Op, img Image, arg int) ([]byte, error) {
	switch op {
	case EncodePNG:
		return in.EncodePNG(testCtx, img, arg)
	case EncodeJPEG:
		return in.EncodeJPEG(testCtx, img, arg)
	}
	return in.EncodeWebP(testCtx, img, arg)
}
