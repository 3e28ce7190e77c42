package codecs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"testing"
)

// goDecode decodes src with Go's own decoder, as the reference.
func goDecode(t testing.TB, src []byte) Image {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(src))
	noErr(t, err, "Go's decoder")
	return toImage(m)
}

func trns16(vs ...int) []byte {
	b := make([]byte, 2*len(vs))
	for i, v := range vs {
		binary.BigEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

func TestDecode_PNG(t *testing.T) {
	paletteAlpha := make([]byte, 16)
	for i := range paletteAlpha {
		paletteAlpha[i] = byte(i * 17)
	}
	gray8 := pngSpec{w: 37, h: 23, depth: 8, colorType: 0}
	rgb8 := pngSpec{w: 37, h: 23, depth: 8, colorType: 2}
	tests := []struct {
		name string
		spec pngSpec
	}{
		{"gray1", pngSpec{w: 37, h: 23, depth: 1, colorType: 0}},
		{"gray2", pngSpec{w: 37, h: 23, depth: 2, colorType: 0}},
		{"gray4", pngSpec{w: 37, h: 23, depth: 4, colorType: 0}},
		{"gray8", gray8},
		{"gray16", pngSpec{w: 37, h: 23, depth: 16, colorType: 0}},
		{"gray8+tRNS", pngSpec{w: 37, h: 23, depth: 8, colorType: 0, trns: trns16(gray8.sample(0, 0, 0))}},
		{"gray+alpha8", pngSpec{w: 37, h: 23, depth: 8, colorType: 4}},
		{"gray+alpha16", pngSpec{w: 37, h: 23, depth: 16, colorType: 4}},
		{"rgb8", rgb8},
		{"rgb16", pngSpec{w: 37, h: 23, depth: 16, colorType: 2}},
		{"rgb8+tRNS", pngSpec{w: 37, h: 23, depth: 8, colorType: 2, trns: trns16(rgb8.sample(0, 0, 0), rgb8.sample(0, 0, 1), rgb8.sample(0, 0, 2))}},
		{"rgba8", pngSpec{w: 37, h: 23, depth: 8, colorType: 6}},
		{"rgba16", pngSpec{w: 37, h: 23, depth: 16, colorType: 6}},
		{"palette1", pngSpec{w: 37, h: 23, depth: 1, colorType: 3, palette: 2}},
		{"palette2", pngSpec{w: 37, h: 23, depth: 2, colorType: 3, palette: 4}},
		{"palette4+tRNS", pngSpec{w: 37, h: 23, depth: 4, colorType: 3, palette: 16, trns: paletteAlpha}},
		{"palette8", pngSpec{w: 37, h: 23, depth: 8, colorType: 3, palette: 200}},
		{"adam7 gray1", pngSpec{w: 37, h: 23, depth: 1, colorType: 0, interlaced: true}},
		{"adam7 rgba8", pngSpec{w: 37, h: 23, depth: 8, colorType: 6, interlaced: true}},
		{"adam7 rgb16", pngSpec{w: 37, h: 23, depth: 16, colorType: 2, interlaced: true}},
		{"adam7 palette4+tRNS", pngSpec{w: 37, h: 23, depth: 4, colorType: 3, palette: 16, trns: paletteAlpha, interlaced: true}},
		{"adam7 gray+alpha8 tiny", pngSpec{w: 3, h: 2, depth: 8, colorType: 4, interlaced: true}},
		{"adam7 rgba8 1x1", pngSpec{w: 1, h: 1, depth: 8, colorType: 6, interlaced: true}},
	}
	in := instance(t, Decode)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.spec.build(t)
			want := goDecode(t, src)
			got, err := in.Decode(testCtx, src)
			noErr(t, err, "Decode")
			equal(t, maxDiff(t, got, want), 0, "max channel difference from Go's decoder")
		})
	}
}

