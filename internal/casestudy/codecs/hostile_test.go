package codecs

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Hand-made PNG pieces for hostile files.

func chunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	writeChunk(&b, typ, data)
	return b.Bytes()
}

func pngFile(chunks ...[]byte) []byte {
	return bytes.Join(append([][]byte{magicPNG}, chunks...), nil)
}

func ihdr(w, h int, depth, colorType byte, interlaced bool) []byte {
	d := make([]byte, 13)
	binary.BigEndian.PutUint32(d, uint32(w))
	binary.BigEndian.PutUint32(d[4:], uint32(h))
	d[8], d[9] = depth, colorType
	if interlaced {
		d[12] = 1
	}
	return chunk("IHDR", d)
}

func zlibOf(t testing.TB, raw []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	noErr(t, err, "zlib")
	_, err = zw.Write(raw)
	noErr(t, err, "zlib write")
	noErr(t, zw.Close(), "zlib close")
	return z.Bytes()
}

// deflateZeros returns a raw deflate stream of mib MiB of zeros, made of one
// compressed MiB repeated (every block refers only to zeros, so any
// repetition is valid), ending with an empty final block.
func deflateZeros(t testing.TB, mib int) []byte {
	t.Helper()
	var one bytes.Buffer
	fw, err := flate.NewWriter(&one, flate.BestCompression)
	noErr(t, err, "flate")
	_, err = fw.Write(make([]byte, 1<<20))
	noErr(t, err, "flate write")
	noErr(t, fw.Flush(), "flate flush") // byte-aligned, not final
	block := bytes.Clone(one.Bytes())
	out := bytes.Repeat(block, mib)
	return append(out, 0x03, 0x00) // a final fixed-Huffman block with only end-of-block
}

// zlibWrap puts a zlib header (window 2^(8+cinfo)) and an Adler-32 of adler
// around a raw deflate stream.
func zlibWrap(deflate []byte, cinfo byte, adler uint32) []byte {
	cmf := cinfo<<4 | 8
	flg := byte(2 << 6) // default compression level
	flg += byte(31 - (uint16(cmf)<<8|uint16(flg))%31)
	out := append([]byte{cmf, flg}, deflate...)
	return binary.BigEndian.AppendUint32(out, adler)
}

// rgbaPNG returns a PNG declaring w x h RGBA8 with the given zlib data.
func rgbaPNG(w, h int, z []byte) []byte {
	return pngFile(ihdr(w, h, 8, 6, false), chunk("IDAT", z), chunk("IEND", nil))
}

// decodeFresh decodes src on a fresh instance and returns the result, the
// error and how much linear memory grew.
func decodeFresh(t testing.TB, src []byte) (Image, error, uint64) {
	img, err, grew, _ := decodeTimed(t, src)
	return img, err, grew
}

// decodeTimed is decodeFresh that also returns how long Decode took.
func decodeTimed(t testing.TB, src []byte) (Image, error, uint64, time.Duration) {
	t.Helper()
	in := instance(t, Decode)
	before := in.MemorySize()
	start := time.Now()
	img, err := in.Decode(testCtx, src)
	elapsed := time.Since(start)
	if in.Closed() {
		t.Fatalf("the decode closed the instance: %v", err)
	}
	return img, err, in.MemorySize() - before, elapsed
}

// notOutOfMemory fails when err claims the guest ran out of memory.
func notOutOfMemory(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, ErrOutOfMemory) {
		t.Fatalf("error %q wraps ErrOutOfMemory", err)
	}
}

// TestDecode_bombs: image data that inflates far past what the header
// declares fails inside the guest, whichever header the stream has, after
// growing memory by no more than the header's own image data.
func TestDecode_bombs(t *testing.T) {
	const w, h = 64, 48
	want := uint64(h * (1 + 4*w)) // raw image data the header declares
	zeros16 := deflateZeros(t, 16)
	tests := []struct {
		name      string
		src       []byte
		fragments []string
	}{
		{"zlib window 2^15, 16 MiB", rgbaPNG(w, h, zlibWrap(zeros16, 7, 0)), []string{"inflates past the 12336 bytes its 64x48 header declares"}},
		{"zlib window 2^23 (CINFO 15), 16 MiB", rgbaPNG(w, h, zlibWrap(zeros16, 15, 0)), []string{"zlib window size 2^23, over the 32 KiB maximum"}},
		{"CgBI raw deflate, 4 GiB", pngFile(chunk("CgBI", []byte{0x50, 0, 0x20, 2}), ihdr(w, h, 8, 6, false),
			chunk("IDAT", deflateZeros(t, 4096)), chunk("IEND", nil)), []string{"inflates past the 12336 bytes its 64x48 header declares"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err, grew := decodeFresh(t, tt.src)
			wantErr(t, err, ErrCorrupt, tt.fragments...)
			notOutOfMemory(t, err)
			if bound := uint64(len(tt.src)) + want + 1<<20; grew > bound {
				t.Fatalf("linear memory grew by %d bytes, over %d (input + declared image data + 1 MiB)", grew, bound)
			}
		})
	}
}

