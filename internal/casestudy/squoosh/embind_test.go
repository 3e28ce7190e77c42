package squoosh

import (
	"context"
	"testing"
)

// useEmscripten instantiates m for one test.
func useEmscripten(t *testing.T, lib *Library, m Module) *Emscripten {
	t.Helper()
	return opened(t, func(ctx context.Context) (*Emscripten, error) { return lib.NewEmscripten(ctx, m) })
}

func TestEmbindOpsMatchNode(t *testing.T) {
	lib := newTestLibrary(t)
	g := readGolden(t)
	im := pattern(67, 43)
	for _, tc := range []struct {
		name     string
		enc, dec Module
		opts     EncodeOptions
		file     string
		encoded  fileRecord
		decoded  imageRecord
		// emval handles left after one call, as Node counted them
		encHandles, decHandles int
	}{
		{"mozjpeg", MozJPEGEncWasm, MozJPEGDecWasm, OptimizerMozJPEGOptions(75), "pattern.jpg", g.EncodeJPEG, g.DecodeJPEG, g.EmvalHandles.MozJPEGEnc, g.EmvalHandles.MozJPEGDec},
		{"webp", WebPEncWasm, WebPDecWasm, OptimizerWebPOptions(75), "pattern.webp", g.EncodeWebP, g.DecodeWebP, g.EmvalHandles.WebPEnc, g.EmvalHandles.WebPDec},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc := useEmscripten(t, lib, tc.enc)
			out, err := enc.Encode(testCtx, im, tc.opts)
			checkFile(t, tc.enc.String()+" encode", out, err, tc.encoded)
			if n := enc.LiveHandles(); n != tc.encHandles {
				t.Errorf("%s holds %d emval handles after encode; Node's held %d", tc.enc, n, tc.encHandles)
			}
			dec := useEmscripten(t, lib, tc.dec)
			img, err := dec.Decode(testCtx, readTestdata(t, tc.file))
			checkImage(t, tc.dec.String()+" decode", img, err, tc.decoded)
			if n := dec.LiveHandles(); n != tc.decHandles {
				t.Errorf("%s holds %d emval handles after decode; Node's held %d", tc.dec, n, tc.decHandles)
			}
		})
	}
}

// TestEmbindDecodeGarbage feeds each decoder bytes that are no image: the
// module's own failure (a null result, or libjpeg's error exit) must come
// back as an error.
func TestEmbindDecodeGarbage(t *testing.T) {
	lib := newTestLibrary(t)
	for _, m := range []Module{MozJPEGDecWasm, WebPDecWasm} {
		dec := useEmscripten(t, lib, m)
		_, err := dec.Decode(testCtx, []byte("\xff\xd8\xff but then nothing of a JPEG or a RIFF WEBP"))
		if err == nil {
			t.Errorf("%s decoded garbage without an error", m)
			continue
		}
		t.Logf("%s: %v", m, err)
	}
}

// TestEmbindEncodeRejectsBadOptions checks embind's argument checks: a
// value object missing a field, and a number outside an integer's range.
func TestEmbindEncodeRejectsBadOptions(t *testing.T) {
	lib := newTestLibrary(t)
	enc := useEmscripten(t, lib, MozJPEGEncWasm)
	im := pattern(8, 8)
	e := enc.in
	if _, err := e.call(testCtx, "encode", im.Pix, im.Width, im.Height, map[string]jsValue{"quality": 75}); err == nil {
		t.Error("encode with one field of sixteen: no error")
	}
	if _, err := e.call(testCtx, "encode", im.Pix, 1e12, im.Height, OptimizerMozJPEGOptions(75).fields()); err == nil {
		t.Error("encode with width 1e12: no error")
	}
	if _, err := e.call(testCtx, "encode", im.Pix); err == nil {
		t.Error("encode with one argument: no error")
	}
}