func TestDecode_PNGFromGoEncoder(t *testing.T) {
	pattern := testPattern(64, 48, true)
	pal := color.Palette{}
	for i := range 256 {
		pal = append(pal, color.NRGBA{byte(i), byte(255 - i), byte(i * 7), byte(i)})
	}
	paletted := image.NewPaletted(image.Rect(0, 0, 64, 48), pal)
	gray16 := image.NewGray16(image.Rect(0, 0, 64, 48))
	nrgba64 := image.NewNRGBA64(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			paletted.SetColorIndex(x, y, uint8(x*4+y))
			gray16.SetGray16(x, y, color.Gray16{uint16(x*1000 + y*17)})
			nrgba64.SetNRGBA64(x, y, color.NRGBA64{uint16(x * 1000), uint16(y * 1300), 0x8000, uint16(65535 - x*y*20)})
		}
	}
	tests := []struct {
		name string
		img  image.Image
	}{
		{"nrgba", toNRGBA(pattern)},
		{"opaque rgb", toNRGBA(testPattern(64, 48, false))},
		{"paletted with alpha", paletted},
		{"gray16", gray16},
		{"nrgba64", nrgba64},
	}
	in := instance(t, Decode)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := encodePNG(t, tt.img)
			got, err := in.Decode(testCtx, src)
			noErr(t, err, "Decode")
			equal(t, maxDiff(t, got, goDecode(t, src)), 0, "max channel difference from Go's decoder")
		})
	}
}

func TestDecode_JPEG(t *testing.T) {
	pattern := smoothPattern(64, 48)
	gray := image.NewGray(image.Rect(0, 0, 64, 48))
	for i := range gray.Pix {
		gray.Pix[i] = byte(i * 3)
	}
	enc := func(m image.Image, q int) []byte {
		var b bytes.Buffer
		noErr(t, jpeg.Encode(&b, m, &jpeg.Options{Quality: q}), "jpeg.Encode")
		return b.Bytes()
	}
	progressive, err := os.ReadFile("testdata/progressive.jpg")
	noErr(t, err, "reading testdata/progressive.jpg")
	tests := []struct {
		name string
		src  []byte
		// stb_image and Go differ in IDCT rounding and chroma upsampling
		// (stb interpolates, Go replicates), so compare on average, with
		// Go's decoder and with the original.
		maxMean float64
		orig    *Image
	}{
		{"baseline q90", enc(toNRGBA(pattern), 90), 1.5, &pattern},
		{"baseline q50", enc(toNRGBA(pattern), 50), 2, &pattern},
		{"baseline gray", enc(gray, 90), 1, nil},
		{"progressive (cjpeg)", progressive, 1.5, &pattern},
	}
	in := instance(t, Decode)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := in.Decode(testCtx, tt.src)
			noErr(t, err, "Decode")
			want := goDecode(t, tt.src)
			if d := meanDiff(t, got, want); d > tt.maxMean {
				t.Fatalf("mean channel difference from Go's decoder = %.2f, want <= %.2f", d, tt.maxMean)
			}
			if tt.orig != nil {
				if d := meanDiff(t, got, *tt.orig); d > 2*tt.maxMean {
					t.Fatalf("mean channel difference from the original = %.2f, want <= %.2f", d, 2*tt.maxMean)
				}
			}
			for i := 3; i < len(got.Pix); i += 4 {
				if got.Pix[i] != 255 {
					t.Fatalf("alpha at byte %d = %d, want 255", i, got.Pix[i])
				}
			}
		})
	}
}

// pngWithHeader returns a PNG whose IHDR declares w x h (8-bit RGBA) and
// whose image data inflates to raw.
func pngWithHeader(t testing.TB, w, h int, raw []byte) []byte {
	return buildPNG(t, pngSpec{w: w, h: h, depth: 8, colorType: 6}, raw)
}

// jpegWithSize returns a valid small JPEG whose SOF0 is patched to declare
// w x h.
func jpegWithSize(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	noErr(t, jpeg.Encode(&b, toNRGBA(testPattern(16, 16, false)), nil), "jpeg.Encode")
	src := b.Bytes()
	i := bytes.Index(src, []byte{0xff, 0xc0})
	if i < 0 {
		t.Fatal("no SOF0 in Go's JPEG")
	}
	binary.BigEndian.PutUint16(src[i+5:], uint16(h))
	binary.BigEndian.PutUint16(src[i+7:], uint16(w))
	return src
}

