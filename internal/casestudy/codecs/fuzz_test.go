package codecs

import (
	"sync"
	"testing"
)

// The fuzz targets decode arbitrary bytes after a PNG signature or a JPEG
// SOI, each input on a fresh instance, and check what the hostile corpus
// test checks (decodeHostile): no trap, panic or hang, a named cause, and
// peak linear memory within the bound for the input's size. Their seed
// corpora are generated here (validSeeds and a few hostile files), never
// read from third-party files:
//
//	go test -run '^$' -fuzz FuzzDecodePNG -fuzztime 3m ./internal/casestudy/codecs/
//	go test -run '^$' -fuzz FuzzDecodeJPEG -fuzztime 3m ./internal/casestudy/codecs/

// fuzzLimits keep each input's legitimate work small enough for fuzzing:
// 4 megapixels, 256 MiB of linear memory.
var fuzzLimits = Limits{MaxPixels: 1 << 22, MaxMemoryBytes: 256 << 20}

var (
	fuzzOnce sync.Once
	fuzzLib  *Library
	fuzzErr  error
)

func fuzzLibrary(t testing.TB) *Library {
	fuzzOnce.Do(func() { fuzzLib, fuzzErr = New(testCtx, Options{Limits: fuzzLimits, CacheDir: testCacheDir}) })
	if fuzzErr != nil {
		t.Fatalf("New: %v", fuzzErr)
	}
	return fuzzLib
}

func FuzzDecodePNG(f *testing.F) {
	for _, s := range validSeeds(f) {
		if s.format == PNG {
			f.Add(s.src[len(magicPNG):])
		}
	}
	for _, s := range [][]byte{
		rgbaPNG(64, 48, zlibWrap(deflateZeros(f, 1), 7, 0)), // a bomb
		rgbaPNG(100000, 1000, zlibOf(f, make([]byte, 200))), // a lying header
		paletteImage(f, 4, func(x, y int) byte { return byte(x + y) }),
	} {
		f.Add(s[len(magicPNG):])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := append(append([]byte{}, magicPNG...), data...)
		decodeHostile(t, fuzzLibrary(t), "png", src, nil)
	})
}

func FuzzDecodeJPEG(f *testing.F) {
	for _, s := range validSeeds(f) {
		if s.format == JPEG {
			f.Add(s.src[len(magicJPEG):])
		}
	}
	for _, s := range [][]byte{
		jpegSpec{w: 10000, h: 10000, entropy: make([]byte, 60)}.build(),                       // a lying header
		jpegSpec{w: 300, h: 200, progressive: true, acScans: 70}.build(),                      // a scan flood
		jpegSpec{w: 64, h: 48, sampling: []byte{0x22, 0x11, 0x11}, progressive: true}.build(), // DC only
	} {
		f.Add(s[len(magicJPEG):])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := append(append([]byte{}, magicJPEG...), data...)
		decodeHostile(t, fuzzLibrary(t), "jpeg", src, nil)
	})
}
