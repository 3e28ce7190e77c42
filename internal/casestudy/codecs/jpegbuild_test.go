package codecs

import (
	"bytes"
	"encoding/binary"
)

// jpegSpec describes a JPEG to build by hand, as small as the format
// allows: one quantization table, and Huffman tables with one 1-bit code
// each (DC: difference category 0; AC: end of block), so every block of
// this flat mid-gray image costs exactly the floor lb_jpeg_scan enforces:
// 2 bits in a sequential scan, 1 bit in a progressive DC scan. Go's
// encoder writes neither progressive files nor such tables.
type jpegSpec struct {
	w, h        int
	sampling    []byte // H<<4|V per component: 1 or 3 components; nil = one 1x1
	progressive bool
	// entropy overrides the bytes of the first scan (nil: exactly enough
	// zero bits for every block).
	entropy []byte
	// acScans adds progressive AC scans (1-63 of component acComp, 0 by
	// default), each with acBytes bytes of data (zero bits: end-of-band
	// runs of 1).
	acScans, acBytes, acComp int
	noEOI                    bool
}

func (s jpegSpec) comps() []byte {
	if s.sampling == nil {
		return []byte{0x11}
	}
	return s.sampling
}

// blocks returns the blocks of the first scan: all components, interleaved
// when there are several.
func (s jpegSpec) blocks() (all, first int) {
	c := s.comps()
	hmax, vmax := 1, 1
	for _, hv := range c {
		hmax, vmax = max(hmax, int(hv>>4)), max(vmax, int(hv&15))
	}
	if len(c) == 1 {
		n := ((s.w + 7) / 8) * ((s.h + 7) / 8)
		return n, n
	}
	mcus := ((s.w + 8*hmax - 1) / (8 * hmax)) * ((s.h + 8*vmax - 1) / (8 * vmax))
	for _, hv := range c {
		all += mcus * int(hv>>4) * int(hv&15)
	}
	cw := (s.w*int(c[0]>>4) + hmax - 1) / hmax
	ch := (s.h*int(c[0]&15) + vmax - 1) / vmax
	return all, ((cw + 7) / 8) * ((ch + 7) / 8)
}

func segment(b *bytes.Buffer, marker byte, payload []byte) {
	b.Write([]byte{0xff, marker})
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(payload)+2))
	b.Write(n[:])
	b.Write(payload)
}

// build returns the JPEG file.
func (s jpegSpec) build() []byte {
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xd8})
	segment(&b, 0xdb, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...)) // DQT 0: all 1
	comps := s.comps()
	sof := []byte{8, byte(s.h >> 8), byte(s.h), byte(s.w >> 8), byte(s.w), byte(len(comps))}
	for i, hv := range comps {
		sof = append(sof, byte(i+1), hv, 0)
	}
	marker := byte(0xc0)
	if s.progressive {
		marker = 0xc2
	}
	segment(&b, marker, sof)
	one := append([]byte{1}, make([]byte, 15)...)                 // one code of length 1
	segment(&b, 0xc4, append(append([]byte{0x00}, one...), 0x00)) // DC 0: category 0
	segment(&b, 0xc4, append(append([]byte{0x10}, one...), 0x00)) // AC 0: EOB
	sos := []byte{byte(len(comps))}
	for i := range comps {
		sos = append(sos, byte(i+1), 0x00)
	}
	all, _ := s.blocks()
	bits := 2 * all
	if s.progressive {
		sos = append(sos, 0, 0, 0) // DC first: Ss=0 Se=0 Ah=Al=0
		bits = all
	} else {
		sos = append(sos, 0, 63, 0)
	}
	segment(&b, 0xda, sos)
	if s.entropy != nil {
		b.Write(s.entropy)
	} else {
		b.Write(make([]byte, (bits+7)/8))
	}
	for range s.acScans {
		segment(&b, 0xda, []byte{1, byte(s.acComp + 1), 0x00, 1, 63, 0})
		b.Write(make([]byte, s.acBytes))
	}
	if !s.noEOI {
		b.Write([]byte{0xff, 0xd9})
	}
	return b.Bytes()
}
