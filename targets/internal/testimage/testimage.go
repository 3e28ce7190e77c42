// Package testimage makes the photo-like PNG sources the tests and the
// retention command feed the targets: smooth colour fields with edges,
// texture and a little noise, deterministic from a seed, so that lossy
// codecs compress them about as they compress photos.
package testimage

import (
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Photo returns a w×h opaque photo-like image made from seed.
func Photo(w, h int, seed uint64) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 0x7e57))
	type wave struct{ fx, fy, phase, amp float64 }
	var waves [3][4]wave
	for c := range waves {
		for i := range waves[c] {
			waves[c][i] = wave{r.Float64() * 6, r.Float64() * 6, r.Float64() * 2 * math.Pi, 0.1 + r.Float64()*0.15}
		}
	}
	// A few discs with hard edges, like objects in a scene.
	type disc struct{ x, y, rad, shade float64 }
	discs := make([]disc, 6)
	for i := range discs {
		discs[i] = disc{r.Float64(), r.Float64(), 0.05 + r.Float64()*0.15, r.Float64()*0.4 - 0.2}
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		fy := float64(y) / float64(h)
		for x := range w {
			fx := float64(x) / float64(w)
			edge := 0.0
			for _, d := range discs {
				if dx, dy := fx-d.x, (fy-d.y)*float64(h)/float64(w); dx*dx+dy*dy < d.rad*d.rad {
					edge += d.shade
				}
			}
			texture := 0.03 * math.Sin(float64(x)*0.35+3*math.Sin(float64(y)*0.05))
			o := img.PixOffset(x, y)
			for c := range 3 {
				v := 0.5 + edge + texture
				for _, wv := range waves[c] {
					v += wv.amp * math.Sin(2*math.Pi*(wv.fx*fx+wv.fy*fy)+wv.phase)
				}
				v += (r.Float64() - 0.5) * 0.02
				img.Pix[o+c] = uint8(math.Round(255 * min(max(v, 0), 1)))
			}
			img.Pix[o+3] = 255
		}
	}
	return img
}

// WritePNG writes img to dir/name as PNG and returns the path.
func WritePNG(dir, name string, img image.Image) (string, error) {
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		return "", fmt.Errorf("testimage: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return "", fmt.Errorf("testimage: %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("testimage: %w", err)
	}
	return p, nil
}