// TestDecode_lyingHeaders: a header must be justified by the file's size,
// and a file that can't be fails before the guest allocates for it, while
// legitimately flat images, which come close to that floor, decode.
func TestDecode_lyingHeaders(t *testing.T) {
	png100k := rgbaPNG(100000, 1000, zlibOf(t, make([]byte, 200)))
	tests := []struct {
		name      string
		src       []byte
		fragments []string
	}{
		{"png 100000x1000 in a few hundred bytes", png100k, []string{"100000x1000", "inflate to at most", "1032:1"}},
		{"jpeg 10000x10000 in 200 bytes", jpegSpec{w: 10000, h: 10000, entropy: make([]byte, 60)}.build(),
			[]string{"10000x10000", "1562500 blocks in 60 bytes", "2 bits per block"}},
		{"Go's jpeg patched to 10000x10000", jpegWithSize(t, 10000, 10000), []string{"10000x10000", "2 bits per block"}},
		{"progressive jpeg 10000x10000 in 300 bytes", jpegSpec{w: 10000, h: 10000, progressive: true, entropy: make([]byte, 200)}.build(),
			[]string{"first DC scan needs at least 1 bit per block"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err, grew := decodeFresh(t, tt.src)
			wantErr(t, err, ErrCorrupt, tt.fragments...)
			if grew > uint64(len(tt.src))+pageSize {
				t.Fatalf("linear memory grew by %d bytes for a %d-byte file", grew, len(tt.src))
			}
		})
	}
	if len(png100k) > 400 {
		t.Errorf("the lying PNG has %d bytes, want a few hundred", len(png100k))
	}

	solid := image.NewNRGBA(image.Rect(0, 0, 4000, 3000))
	for i := range solid.Pix {
		solid.Pix[i] = []byte{90, 140, 200, 255}[i%4]
	}
	var goJPEG bytes.Buffer
	noErr(t, jpeg.Encode(&goJPEG, solid, &jpeg.Options{Quality: 90}), "jpeg.Encode")
	flat := []struct {
		name string
		src  []byte
		px   [4]byte // every pixel, within 2 per channel for JPEG
	}{
		{"solid 4000x3000 png (Go's encoder)", encodePNG(t, solid), [4]byte{90, 140, 200, 255}},
		{"black 4000x3000 1-bit gray png", buildPNG(t, pngSpec{w: 4000, h: 3000, depth: 1}, make([]byte, 3000*(1+500))), [4]byte{0, 0, 0, 255}},
		{"solid 4000x3000 jpeg (Go's encoder)", goJPEG.Bytes(), [4]byte{90, 140, 200, 255}},
		{"gray 4000x3000 jpeg at the 2-bit floor", jpegSpec{w: 4000, h: 3000}.build(), [4]byte{128, 128, 128, 255}},
		{"gray 4000x3000 4:2:0 jpeg at the floor", jpegSpec{w: 4000, h: 3000, sampling: []byte{0x22, 0x11, 0x11}}.build(), [4]byte{128, 128, 128, 255}},
		{"gray 4000x3000 progressive jpeg at the 1-bit floor", jpegSpec{w: 4000, h: 3000, progressive: true, acScans: 5, acBytes: 3}.build(), [4]byte{128, 128, 128, 255}},
	}
	// Uninterruptible, as the builtin's library is without an op timeout:
	// the guest decodes 12 MP several times faster, and the floors are
	// checked in the host before it runs either way.
	in := instanceOf(t, benchLibrary(t, false), Decode)
	for _, tt := range flat {
		t.Run(tt.name, func(t *testing.T) {
			img, err := in.Decode(testCtx, tt.src)
			noErr(t, err, "Decode")
			t.Logf("%d bytes decode to %dx%d", len(tt.src), img.Width, img.Height)
			equal(t, img.Width*img.Height, 4000*3000, "pixels")
			for i, v := range img.Pix {
				if d := int(v) - int(tt.px[i%4]); d < -2 || d > 2 {
					t.Fatalf("byte %d = %d, want %d", i, v, tt.px[i%4])
				}
			}
		})
	}
}