func TestDecode_hostile(t *testing.T) {
	good := encodePNG(t, toNRGBA(testPattern(64, 48, true)))
	var jb bytes.Buffer
	noErr(t, jpeg.Encode(&jb, toNRGBA(testPattern(64, 48, false)), nil), "jpeg.Encode")
	goodJPEG := jb.Bytes()

	corruptIDAT := bytes.Clone(good)
	idat := bytes.Index(corruptIDAT, []byte("IDAT"))
	for i := idat + 10; i < idat+60 && i < len(corruptIDAT)-12; i++ {
		corruptIDAT[i] ^= 0x5a
	}
	// A valid 64x48 header whose deflate stream expands to 16 MiB of zeros,
	// ~1300x what the header declares (64*48*4+48 = 12336 bytes).
	bomb := pngWithHeader(t, 64, 48, make([]byte, 16<<20))
	// A PNG declaring 100000x100000 with a valid CRC and a tiny IDAT.
	huge := pngWithHeader(t, 100000, 100000, make([]byte, 100))
	badCRC := bytes.Clone(good)
	badCRC[29] ^= 0xff // IHDR CRC
	webp := append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 32)...)

	tests := []struct {
		name      string
		src       []byte
		target    error
		fragments []string
	}{
		{"empty", nil, ErrCorrupt, []string{"empty input"}},
		{"wrong magic", []byte("GIF89a\x01\x00\x01\x00"), ErrCorrupt, []string{"unknown image format", "47 49 46 38"}},
		{"png magic only", magicPNG, ErrCorrupt, []string{"png header"}},
		{"png truncated in header", good[:20], ErrCorrupt, []string{"png header"}},
		{"png truncated in data", good[:len(good)/2], ErrCorrupt, []string{"truncated: chunk IDAT"}},
		{"png without IEND", good[:len(good)-12], ErrCorrupt, []string{"truncated", "without an IEND chunk"}},
		{"png corrupt data", corruptIDAT, ErrCorrupt, []string{"CRC mismatch in chunk IDAT"}},
		{"png bad header CRC", badCRC, ErrCorrupt, []string{"png header", "checksum"}},
		{"png 100000x100000 header", huge, ErrLimit, []string{"100000x100000", "10000000000 pixels", "100000000"}},
		{"png zip bomb", bomb, ErrCorrupt, []string{"inflates past the 12336 bytes", "64x48"}},
		{"png 200000x10 header", pngWithHeader(t, 200000, 10, make([]byte, 100)), ErrLimit, []string{"200000x10", "131072 pixels per side"}},
		{"jpeg truncated in header", goodJPEG[:30], ErrCorrupt, []string{"jpeg header"}},
		{"jpeg truncated in data", goodJPEG[:len(goodJPEG)/2], ErrCorrupt, []string{"truncated"}}, // stb pads truncated scans; the guest's scan fails them, as Go's decoder does
		{"jpeg 60000x60000 header", jpegWithSize(t, 60000, 60000), ErrLimit, []string{"60000x60000", "3600000000 pixels"}},
		{"jpeg 0 width", jpegWithSize(t, 0, 16), ErrCorrupt, []string{"header declares 0x16"}},
		{"webp input", webp, ErrCorrupt, []string{"webp input is not supported"}},
		{"garbage", bytes.Repeat([]byte{0xde, 0xad}, 100), ErrCorrupt, []string{"unknown image format"}},
	}
	in := instance(t, Decode)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := in.Decode(testCtx, tt.src)
			wantErr(t, err, tt.target, tt.fragments...)
			if in.Closed() {
				t.Fatalf("a bad input closed the instance: %v", err)
			}
		})
	}
	// The instance still works after all that.
	got, err := in.Decode(testCtx, good)
	noErr(t, err, "Decode after hostile inputs")
	equal(t, got.Width*got.Height, 64*48, "pixels")
}

