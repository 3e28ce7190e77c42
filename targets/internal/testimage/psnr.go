package testimage

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// PSNR returns the peak signal-to-noise ratio of b against a in dB, over
// the red, green and blue channels of non-premultiplied 8-bit colour
// (+Inf when they are equal). The images must have the same size.
func PSNR(a, b image.Image) (float64, error) {
	ra, rb := a.Bounds(), b.Bounds()
	if ra.Dx() != rb.Dx() || ra.Dy() != rb.Dy() {
		return 0, fmt.Errorf("testimage: PSNR of a %dx%d and a %dx%d image", ra.Dx(), ra.Dy(), rb.Dx(), rb.Dy())
	}
	var sum float64
	for y := range ra.Dy() {
		for x := range ra.Dx() {
			ca := color.NRGBAModel.Convert(a.At(ra.Min.X+x, ra.Min.Y+y)).(color.NRGBA)
			cb := color.NRGBAModel.Convert(b.At(rb.Min.X+x, rb.Min.Y+y)).(color.NRGBA)
			for _, d := range [3]float64{float64(ca.R) - float64(cb.R), float64(ca.G) - float64(cb.G), float64(ca.B) - float64(cb.B)} {
				sum += d * d
			}
		}
	}
	mse := sum / float64(3*ra.Dx()*ra.Dy())
	if mse == 0 {
		return math.Inf(1), nil
	}
	return 10 * math.Log10(255*255/mse), nil
}
