package testimage_test

import (
	"image"
	"image/color"
	"math"
	"slices"
	"testing"

	"github.com/leakbench/leakbench/targets/internal/testimage"
)

func TestPhoto(t *testing.T) {
	a, b := testimage.Photo(64, 48, 1), testimage.Photo(64, 48, 1)
	if !slices.Equal(a.Pix, b.Pix) {
		t.Error("the same seed gave different pixels")
	}
	if c := testimage.Photo(64, 48, 2); slices.Equal(a.Pix, c.Pix) {
		t.Error("another seed gave the same pixels")
	}
	if !a.Opaque() {
		t.Error("not opaque")
	}
}

func TestPSNR(t *testing.T) {
	a := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	b := image.NewNRGBA(image.Rect(10, 10, 14, 14)) // bounds may differ in origin
	if p, err := testimage.PSNR(a, b); err != nil || !math.IsInf(p, 1) {
		t.Errorf("equal images: %v, %v; want +Inf", p, err)
	}
	// One channel of one pixel off by 255: MSE = 255²/48, PSNR = 10·log10(48).
	b.SetNRGBA(10, 10, color.NRGBA{R: 255})
	want := 10 * math.Log10(48)
	if p, err := testimage.PSNR(a, b); err != nil || math.Abs(p-want) > 1e-9 {
		t.Errorf("PSNR %v, %v; want %v", p, err, want)
	}
	if _, err := testimage.PSNR(a, image.NewNRGBA(image.Rect(0, 0, 4, 5))); err == nil {
		t.Error("different sizes gave no error")
	}
}