func TestDecode_limits(t *testing.T) {
	src := encodePNG(t, toNRGBA(testPattern(64, 48, true)))
	tests := []struct {
		name      string
		limits    Limits
		target    error
		fragments []string
	}{
		{"input bytes", Limits{MaxInputBytes: 100}, ErrLimit, []string{"over the limit of 100 bytes"}},
		{"pixels", Limits{MaxPixels: 1000}, ErrLimit, []string{"64x48 = 3072 pixels, over the limit of 1000 pixels"}},
		{"memory fail fast", Limits{MaxMemoryBytes: 1 << 20}, ErrLimit, []string{"bytes of linear memory, over the limit of 1048576 bytes"}},
	}
	big := encodePNG(t, toNRGBA(testPattern(600, 500, false)))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib, err := New(testCtx, Options{Limits: tt.limits, CacheDir: testCacheDir})
			if tt.limits.MaxMemoryBytes != 0 && err != nil {
				// The modules' own minimum memory may exceed a tiny cap.
				t.Skipf("New with %d bytes of memory: %v", tt.limits.MaxMemoryBytes, err)
			}
			noErr(t, err, "New")
			defer lib.Close(testCtx)
			in := instanceOf(t, lib, Decode)
			src := src
			if tt.limits.MaxMemoryBytes != 0 {
				src = big // 1.2 MB of output can't fit in 1 MiB
			}
			_, err = in.Decode(testCtx, src)
			wantErr(t, err, tt.target, tt.fragments...)
			equal(t, in.MemorySize() <= tt.limits.MaxMemoryBytes || tt.limits.MaxMemoryBytes == 0, true, "memory within the cap")
		})
	}
}

// TestDecode_workingMemoryOverCap: the host's fail-fast check (input plus
// output) passes, but the guest computes from the header that decoding
// needs more working memory than the cap, and refuses before allocating:
// over a limit, not out of memory.
func TestDecode_workingMemoryOverCap(t *testing.T) {
	lib, err := New(testCtx, Options{Limits: Limits{MaxMemoryBytes: 8 << 20}, CacheDir: testCacheDir})
	noErr(t, err, "New")
	defer lib.Close(testCtx)
	in := instanceOf(t, lib, Decode)
	before := in.MemorySize()
	// 1200x1000 RGBA: 4.8 MB of output and 4.8 MB of inflated data at
	// once, plus the input: over 8 MiB, while output + input alone fit.
	src := encodePNG(t, toNRGBA(testPattern(1200, 1000, true)))
	_, err = in.Decode(testCtx, src)
	wantErr(t, err, ErrLimit, "decoding 1200x1000 needs", "bytes of working memory", "over the limit of 8388608 bytes")
	if errors.Is(err, ErrOutOfMemory) {
		t.Fatalf("error %q wraps ErrOutOfMemory; the guest refused before allocating", err)
	}
	equal(t, in.Closed(), false, "closed after a refused decode")
	// Only the input was copied in.
	if grew := in.MemorySize() - before; grew > uint64(len(src))+pageSize {
		t.Fatalf("memory grew by %d bytes for a %d-byte input", grew, len(src))
	}
}

// TestDecode_guestOutOfMemory: the working memory fits the cap by the
// numbers, but other allocations hold most of the instance's memory, so
// the guest's malloc fails: out of memory (and over a limit).
func TestDecode_guestOutOfMemory(t *testing.T) {
	in := cappedInstance(t, Decode)
	src := encodePNG(t, toNRGBA(testPattern(600, 500, true)))
	_, err := in.Decode(testCtx, src)
	wantErr(t, err, ErrOutOfMemory, "out of memory: malloc(", "limit 8388608 bytes")
	wantErr(t, err, ErrLimit)
	equal(t, in.Closed(), false, "closed after a guest out-of-memory")
	if in.MemorySize() > 8<<20 {
		t.Fatalf("memory grew to %d bytes, over the 8 MiB cap", in.MemorySize())
	}
}

// TestCheckPNGData_crc checks the hand-built PNGs are valid for Go.
func TestPNGBuilder(t *testing.T) {
	src := pngSpec{w: 5, h: 3, depth: 8, colorType: 6, interlaced: true}.build(t)
	if _, err := png.Decode(bytes.NewReader(src)); err != nil {
		t.Fatalf("Go rejects a hand-built PNG: %v", err)
	}
	// Every chunk's CRC is right.
	for p := 8; p < len(src); {
		n := int(binary.BigEndian.Uint32(src[p:]))
		want := binary.BigEndian.Uint32(src[p+8+n:])
		equal(t, crc32.ChecksumIEEE(src[p+4:p+8+n]), want, "crc of "+string(src[p+4:p+8]))
		p += 12 + n
	}
}
