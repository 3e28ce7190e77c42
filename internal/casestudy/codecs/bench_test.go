package codecs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/leakbench/leakbench/internal/atomicfile"
)

// The benchmarks run each operation on a 12-megapixel photo-like image
// (4000x3000) and report throughput in megapixels per second of input,
// plus the same operation's native speed (the same C sources built with
// gcc by wasm/src/native/build.sh) and the wasm/native time ratio:
//
//	go test -run '^$' -bench . -benchtime 3x ./internal/casestudy/codecs/
//
// The image is generated once and cached in the user cache directory
// (leakbench/codecs-bench/); the native driver is built once per run.

const (
	benchW, benchH = 4000, 3000
	benchVersion   = "v2" // bump when photoLike changes
)

// benchInput is the benchmark image, decoded and encoded.
type benchInput struct {
	img       Image
	png, jpeg string // paths of the cached files
	pngBytes  []byte
	jpegBytes []byte
}

// benchInputs makes the benchmark image once for all the benchmarks.
var benchInputs = sync.OnceValues(makeBenchInput)

func loadBenchInput(b *testing.B) benchInput { return loaded(b, benchInputs) }

// loaded returns what load returns, or fails the benchmark with its error.
func loaded[T any](b *testing.B, load func() (T, error)) T {
	b.Helper()
	v, err := load()
	if err != nil {
		b.Fatal(err)
	}
	return v
}

func makeBenchInput() (benchInput, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = testCacheDir
	}
	dir = filepath.Join(dir, "leakbench", "codecs-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return benchInput{}, err
	}
	base := filepath.Join(dir, fmt.Sprintf("photo-%dx%d-%s", benchW, benchH, benchVersion))
	in := benchInput{png: base + ".png", jpeg: base + ".jpg"}
	var m *image.NRGBA
	pngBytes, err1 := os.ReadFile(in.png)
	jpegBytes, err2 := os.ReadFile(in.jpeg)
	if err1 != nil || err2 != nil {
		m = photoLike(benchW, benchH, 1)
		var pb, jb bytes.Buffer
		if err := png.Encode(&pb, m); err != nil {
			return in, err
		}
		if err := jpeg.Encode(&jb, m, &jpeg.Options{Quality: 90}); err != nil {
			return in, err
		}
		pngBytes, jpegBytes = pb.Bytes(), jb.Bytes()
		if err := atomicfile.WriteBytes(in.png, pngBytes); err != nil {
			return in, err
		}
		if err := atomicfile.WriteBytes(in.jpeg, jpegBytes); err != nil {
			return in, err
		}
	} else {
		d, err := png.Decode(bytes.NewReader(pngBytes))
		if err != nil {
			return in, fmt.Errorf("cached %s: %w (delete it to regenerate)", in.png, err)
		}
		switch d := d.(type) {
		case *image.NRGBA:
			m = d
		case *image.RGBA: // an opaque image: the same bytes
			m = &image.NRGBA{Pix: d.Pix, Stride: d.Stride, Rect: d.Rect}
		default:
			return in, fmt.Errorf("cached %s decodes as %T, want *image.NRGBA (delete it to regenerate)", in.png, d)
		}
	}
	in.img = Image{Width: benchW, Height: benchH, Pix: m.Pix}
	in.pngBytes, in.jpegBytes = pngBytes, jpegBytes
	return in, nil
}

