//go:build unix

package squoosh

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkOps times each operation on the 512x384 pattern golden.js bench
// uses, reporting megapixels of the operation's image per second under the
// names golden.js prints, so that benchstat sets the two side by side
// (docs/squoosh.md). inst=optimizer is the operation as Optimizer runs it
// (instances reused or made per call as the optimizer did; the modules
// compiled once, where Node reads and compiles rotate, mozjpeg and webp at
// every call); inst=reused calls one mozjpeg or webp instance again and
// again. The request cases are whole requests (Optimizer.Process, impl.js
// processBuffer: decode, resize to 256 wide, encode), their MP/s counted on
// the 512x384 input. cpu-ns/op is the process's CPU time (all threads, the GC's too)
// per operation, as golden.js reports Node's.
func BenchmarkOps(b *testing.B) {
	lib := newTestLibrary(b)
	opt := lib.NewOptimizer()
	defer opt.Close(testCtx)
	im := pattern(512, 384)
	png, err := lib.mustEncodePlainPNG(b, im)
	if err != nil {
		b.Fatal(err)
	}
	jpg, err := opt.EncodeJPEG(testCtx, im, 75)
	if err != nil {
		b.Fatal(err)
	}
	webp, err := opt.EncodeWebP(testCtx, im, 75)
	if err != nil {
		b.Fatal(err)
	}
	reused := map[Module]*Emscripten{}
	for _, m := range []Module{MozJPEGDecWasm, MozJPEGEncWasm, WebPDecWasm, WebPEncWasm} {
		e, err := lib.NewEmscripten(testCtx, m)
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close(testCtx)
		reused[m] = e
	}
	req := requests(png, jpg, webp, 256)
	mp := float64(im.Width*im.Height) / 1e6
	for _, c := range []struct {
		name string
		op   func() error
	}{
		{"decodePNG/inst=optimizer", func() error { _, err := opt.DecodePNG(testCtx, png); return err }},
		{"encodePNG/inst=optimizer", func() error { _, err := opt.EncodePNG(testCtx, im); return err }},
		{"resize/inst=optimizer", func() error { _, err := opt.Resize(testCtx, im, 256); return err }},
		{"rotate/inst=optimizer", func() error { _, err := opt.Rotate(testCtx, im, 1); return err }},
		{"decodeJPEG/inst=optimizer", func() error { _, err := opt.DecodeJPEG(testCtx, jpg); return err }},
		{"encodeJPEG/inst=optimizer", func() error { _, err := opt.EncodeJPEG(testCtx, im, 75); return err }},
		{"decodeWebP/inst=optimizer", func() error { _, err := opt.DecodeWebP(testCtx, webp); return err }},
		{"encodeWebP/inst=optimizer", func() error { _, err := opt.EncodeWebP(testCtx, im, 75); return err }},
		{"requestPNGtoWebP/inst=optimizer", func() error {
			_, err := opt.Process(testCtx, req[0].input, req[0].steps, req[0].out, req[0].quality)
			return err
		}},
		{"requestJPEGtoJPEG/inst=optimizer", func() error {
			_, err := opt.Process(testCtx, req[1].input, req[1].steps, req[1].out, req[1].quality)
			return err
		}},
		{"decodeJPEG/inst=reused", func() error { _, err := reused[MozJPEGDecWasm].Decode(testCtx, jpg); return err }},
		{"encodeJPEG/inst=reused", func() error {
			_, err := reused[MozJPEGEncWasm].Encode(testCtx, im, OptimizerMozJPEGOptions(75))
			return err
		}},
		{"decodeWebP/inst=reused", func() error { _, err := reused[WebPDecWasm].Decode(testCtx, webp); return err }},
		{"encodeWebP/inst=reused", func() error {
			_, err := reused[WebPEncWasm].Encode(testCtx, im, OptimizerWebPOptions(75))
			return err
		}},
	} {
		b.Run("op="+c.name, func(b *testing.B) {
			if err := c.op(); err != nil { // warm, as golden.js warms
				b.Fatal(err)
			}
			cpu0 := processCPU(b)
			start := time.Now()
			for b.Loop() {
				if err := c.op(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(mp*float64(b.N)/time.Since(start).Seconds(), "MP/s")
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// mustEncodePlainPNG encodes im with squoosh_png alone, as golden.js bench
// makes its PNG input.
func (l *Library) mustEncodePlainPNG(tb testing.TB, im Image) ([]byte, error) {
	tb.Helper()
	pc, err := l.NewPNGCodec(testCtx)
	if err != nil {
		return nil, err
	}
	defer pc.Close(testCtx)
	return pc.Encode(testCtx, im)
}

// processCPU is the process's user and system CPU time so far, in ns
// (getrusage RUSAGE_SELF, as Node's process.cpuUsage reads it).
func processCPU(tb testing.TB) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