// TestDecode_progressiveFlood: a progressive JPEG may not make the decoder
// walk its frame more than LB_JPEG_MAX_PASSES times or hold more than
// LB_JPEG_MAX_SCANS scans; a file too small for its DC scan fails before.
func TestDecode_progressiveFlood(t *testing.T) {
	tests := []struct {
		name      string
		spec      jpegSpec
		target    error
		fragments []string
	}{
		{"10000x10000, 5000 empty scans, no DC data", jpegSpec{w: 10000, h: 10000, progressive: true, entropy: []byte{}, acScans: 5000},
			ErrCorrupt, []string{"first DC scan needs at least 1 bit per block"}},
		{"10000x10000, 100 empty scans, no DC data", jpegSpec{w: 10000, h: 10000, progressive: true, entropy: []byte{}, acScans: 100},
			ErrCorrupt, []string{"first DC scan needs at least 1 bit per block"}},
		{"10000x10000 gray, full DC, 5000 empty scans", jpegSpec{w: 10000, h: 10000, progressive: true, acScans: 5000},
			ErrLimit, []string{"over 64 passes over the frame's 1562500 blocks"}},
		{"4000x3000 4:2:0, full DC, 300 chroma scans", jpegSpec{w: 4000, h: 3000, sampling: []byte{0x22, 0x11, 0x11}, progressive: true, acScans: 300, acComp: 2},
			ErrLimit, []string{"more than 256 scans"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.spec.build()
			_, err, grew, elapsed := decodeTimed(t, src)
			t.Logf("%d bytes: failed in %v, memory grew by %d bytes", len(src), elapsed, grew)
			wantErr(t, err, tt.target, tt.fragments...)
			if grew > uint64(len(src))+pageSize {
				t.Fatalf("linear memory grew by %d bytes for a %d-byte file", grew, len(src))
			}
		})
	}
	if n := len(tests[0].spec.build()); n < 40000 || n > 60000 {
		t.Errorf("the 5000-scan file has %d bytes, want about 50 KB", n)
	}
}

// paletteImage returns a 64x48 8-bit palette PNG with palette colours
// and pixel (x, y) = index(x, y).
func paletteImage(t testing.TB, colours int, index func(x, y int) byte) []byte {
	plte := make([]byte, 3*colours)
	for i := range plte {
		plte[i] = byte(i*37 + 11)
	}
	raw := make([]byte, 0, 48*65)
	for y := range 48 {
		raw = append(raw, 0)
		for x := range 64 {
			raw = append(raw, index(x, y))
		}
	}
	return pngFile(ihdr(64, 48, 8, 3, false), chunk("PLTE", plte), chunk("IDAT", zlibOf(t, raw)), chunk("IEND", nil))
}

// TestDecode_paletteIsolation: indices past the palette decode the same on
// a fresh instance and on one that decoded another palette image first:
// opaque black, as libpng leaves undefined entries, never the previous
// image's colours.
func TestDecode_paletteIsolation(t *testing.T) {
	full := paletteImage(t, 256, func(x, y int) byte { return byte(x*4 + y) })
	short := paletteImage(t, 4, func(x, y int) byte { return byte(x*4 + y) }) // indices up to 255, 4 colours

	again := decodeAfter(t, full, "the full palette", short)
	for i := 0; i < len(again.Pix); i += 4 {
		x, y := i/4%64, i/4/64
		idx := byte(x*4 + y)
		if idx < 4 {
			continue
		}
		if px := again.Pix[i : i+4]; !bytes.Equal(px, []byte{0, 0, 0, 255}) {
			t.Fatalf("pixel (%d, %d) with index %d past the 4-colour palette = %v, want opaque black", x, y, idx, px)
		}
	}
}

// TestDecode_uninitialisedJPEGState: coefficients no scan writes (a
// progressive file with DC scans only) decode the same on a fresh instance
// and on one that decoded a full progressive image of the same size first.
func TestDecode_uninitialisedJPEGState(t *testing.T) {
	full := readTestdata(t, "progressive.jpg")
	dcOnly := jpegSpec{w: 64, h: 48, sampling: []byte{0x22, 0x11, 0x11}, progressive: true}.build()
	decodeAfter(t, full, "the full progressive image", dcOnly)
}

// decodeAfter decodes src on a fresh instance and on one that decoded
// first (described by what) before it, fails the test unless both give
// the same pixels, and returns the reused instance's image.
func decodeAfter(t *testing.T, first []byte, what string, src []byte) Image {
	t.Helper()
	fresh, err, _ := decodeFresh(t, src)
	noErr(t, err, "Decode on a fresh instance")
	reused := instance(t, Decode)
	_, err = reused.Decode(testCtx, first)
	noErr(t, err, "Decode of "+what)
	again, err := reused.Decode(testCtx, src)
	noErr(t, err, "Decode on the reused instance")
	if !bytes.Equal(fresh.Pix, again.Pix) {
		t.Fatal("the same file decodes differently on a fresh and on a reused instance")
	}
	return again
}