// photoLike generates a deterministic photograph-like image: smooth
// gradients (sky to ground), multi-scale value noise (shapes, texture) in
// luminance and, at coarse scales, chroma, hard-edged blobs (objects'
// outlines, which is what makes photographs expensive to compress), and
// per-pixel grain. Opaque.
func photoLike(w, h int, seed uint64) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	type octave struct {
		scale  int
		amp    float64
		gw, gh int
		grid   []float32
		chroma bool
	}
	var octs []octave
	for i, s := range []int{640, 256, 96, 32, 10, 3} {
		o := octave{scale: s, amp: []float64{70, 45, 28, 16, 14, 10}[i], gw: w/s + 2, gh: h/s + 2, chroma: s >= 96}
		n := o.gw * o.gh
		if o.chroma {
			n *= 3
		}
		o.grid = make([]float32, n)
		for j := range o.grid {
			o.grid[j] = float32(hash01(seed, uint64(i), uint64(j))*2 - 1)
		}
		octs = append(octs, o)
	}
	smooth := func(t float64) float64 { return t * t * (3 - 2*t) }
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for k := range workers {
		wg.Go(func() {
			for y := k; y < h; y += workers {
				fy := float64(y) / float64(h)
				row := m.Pix[y*m.Stride : y*m.Stride+4*w]
				for x := range w {
					fx := float64(x) / float64(w)
					// Sky-to-ground gradient with a warm horizontal tint.
					l := 200 - 120*fy + 20*math.Sin(3*fx+1)
					cr, cb := 25*(fx-0.5)-10*fy, 30*(0.5-fy)
					for _, o := range octs {
						gx, gy := x/o.scale, y/o.scale
						tx := smooth(float64(x%o.scale) / float64(o.scale))
						ty := smooth(float64(y%o.scale) / float64(o.scale))
						at := func(c, gx, gy int) float64 { return float64(o.grid[(c*o.gh+gy)*o.gw+gx]) }
						v := func(c int) float64 {
							a := at(c, gx, gy) + (at(c, gx+1, gy)-at(c, gx, gy))*tx
							d := at(c, gx, gy+1) + (at(c, gx+1, gy+1)-at(c, gx, gy+1))*tx
							return a + (d-a)*ty
						}
						l += o.amp * v(0)
						if o.chroma {
							cr += 0.35 * o.amp * v(1)
							cb += 0.35 * o.amp * v(2)
							if o.scale == 96 && v(1) > 0.3 { // hard-edged objects
								l -= 45
								cb += 12
							}
						}
					}
					l += 12 * (hash01(seed, 99, uint64(y*w+x)) - 0.5) // grain
					r, g, bl := l+1.4*cr, l-0.34*cb-0.71*cr, l+1.77*cb
					row[4*x] = clamp8(r)
					row[4*x+1] = clamp8(g)
					row[4*x+2] = clamp8(bl)
					row[4*x+3] = 255
				}
			}
		})
	}
	wg.Wait()
	return m
}

func clamp8(v float64) byte { return byte(max(0, min(255, math.Round(v)))) }

// hash01 maps (seed, a, b) to [0, 1) with splitmix64.
func hash01(seed, a, b uint64) float64 {
	z := seed*0x9e3779b97f4a7c15 + a*0xbf58476d1ce4e5b9 + b*0x94d049bb133111eb
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

// native builds the gcc driver once per run and times ops with it.
var (
	nativeOnce sync.Once
	nativeBin  string
	nativeErr  error
	nativeMu   sync.Mutex
	nativeRuns = map[string]float64{} // seconds per op, by op+input+arg
)

func nativeSecondsPerOp(b *testing.B, op Op, input, arg string) (float64, error) {
	nativeOnce.Do(func() {
		if _, err := exec.LookPath("gcc"); err != nil {
			nativeErr = errors.New("gcc not found")
			return
		}
		script, err := filepath.Abs("../../../wasm/src/native/build.sh")
		if err == nil {
			_, err = os.Stat(script)
		}
		if err != nil {
			nativeErr = fmt.Errorf("native driver sources: %w", err)
			return
		}
		dir := filepath.Join(testCacheDir, "native")
		out, err := exec.Command("bash", script, dir).CombinedOutput()
		if err != nil {
			nativeErr = fmt.Errorf("building the native driver: %v\n%s", err, out)
			return
		}
		nativeBin = filepath.Join(dir, "bench_native")
	})
	if nativeErr != nil {
		return 0, nativeErr
	}
	key := op.Module() + " " + input + " " + arg
	nativeMu.Lock()
	defer nativeMu.Unlock()
	if s, ok := nativeRuns[key]; ok {
		return s, nil
	}
	args := []string{op.Module(), input, "3"}
	if arg != "" {
		args = append(args, arg)
	}
	out, err := exec.Command(nativeBin, args...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("bench_native %s: %v: %s", strings.Join(args, " "), err, out)
	}
	for _, f := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(f, "seconds_per_op="); ok {
			s, err := strconv.ParseFloat(v, 64)
			if err != nil || s <= 0 {
				return 0, fmt.Errorf("bench_native printed %q", out)
			}
			nativeRuns[key] = s
			return s, nil
		}
	}
	return 0, fmt.Errorf("bench_native printed no seconds_per_op: %q", out)
}

