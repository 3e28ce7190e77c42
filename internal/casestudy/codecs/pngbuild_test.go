package codecs

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// pngSpec describes a PNG to build by hand: Go's encoder writes neither
// gray+alpha, nor gray/RGB with tRNS, nor low-depth gray, nor Adam7.
type pngSpec struct {
	w, h       int
	depth      int  // bits per sample: 1, 2, 4, 8, 16
	colorType  byte // 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA
	interlaced bool
	trns       []byte // tRNS chunk payload, if any
	palette    int    // palette entries for colour type 3
}

func (s pngSpec) channels() int {
	return map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[s.colorType]
}

// sample returns the value of channel c at (x, y), within the depth.
func (s pngSpec) sample(x, y, c int) int {
	maxV := 1<<s.depth - 1
	if s.colorType == 3 {
		return (x + 3*y) % s.palette
	}
	v := (x*37 + y*91 + c*53 + x*y*7) * 2654435761 >> 7
	if s.depth == 16 {
		return v & maxV
	}
	return v % (maxV + 1)
}

// rows returns the raw (filter byte + packed samples) rows of a w x h
// image whose pixel (x, y) is pixel (ox+x*dx, oy+y*dy) of the full image.
func (s pngSpec) rows(w, h, ox, oy, dx, dy int) []byte {
	if w == 0 || h == 0 {
		return nil
	}
	var out []byte
	for y := range h {
		out = append(out, 0) // filter: none
		var acc, nbits int
		for x := range w {
			for c := range s.channels() {
				v := s.sample(ox+x*dx, oy+y*dy, c)
				if s.depth == 16 {
					out = append(out, byte(v>>8), byte(v))
					continue
				}
				acc = acc<<s.depth | v
				nbits += s.depth
				if nbits == 8 {
					out = append(out, byte(acc))
					acc, nbits = 0, 0
				}
			}
		}
		if nbits > 0 {
			out = append(out, byte(acc<<(8-nbits)))
		}
	}
	return out
}

// raw returns the whole uncompressed image data, pass by pass if
// interlaced.
func (s pngSpec) raw() []byte {
	if !s.interlaced {
		return s.rows(s.w, s.h, 0, 0, 1, 1)
	}
	var out []byte
	for _, p := range [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
		pw := max(0, (s.w-p[0]+p[2]-1)/p[2])
		ph := max(0, (s.h-p[1]+p[3]-1)/p[3])
		out = append(out, s.rows(pw, ph, p[0], p[1], p[2], p[3])...)
	}
	return out
}

// build returns the PNG file.
func (s pngSpec) build(t testing.TB) []byte {
	return buildPNG(t, s, s.raw())
}

// buildPNG writes a PNG with s's header and the given raw image data.
func buildPNG(t testing.TB, s pngSpec, raw []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	out.Write(magicPNG)
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(s.w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(s.h))
	ihdr[8], ihdr[9] = byte(s.depth), s.colorType
	if s.interlaced {
		ihdr[12] = 1
	}
	writeChunk(&out, "IHDR", ihdr)
	if s.colorType == 3 {
		plte := make([]byte, 3*s.palette)
		for i := range s.palette {
			plte[3*i], plte[3*i+1], plte[3*i+2] = byte(i*67), byte(255-i*29), byte(i*i)
		}
		writeChunk(&out, "PLTE", plte)
	}
	if s.trns != nil {
		writeChunk(&out, "tRNS", s.trns)
	}
	// Split the data over two IDAT chunks, as encoders may.
	d := zlibOf(t, raw)
	writeChunk(&out, "IDAT", d[:len(d)/2])
	writeChunk(&out, "IDAT", d[len(d)/2:])
	writeChunk(&out, "IEND", nil)
	return out.Bytes()
}

func writeChunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	c := crc32.NewIEEE()
	c.Write([]byte(typ))
	c.Write(data)
	b.WriteString(typ)
	b.Write(data)
	binary.BigEndian.PutUint32(n[:], c.Sum32())
	b.Write(n[:])
}