// TestDecode_corruption: what libpng checks by default (critical-chunk
// CRCs, Adler-32) and truncation fail, with the cause named.
func TestDecode_corruption(t *testing.T) {
	spec := pngSpec{w: 37, h: 23, depth: 8, colorType: 3, palette: 16, trns: make([]byte, 16)}
	good := spec.build(t)
	flipCRC := func(typ string) []byte {
		b := bytes.Clone(good)
		i := bytes.Index(b, []byte(typ))
		n := int(binary.BigEndian.Uint32(b[i-4:]))
		b[i+4+n] ^= 0x01
		return b
	}
	z := zlibOf(t, spec.raw())
	badAdler := bytes.Clone(z)
	badAdler[len(badAdler)-1] ^= 0x01
	plte := good[bytes.Index(good, []byte("PLTE"))-4:]
	plte = plte[:12+binary.BigEndian.Uint32(plte)]
	adlerPNG := pngFile(ihdr(37, 23, 8, 3, false), plte, chunk("IDAT", badAdler), chunk("IEND", nil))
	jp := jpegSpec{w: 64, h: 48}.build()
	var gj bytes.Buffer
	noErr(t, jpeg.Encode(&gj, toNRGBA(testPattern(64, 48, false)), nil), "jpeg.Encode")

	tests := []struct {
		name      string
		src       []byte
		fragments []string
	}{
		{"png bad IDAT CRC", flipCRC("IDAT"), []string{"CRC mismatch in chunk IDAT"}},
		// image/png's header parse, on the host, reads up to PLTE (and tRNS)
		// of a palette image and checks their CRCs itself.
		{"png bad PLTE CRC", flipCRC("PLTE"), []string{"png header", "invalid checksum"}},
		{"png bad IEND CRC", flipCRC("IEND"), []string{"CRC mismatch in chunk IEND"}},
		{"png bad Adler-32", adlerPNG, []string{"Adler-32 mismatch in the image data"}},
		{"png without IEND", good[:len(good)-12], []string{"truncated", "without an IEND chunk"}},
		{"png truncated in IDAT", good[:len(good)-40], []string{"truncated: chunk IDAT", "declares"}},
		{"jpeg without EOI", jp[:len(jp)-2], []string{"truncated", "entropy-coded data of scan 1"}},
		{"Go's jpeg truncated in data", gj.Bytes()[:gj.Len()/2], []string{"truncated"}},
		{"jpeg truncated in a segment", gj.Bytes()[:30], []string{"jpeg header"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err, _ := decodeFresh(t, tt.src)
			wantErr(t, err, ErrCorrupt, tt.fragments...)
		})
	}
	// A bad CRC in an ancillary chunk drops the chunk, as libpng does: here
	// tRNS of a gray image, which then decodes opaque. (For a palette
	// image, image/png's header parse on the host rejects it.)
	gray := pngSpec{w: 37, h: 23, depth: 8, colorType: 0}
	gray.trns = trns16(gray.sample(0, 0, 0))
	g := gray.build(t)
	i := bytes.Index(g, []byte("tRNS"))
	g[i+4+2] ^= 0x01
	img, err, _ := decodeFresh(t, g)
	noErr(t, err, "Decode with a bad tRNS CRC")
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] != 255 {
			t.Fatalf("alpha at %d = %d: the tRNS with a bad CRC was used", i, img.Pix[i])
		}
	}
}

