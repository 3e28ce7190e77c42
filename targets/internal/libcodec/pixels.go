package libcodec

import (
	"image"
	"image/draw"
	"slices"
)

// Planes returns the pixel planes of img, in memory order: one plane for
// the interleaved types, Y, Cb, Cr (and A) for the YCbCr types. The planes
// are img's own slices, not copies. Types other than those the libraries
// and the flow produce give nil.
func Planes(img image.Image) [][]byte {
	switch m := img.(type) {
	case *image.RGBA:
		return [][]byte{m.Pix}
	case *image.NRGBA:
		return [][]byte{m.Pix}
	case *image.RGBA64:
		return [][]byte{m.Pix}
	case *image.Gray:
		return [][]byte{m.Pix}
	case *image.YCbCr:
		return [][]byte{m.Y, m.Cb, m.Cr}
	case *image.NYCbCrA:
		return [][]byte{m.Y, m.Cb, m.Cr, m.A}
	}
	return nil
}

// PixelBytes returns the size of img's pixels: the total length of its
// planes (for an image type Planes does not know, 4 bytes a pixel).
func PixelBytes(img image.Image) int {
	p := Planes(img)
	if p == nil {
		b := img.Bounds()
		return 4 * b.Dx() * b.Dy()
	}
	n := 0
	for _, plane := range p {
		n += len(plane)
	}
	return n
}

// Clone returns a copy of img that shares no memory with it. The planes of
// a YCbCr image are copied into one allocation laid out as the libraries lay
// them out (gen2brain/webp's encoder reads an NYCbCrA's planes as one
// contiguous block starting at Y). Types Planes does not know are drawn into
// a new *image.NRGBA.
func Clone(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.RGBA:
		c := *m
		c.Pix = slices.Clone(m.Pix)
		return &c
	case *image.NRGBA:
		c := *m
		c.Pix = slices.Clone(m.Pix)
		return &c
	case *image.RGBA64:
		c := *m
		c.Pix = slices.Clone(m.Pix)
		return &c
	case *image.Gray:
		c := *m
		c.Pix = slices.Clone(m.Pix)
		return &c
	case *image.YCbCr:
		c := *m
		p := cloneContiguous(m.Y, m.Cb, m.Cr)
		c.Y, c.Cb, c.Cr = p[0], p[1], p[2]
		return &c
	case *image.NYCbCrA:
		c := *m
		p := cloneContiguous(m.Y, m.Cb, m.Cr, m.A)
		c.Y, c.Cb, c.Cr, c.A = p[0], p[1], p[2], p[3]
		return &c
	}
	b := img.Bounds()
	c := image.NewNRGBA(b)
	draw.Draw(c, b, img, b.Min, draw.Src)
	return c
}

// cloneContiguous copies planes into one new buffer and returns the copies,
// each capped at its own length.
func cloneContiguous(planes ...[]byte) [][]byte {
	n := 0
	for _, p := range planes {
		n += len(p)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(planes))
	for i, p := range planes {
		start := len(buf)
		buf = append(buf, p...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}