var (
	fastOnce sync.Once
	fastLib  *Library
	fastErr  error
)

// benchLibrary returns the shared test Library (interruptible, the
// default) or an Uninterruptible one, shared too.
func benchLibrary(b testing.TB, interruptible bool) *Library {
	if interruptible {
		return testLibrary(b)
	}
	fastOnce.Do(func() { fastLib, fastErr = New(testCtx, Options{Uninterruptible: true, CacheDir: testCacheDir}) })
	if fastErr != nil {
		b.Fatal(fastErr)
	}
	return fastLib
}

// benchOp runs one operation b.N times on a reused instance, in an
// interruptible and in an uninterruptible Library, and reports MP/s of
// input, plus native-MP/s and wasm/native when the native driver can be
// built.
func benchOp(b *testing.B, op Op, input, arg string, mpix float64, run func(context.Context, *Instance) error) {
	setBytes := int64(0)
	if op == Decode {
		if fi, err := os.Stat(input); err == nil {
			setBytes = fi.Size()
		}
	}
	for _, mode := range []string{"interruptible", "uninterruptible"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(setBytes)
			benchOpIn(b, benchLibrary(b, mode == "interruptible"), op, input, arg, mpix, run)
		})
	}
}

func benchOpIn(b *testing.B, lib *Library, op Op, input, arg string, mpix float64, run func(context.Context, *Instance) error) {
	in := instanceOf(b, lib, op)
	ctx := context.Background()
	if err := run(ctx, in); err != nil { // warm up: memory grown once
		b.Fatal(err)
	}
	native, nerr := nativeSecondsPerOp(b, op, input, arg)
	b.ResetTimer()
	for range b.N {
		if err := run(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(mpix/sec, "MP/s")
	b.ReportMetric(float64(in.MemorySize())/(1<<20), "linear-MiB")
	if nerr != nil {
		b.Logf("no native comparison: %v", nerr)
		return
	}
	b.ReportMetric(mpix/native, "native-MP/s")
	b.ReportMetric(sec/native, "wasm/native")
}

func BenchmarkDecode(b *testing.B) {
	bi := loadBenchInput(b)
	mpix := float64(benchW*benchH) / 1e6
	b.Run("png", func(b *testing.B) {
		benchOp(b, Decode, bi.png, "", mpix, func(ctx context.Context, in *Instance) error {
			_, err := in.Decode(ctx, bi.pngBytes)
			return err
		})
	})
	b.Run("jpeg", func(b *testing.B) {
		benchOp(b, Decode, bi.jpeg, "", mpix, func(ctx context.Context, in *Instance) error {
			_, err := in.Decode(ctx, bi.jpegBytes)
			return err
		})
	})
}

func BenchmarkResize(b *testing.B) {
	for _, width := range []int{2000, 640} {
		b.Run(fmt.Sprint("to", width), func(b *testing.B) { benchImageOp(b, Resize, width) })
	}
}

func BenchmarkRotate(b *testing.B) {
	for _, deg := range []int{90, 180} {
		b.Run(fmt.Sprint(deg), func(b *testing.B) { benchImageOp(b, Rotate, deg) })
	}
}

func BenchmarkEncodePNG(b *testing.B) { benchImageOp(b, EncodePNG, 6) }

func BenchmarkEncodeJPEG(b *testing.B) { benchImageOp(b, EncodeJPEG, 75) }

// benchImageOp is benchOp of op on the decoded benchmark image with arg
// (the width, the degrees, the PNG level or the quality), the native tool
// reading the image's PNG file.
func benchImageOp(b *testing.B, op Op, arg int) {
	bi := loadBenchInput(b)
	mpix := float64(benchW*benchH) / 1e6
	benchOp(b, op, bi.png, fmt.Sprint(arg), mpix, func(ctx context.Context, in *Instance) error {
		return callWith(ctx, in, op, bi.img, arg)
	})
}

// BenchmarkEncodeWebP encodes a 1920x1080 photo-like image (photoLike,
// seed 1): "q75" reports MP/s at quality 75 with the native comparison
// like the other operations; "35dB" reports the compression at about
// 35 dB of PSNR (see webpAt35dB), and cwebp's at the same PSNR when cwebp
// is installed. Its ns/op is one encode at the quality it found.
func BenchmarkEncodeWebP(b *testing.B) {
	wb := loadWebPBench(b)
	mpix := float64(wb.img.Width*wb.img.Height) / 1e6
	b.Run("q75", func(b *testing.B) {
		benchOp(b, EncodeWebP, wb.png, "75", mpix, func(ctx context.Context, in *Instance) error {
			_, err := in.EncodeWebP(ctx, wb.img, 75)
			return err
		})
	})
	b.Run("35dB", func(b *testing.B) {
		in := instanceOf(b, benchLibrary(b, false), EncodeWebP)
		r := webpAt35dB(b, wb, in)
		ctx := context.Background()
		b.ResetTimer()
		for range b.N {
			if _, err := in.EncodeWebP(ctx, wb.img, r.ours.q); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(r.ours.q), "quality")
		b.ReportMetric(r.ours.psnr, "PSNR-dB")
		b.ReportMetric(r.ours.bpp, "bytes/px")
		if r.cwebpErr != nil {
			b.Logf("no cwebp comparison: %v", r.cwebpErr)
			return
		}
		b.ReportMetric(r.cwebpBPP, "cwebp-bytes/px")
		b.ReportMetric(r.ours.bpp/r.cwebpBPP, "bytes/cwebp")
	})
}

const webpBenchW, webpBenchH = 1920, 1080

// webpBench is BenchmarkEncodeWebP's input: the image, and a PNG of it
// (in testCacheDir) for the native driver and cwebp.
type webpBench struct {
	img Image
	png string
}

// webpBenches makes BenchmarkEncodeWebP's input once.
var webpBenches = sync.OnceValues(func() (webpBench, error) {
	m := photoLike(webpBenchW, webpBenchH, 1)
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		return webpBench{}, err
	}
	path := filepath.Join(testCacheDir, fmt.Sprintf("photo-%dx%d-%s.png", webpBenchW, webpBenchH, benchVersion))
	return webpBench{img: Image{Width: webpBenchW, Height: webpBenchH, Pix: m.Pix}, png: path}, atomicfile.WriteBytes(path, buf.Bytes())
})

func loadWebPBench(b *testing.B) webpBench { return loaded(b, webpBenches) }

// webpPoint is one encode: quality, PSNR (webpPSNR) and bytes per pixel.
type webpPoint struct {
	q         int
	psnr, bpp float64
}

type webp35 struct {
	ours     webpPoint // the quality whose PSNR is closest to 35 dB
	cwebpBPP float64   // cwebp's bytes/px at ours.psnr, interpolated
	cwebpErr error
}

var (
	webp35Once sync.Once
	webp35Res  webp35
)

// webpAt35dB finds, by bisection on quality, the quality whose PSNR on
// wb's image is closest to 35 dB, and, when cwebp is installed, cwebp's
// bytes per pixel at that same PSNR: cwebp (default settings but -q) is
// bisected the same way and its size interpolated, log-linearly in PSNR,
// between the two qualities around our PSNR. cwebp's output is decoded
// and measured by the same webpPSNR. Computed once per run.
func webpAt35dB(b *testing.B, wb webpBench, in *Instance) webp35 {
	webp35Once.Do(func() {
		px := float64(wb.img.Width * wb.img.Height)
		ours := func(q int) webpPoint {
			out, err := in.EncodeWebP(context.Background(), wb.img, q)
			if err != nil {
				b.Fatal(err)
			}
			return webpPoint{q, webpPSNR(b, out, wb.img), float64(len(out)) / px}
		}
		lo, hi := bisectPSNR(35, ours)
		r := &webp35Res
		r.ours = hi
		if math.Abs(lo.psnr-35) < math.Abs(hi.psnr-35) {
			r.ours = lo
		}
		b.Logf("ours: quality %d: %.2f dB, quality %d: %.2f dB", lo.q, lo.psnr, hi.q, hi.psnr)
		cwebp, err := exec.LookPath("cwebp")
		if err != nil {
			r.cwebpErr = errors.New("cwebp not found")
			return
		}
		dir := b.TempDir()
		theirs := func(q int) webpPoint {
			dst := filepath.Join(dir, fmt.Sprintf("q%d.webp", q))
			if out, err := exec.Command(cwebp, "-quiet", "-q", fmt.Sprint(q), wb.png, "-o", dst).CombinedOutput(); err != nil {
				b.Fatalf("cwebp -q %d: %v: %s", q, err, out)
			}
			out, err := os.ReadFile(dst)
			if err != nil {
				b.Fatal(err)
			}
			return webpPoint{q, webpPSNR(b, out, wb.img), float64(len(out)) / px}
		}
		lo, hi = bisectPSNR(r.ours.psnr, theirs)
		b.Logf("cwebp: quality %d: %.2f dB, %.4f bytes/px; quality %d: %.2f dB, %.4f bytes/px", lo.q, lo.psnr, lo.bpp, hi.q, hi.psnr, hi.bpp)
		if lo.psnr >= r.ours.psnr || hi.psnr < r.ours.psnr || hi.psnr <= lo.psnr {
			r.cwebpErr = fmt.Errorf("cwebp's PSNR over qualities 0-100 does not bracket %.2f dB", r.ours.psnr)
			return
		}
		f := (r.ours.psnr - lo.psnr) / (hi.psnr - lo.psnr)
		r.cwebpBPP = math.Exp(math.Log(lo.bpp) + f*(math.Log(hi.bpp)-math.Log(lo.bpp)))
	})
	return webp35Res
}

// bisectPSNR finds adjacent qualities lo.q+1 == hi.q with lo.psnr <
// target <= hi.psnr, assuming PSNR grows with quality; at the ends of
// 0-100 it returns lo == hi.
func bisectPSNR(target float64, enc func(q int) webpPoint) (lo, hi webpPoint) {
	lo, hi = enc(0), enc(100)
	if lo.psnr >= target {
		return lo, lo
	}
	if hi.psnr < target {
		return hi, hi
	}
	for hi.q-lo.q > 1 {
		mid := enc((lo.q + hi.q) / 2)
		if mid.psnr < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, hi
}

// BenchmarkInstantiate measures a fresh instance (the "fresh" lifetime's
// per-operation overhead): instantiate, _initialize, ABI check, close.
func BenchmarkInstantiate(b *testing.B) {
	lib := testLibrary(b)
	for op := range Op(NumOps) {
		b.Run(op.String(), func(b *testing.B) {
			if !lib.Has(op) {
				b.Skipf("%s.wasm is not embedded yet", op.Module())
			}
			ctx := context.Background()
			for range b.N {
				in, err := lib.Instantiate(ctx, op)
				if err != nil {
					b.Fatal(err)
				}
				_ = in.Close(ctx)
			}
		})
	}
}

// BenchmarkDecodeChecks measures the host-side checks Decode runs before
// the guest sees the input (the header parse): part of Decode's time
// above. Everything past the header is checked in the guest.
func BenchmarkDecodeChecks(b *testing.B) {
	bi := loadBenchInput(b)
	lim := DefaultLimits()
	for _, c := range []struct {
		name string
		src  []byte
	}{{"png", bi.pngBytes}, {"jpeg", bi.jpegBytes}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.src)))
			for range b.N {
				if _, err := lim.checkEncoded(c.src); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchW*benchH)/1e6/(b.Elapsed().Seconds()/float64(b.N)), "MP/s")
		})
	}
}