// TestDecode_errorCauses: errors say what is wrong, and tell corrupt from
// over a limit from out of memory.
func TestDecode_errorCauses(t *testing.T) {
	good := pngSpec{w: 37, h: 23, depth: 8, colorType: 6}.build(t)
	withIDATLength := func(n uint32) []byte {
		b := bytes.Clone(good)
		i := bytes.Index(b, []byte("IDAT"))
		binary.BigEndian.PutUint32(b[i-4:], n)
		return b
	}
	// A zlib stream whose first deflate block has the reserved type 3.
	type3 := rgbaPNG(37, 23, zlibWrap([]byte{0x07, 0, 0, 0}, 7, 0))
	badFilter := buildPNG(t, pngSpec{w: 4, h: 2, depth: 8, colorType: 0}, []byte{9, 1, 2, 3, 4, 0, 1, 2, 3, 4})
	// Every block's bits decode to a code the 1-code Huffman table lacks.
	badHuffman := jpegSpec{w: 64, h: 48, entropy: bytes.Repeat([]byte{0x7f}, 64)}.build()
	tests := []struct {
		name      string
		src       []byte
		limits    Limits
		target    error
		fragments []string
	}{
		{"chunk length 0x7ffffff0", withIDATLength(0x7ffffff0), Limits{}, ErrCorrupt, []string{"truncated: chunk IDAT", "declares 2147483632 bytes"}},
		{"chunk length 0xffffffff", withIDATLength(0xffffffff), Limits{}, ErrCorrupt, []string{"declares length 4294967295 (0xffffffff), over PNG's limit of 2^31-1"}},
		{"deflate block type 3", type3, Limits{}, ErrCorrupt, []string{"deflate block of the reserved type 3"}},
		{"png filter type 9", badFilter, Limits{}, ErrCorrupt, []string{"invalid filter (stb_image)"}},
		{"jpeg bad huffman code", badHuffman, Limits{}, ErrCorrupt, []string{"bad huffman code (stb_image)"}},
		{"over the pixel limit", good, Limits{MaxPixels: 800}, ErrLimit, []string{"37x23 = 851 pixels, over the limit of 800 pixels"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib := testLibrary(t)
			if tt.limits != (Limits{}) {
				var err error
				lib, err = New(testCtx, Options{Limits: tt.limits, CacheDir: testCacheDir})
				noErr(t, err, "New")
				defer lib.Close(testCtx)
			}
			in := instanceOf(t, lib, Decode)
			_, err := in.Decode(testCtx, tt.src)
			wantErr(t, err, tt.target, tt.fragments...)
			notOutOfMemory(t, err)
			for _, vague := range []string{"unknown error", "no message", "gave no reason"} {
				if strings.Contains(err.Error(), vague) {
					t.Fatalf("error %q is vague", err)
				}
			}
		})
	}
}

// readTestdata reads a file from testdata/.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	noErr(t, err, "reading testdata/"+name)
	return b
}

// hostileFile is one file of the hostile corpus.
type hostileFile struct {
	class, name string
	src         []byte
	target      error // the error it must fail with; nil: any cause, or success
}

// hostileCorpus generates the hostile corpus: every class of issue 16 and
// seeded random mutations of valid files.
func hostileCorpus(t testing.TB) []hostileFile {
	var files []hostileFile
	add := func(class, name string, src []byte, target error) {
		files = append(files, hostileFile{class, name, src, target})
	}
	// Bombs: stream sizes, window sizes, CgBI, colour types.
	for _, mib := range []int{1, 4, 16, 64} {
		zeros := deflateZeros(t, mib)
		for _, cinfo := range []byte{7, 15} {
			want := ErrCorrupt
			add("bomb", "zlib", rgbaPNG(64, 48, zlibWrap(zeros, cinfo, 0)), want)
		}
		add("bomb", "cgbi", pngFile(chunk("CgBI", []byte{0x50, 0, 0x20, 2}), ihdr(64, 48, 8, 6, false), chunk("IDAT", zeros), chunk("IEND", nil)), ErrCorrupt)
		add("bomb", "gray1", pngFile(ihdr(1000, 1000, 1, 0, false), chunk("IDAT", zlibWrap(zeros, 7, 0)), chunk("IEND", nil)), ErrCorrupt)
		add("bomb", "adam7", pngFile(ihdr(300, 200, 8, 2, true), chunk("IDAT", zlibWrap(zeros, 7, 0)), chunk("IEND", nil)), ErrCorrupt)
	}
	// Lying headers.
	for _, d := range [][2]int{{100000, 1000}, {10000, 10000}, {131072, 700}, {5000, 5000}, {1000, 100000}} {
		for _, ct := range []struct{ depth, color byte }{{8, 6}, {1, 0}, {16, 2}, {8, 3}} {
			var plte []byte
			if ct.color == 3 {
				plte = chunk("PLTE", make([]byte, 12))
			}
			add("lying header", "png", pngFile(ihdr(d[0], d[1], ct.depth, ct.color, false), plte, chunk("IDAT", zlibOf(t, make([]byte, 300))), chunk("IEND", nil)), nil)
		}
		if d[0] <= 65535 && d[1] <= 65535 {
			add("lying header", "jpeg baseline", jpegSpec{w: d[0], h: d[1], entropy: make([]byte, 100)}.build(), nil)
			add("lying header", "jpeg progressive", jpegSpec{w: d[0], h: d[1], progressive: true, entropy: make([]byte, 100)}.build(), nil)
			add("lying header", "jpeg 4:2:0", jpegSpec{w: d[0], h: d[1], sampling: []byte{0x22, 0x11, 0x11}, entropy: make([]byte, 150)}.build(), nil)
			add("lying header", "Go's jpeg", jpegWithSize(t, d[0], d[1]), nil)
		}
	}
	for _, s := range []int{60000, 65535, 30000} {
		add("lying header", "jpeg", jpegSpec{w: s, h: s, entropy: make([]byte, 200)}.build(), nil)
	}
	// Progressive scan floods.
	for _, scans := range []int{10, 100, 257, 1000, 5000} {
		add("progressive flood", "no DC data", jpegSpec{w: 10000, h: 10000, progressive: true, entropy: []byte{}, acScans: scans}.build(), ErrCorrupt)
		add("progressive flood", "2000x2000 full DC", jpegSpec{w: 2000, h: 2000, progressive: true, acScans: scans}.build(), nil)
		add("progressive flood", "chroma scans", jpegSpec{w: 1000, h: 1000, sampling: []byte{0x22, 0x11, 0x11}, progressive: true, acScans: scans, acComp: 1 + scans%2}.build(), nil)
	}
	// Palettes.
	for _, n := range []int{1, 2, 4, 16, 100, 255, 256} {
		add("palette", "indices past PLTE", paletteImage(t, n, func(x, y int) byte { return byte(x*5 + y*3) }), nil)
	}
	for _, bad := range []struct {
		name   string
		chunks [][]byte
	}{
		{"no PLTE", [][]byte{ihdr(8, 8, 8, 3, false), chunk("IDAT", zlibOf(t, make([]byte, 72))), chunk("IEND", nil)}},
		{"tRNS longer than PLTE", [][]byte{ihdr(8, 8, 8, 3, false), chunk("PLTE", make([]byte, 6)), chunk("tRNS", make([]byte, 5)), chunk("IDAT", zlibOf(t, make([]byte, 72))), chunk("IEND", nil)}},
		{"PLTE of 257 entries", [][]byte{ihdr(8, 8, 8, 3, false), chunk("PLTE", make([]byte, 771)), chunk("IDAT", zlibOf(t, make([]byte, 72))), chunk("IEND", nil)}},
		{"PLTE after IDAT", [][]byte{ihdr(8, 8, 8, 3, false), chunk("IDAT", zlibOf(t, make([]byte, 72))), chunk("PLTE", make([]byte, 6)), chunk("IEND", nil)}},
		{"PLTE in gray", [][]byte{ihdr(8, 8, 8, 0, false), chunk("PLTE", make([]byte, 6)), chunk("IDAT", zlibOf(t, make([]byte, 72))), chunk("IEND", nil)}},
		{"depth 16 palette", [][]byte{ihdr(8, 8, 16, 3, false), chunk("PLTE", make([]byte, 6)), chunk("IDAT", zlibOf(t, make([]byte, 136))), chunk("IEND", nil)}},
	} {
		add("palette", bad.name, pngFile(bad.chunks...), ErrCorrupt)
	}
	addCorruptedSeeds(t, add)
	return files
}

// addCorruptedSeeds adds the corpus made from valid seed files: bad CRCs,
// bad Adler-32s, truncations, bad chunk and segment lengths, and seeded
// random mutations.
func addCorruptedSeeds(t testing.TB, add func(class, name string, src []byte, target error)) {
	// CRC, Adler-32, truncation.
	seeds := validSeeds(t)
	for _, s := range seeds {
		if s.format == PNG {
			for p := 8; p+8 <= len(s.src); {
				n := int(binary.BigEndian.Uint32(s.src[p:]))
				b := bytes.Clone(s.src)
				b[p+8+n] ^= 0x80
				typ := string(s.src[p+4 : p+8])
				var want error = ErrCorrupt
				if typ[0]&0x20 != 0 {
					want = nil // ancillary: dropped
				}
				add("crc", s.name+" "+typ, b, want)
				p += 12 + n
			}
			if i := bytes.Index(s.src, []byte("IEND")); i > 0 {
				// The last IDAT ends 8 bytes before IEND's length field:
				// its last 4 data bytes are the Adler-32.
				b := bytes.Clone(s.src)
				j := i - 4 - 4 - 1
				b[j] ^= 0x01
				c := bytes.LastIndex(b[:j], []byte("IDAT"))
				binary.BigEndian.PutUint32(b[j+1:], crc32.ChecksumIEEE(b[c:j+1]))
				add("adler", s.name, b, ErrCorrupt)
			}
		}
		for _, frac := range []int{2, 3, 5, 8, 13, 21} {
			cut := len(s.src) - len(s.src)/frac
			add("truncated", s.name, s.src[:cut], ErrCorrupt)
		}
		add("truncated", s.name+" last byte", s.src[:len(s.src)-1], ErrCorrupt)
	}
	// Bad lengths.
	for _, s := range seeds {
		if s.format != PNG {
			continue
		}
		i := bytes.Index(s.src, []byte("IDAT"))
		n := binary.BigEndian.Uint32(s.src[i-4:])
		for _, l := range []uint32{0x7ffffff0, 0xffffffff, 0x80000000, n + 1, n + 5, 0} {
			b := bytes.Clone(s.src)
			binary.BigEndian.PutUint32(b[i-4:], l)
			add("bad length", s.name, b, ErrCorrupt)
		}
	}
	for _, s := range seeds {
		if s.format != JPEG {
			continue
		}
		for _, m := range []byte{0xdb, 0xc4, 0xda} {
			i := bytes.Index(s.src, []byte{0xff, m})
			if i < 0 {
				continue
			}
			for _, l := range []uint16{0, 1, 0xffff} {
				b := bytes.Clone(s.src)
				binary.BigEndian.PutUint16(b[i+2:], l)
				add("bad length", s.name, b, ErrCorrupt)
			}
		}
	}
	// Random mutations of the valid seeds.
	rng := newMutator(16)
	for i := range 120 {
		s := seeds[i%len(seeds)]
		add("mutation", s.name, rng.mutate(s.src), nil)
	}
}

// seed is a small valid file the corpus and the fuzzers start from.
type seed struct {
	name   string
	format Format
	src    []byte
}

// validSeeds returns small valid PNGs and JPEGs made by code: every PNG
// colour type, Adam7, palettes with tRNS, and baseline, 4:2:0 and
// progressive JPEGs.
func validSeeds(t testing.TB) []seed {
	var out []seed
	for _, s := range []pngSpec{
		{w: 13, h: 7, depth: 8, colorType: 6},
		{w: 13, h: 7, depth: 16, colorType: 2, interlaced: true},
		{w: 13, h: 7, depth: 1, colorType: 0},
		{w: 13, h: 7, depth: 4, colorType: 3, palette: 16, trns: make([]byte, 8)},
		{w: 13, h: 7, depth: 8, colorType: 4, interlaced: true},
	} {
		out = append(out, seed{"png", PNG, s.build(t)})
	}
	pal := color.Palette{color.NRGBA{1, 2, 3, 255}, color.NRGBA{200, 100, 50, 128}}
	pm := image.NewPaletted(image.Rect(0, 0, 9, 9), pal)
	for i := range pm.Pix {
		pm.Pix[i] = byte(i % 2)
	}
	out = append(out, seed{"png", PNG, encodePNG(t, pm)})
	var gj bytes.Buffer
	noErr(t, jpeg.Encode(&gj, toNRGBA(testPattern(24, 16, false)), &jpeg.Options{Quality: 80}), "jpeg.Encode")
	out = append(out,
		seed{"jpeg", JPEG, gj.Bytes()},
		seed{"jpeg", JPEG, jpegSpec{w: 40, h: 24}.build()},
		seed{"jpeg", JPEG, jpegSpec{w: 40, h: 24, sampling: []byte{0x22, 0x11, 0x11}}.build()},
		seed{"jpeg", JPEG, jpegSpec{w: 40, h: 24, sampling: []byte{0x21, 0x11, 0x11}, progressive: true, acScans: 3, acBytes: 2}.build()},
	)
	return out
}

// mutator makes deterministic random mutations: byte flips, overwrites
// with interesting values, inserted and deleted runs.
type mutator struct{ s uint64 }

func newMutator(seed uint64) *mutator { return &mutator{s: seed} }

func (m *mutator) next() uint64 { // splitmix64
	m.s += 0x9e3779b97f4a7c15
	z := m.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (m *mutator) intn(n int) int { return int(m.next() % uint64(n)) }

func (m *mutator) mutate(src []byte) []byte {
	b := bytes.Clone(src)
	for range 1 + m.intn(6) {
		if len(b) < 2 {
			break
		}
		i := 8 + m.intn(max(1, len(b)-8)) // keep the magic: the guest should see it
		i = min(i, len(b)-1)
		switch m.intn(5) {
		case 0:
			b[i] ^= 1 << m.intn(8)
		case 1:
			b[i] = []byte{0, 0xff, 0x7f, 0x80, 1}[m.intn(5)]
		case 2:
			j := min(len(b), i+1+m.intn(16))
			b = append(b[:i], b[j:]...)
		case 3:
			b = append(b[:i], append(bytes.Repeat([]byte{byte(m.next())}, 1+m.intn(16)), b[i:]...)...)
		case 4:
			if i+4 <= len(b) {
				binary.BigEndian.PutUint32(b[i:], uint32(m.next()))
			}
		}
	}
	return b
}

// Bytes of peak linear memory a file of n bytes may justify, past the
// instance's initial memory: the guest's budget for a header is at most
// budgetPerByte times the file's size (see TestDecode_hostileCorpus).
const (
	pngBudgetPerByte  = 40 * 1032 // 1-bit pixels expand 40x through the stages, and deflate inflates 1032x
	jpegBudgetPerByte = 4096      // <= 8 blocks per byte (1 bit each), <= 448 bytes of budget per block
)

// Outcomes of decodeHostile.
const (
	decoded = iota
	failed
	outOfMemory
)

// decodeHostile decodes src on a fresh instance of lib with a 30 s
// deadline and checks what TestDecode_hostileCorpus promises (see there):
// no trap or hang, a named cause wrapping the right sentinel (target, when
// not nil), and peak linear memory within the bound for its size. It
// returns decoded, failed or outOfMemory.
func decodeHostile(t testing.TB, lib *Library, what string, src []byte, target error) int {
	t.Helper()
	in := instanceOf(t, lib, Decode)
	defer in.Close(testCtx)
	m0 := in.MemorySize()
	ctx, cancel := context.WithTimeout(testCtx, 30*time.Second)
	start := time.Now()
	img, err := in.Decode(ctx, src)
	elapsed := time.Since(start)
	cancel()
	peak := in.MemorySize()
	k := uint64(0)
	switch f, _ := Sniff(src); f {
	case PNG:
		k = pngBudgetPerByte
	case JPEG:
		k = jpegBudgetPerByte
	}
	n := uint64(len(src))
	if bound := m0 + 2*n + 2*k*n + 512<<10; peak > bound {
		t.Errorf("%s: peak linear memory %d bytes for a %d-byte file, over the bound %d", what, peak, n, bound)
	}
	switch {
	case err == nil:
		if img.Width*img.Height*4 != len(img.Pix) || img.Width <= 0 {
			t.Errorf("%s: result %dx%d with %d bytes", what, img.Width, img.Height, len(img.Pix))
		}
		if target != nil {
			t.Errorf("%s: decoded %dx%d, want an error wrapping %v", what, img.Width, img.Height, target)
		}
		return decoded
	case errors.Is(err, ErrTrap), errors.Is(err, ErrBadModule), errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrClosed):
		t.Errorf("%s: %v (after %v)", what, err, elapsed)
	case !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrLimit):
		t.Errorf("%s: error %q wraps neither ErrCorrupt nor ErrLimit", what, err)
	case target != nil && !errors.Is(err, target):
		t.Errorf("%s: error %q, want one wrapping %v", what, err, target)
	}
	msg := err.Error()
	reason := msg[strings.Index(msg, "decode")+len("decode"):]
	if len(strings.Trim(reason, ": ")) < 8 || strings.Contains(msg, "unknown error") || strings.Contains(msg, "no message") || strings.Contains(msg, "gave no reason") {
		t.Errorf("%s: error %q does not name its cause", what, msg)
	}
	if errors.Is(err, ErrOutOfMemory) {
		return outOfMemory
	}
	return failed
}

// TestDecode_hostileCorpus decodes at least 250 generated hostile files,
// each on a fresh instance with a 30 s deadline, and checks:
//   - no panic or trap (ErrTrap, ErrBadModule) and no hang (the deadline);
//   - every error wraps ErrCorrupt, ErrLimit or ErrOutOfMemory (and the one
//     the class expects, where it has one), and names its cause: the text
//     after "decode: " is not empty or vague;
//   - peak linear memory, the instance's Memory size after the call, is at
//     most m0 + 2*n + 2*K*n + 512 KiB for a file of n bytes, where m0 is
//     the initial memory and K is 41280 for PNG (deflate's 1032:1 times
//     the 40 bytes of working memory per byte of 1-bit image data) and 4096
//     for JPEG (the 1-bit-per-block floor of a DC scan admits 8 blocks per
//     byte; stb_image's planes, coefficients and RGBA output take at most
//     448 bytes per block). The factor 2 on the budget covers dlmalloc's
//     fragmentation; the input is in memory too (n), plus a page each.
func TestDecode_hostileCorpus(t *testing.T) {
	files := hostileCorpus(t)
	if len(files) < 250 {
		t.Fatalf("the corpus has %d files, want at least 250", len(files))
	}
	lib := testLibrary(t)
	counts := map[string][3]int{} // decoded, failed, out of memory
	for i, f := range files {
		o := decodeHostile(t, lib, f.class+" "+f.name+" #"+strconv.Itoa(i), f.src, f.target)
		c := counts[f.class]
		c[o]++
		counts[f.class] = c
	}
	for _, class := range slices.Sorted(maps.Keys(counts)) {
		c := counts[class]
		t.Logf("%-18s %3d files: %3d decoded, %3d failed (corrupt or limit), %d out of memory", class, c[0]+c[1]+c[2], c[0], c[1], c[2])
	}
	t.Logf("%d files", len(files))
}
