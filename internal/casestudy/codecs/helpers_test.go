package codecs

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/leakbench/leakbench/internal/imageformat"
)

// The magic bytes of PNG and JPEG files, for tests that build or mangle
// them.
var (
	magicPNG  = imageformat.Magic(PNG)
	magicJPEG = imageformat.Magic(JPEG)
)

// testCtx is deliberately not context.Background, so code that ignores
// its ctx argument shows up.
type testKey struct{}

var testCtx = context.WithValue(context.Background(), testKey{}, "codecs test")

// The library is compiled once for the package's tests.
var (
	sharedOnce sync.Once
	sharedLib  *Library
	sharedErr  error
)

func testLibrary(t testing.TB) *Library {
	t.Helper()
	sharedOnce.Do(func() { sharedLib, sharedErr = New(testCtx, Options{CacheDir: testCacheDir}) })
	if sharedErr != nil {
		t.Fatalf("New: %v", sharedErr)
	}
	return sharedLib
}

// instance instantiates op in the shared library, skipping when the module
// is not embedded yet, and closes it at the end of the test.
func instance(t testing.TB, op Op) *Instance {
	t.Helper()
	lib := testLibrary(t)
	return instanceOf(t, lib, op)
}

func instanceOf(t testing.TB, lib *Library, op Op) *Instance {
	t.Helper()
	if !lib.Has(op) {
		t.Skipf("%s.wasm is not embedded yet (wasm/build.sh has not built it): skipping", op.Module())
	}
	in, err := lib.Instantiate(testCtx, op)
	if err != nil {
		t.Fatalf("Instantiate(%s): %v", op, err)
	}
	t.Cleanup(func() { _ = in.Close(testCtx) })
	return in
}

// cappedInstance instantiates op in a library of its own whose instances
// may grow to 8 MiB of linear memory, and allocates 6 MiB of it in the
// guest, held until the test ends as a leak would hold it.
func cappedInstance(t testing.TB, op Op) *Instance {
	t.Helper()
	lib, err := New(testCtx, Options{Limits: Limits{MaxMemoryBytes: 8 << 20}, CacheDir: testCacheDir})
	noErr(t, err, "New")
	t.Cleanup(func() { lib.Close(testCtx) })
	in := instanceOf(t, lib, op)
	t.Cleanup(in.mark(testCtx))
	_, err = in.alloc(testCtx, 6<<20)
	noErr(t, err, "lb_alloc of 6 MiB")
	return in
}

// callWith calls the method of op (other than Decode) on in with img and
// arg: the width, the degrees, the PNG level or the quality.
func callWith(ctx context.Context, in *Instance, op Op, img Image, arg int) error {
	var err error
	switch op {
	case Resize:
		_, err = in.Resize(ctx, img, arg)
	case Rotate:
		_, err = in.Rotate(ctx, img, arg)
	case EncodePNG:
		_, err = in.EncodePNG(ctx, img, arg)
	case EncodeJPEG:
		_, err = in.EncodeJPEG(ctx, img, arg)
	case EncodeWebP:
		_, err = in.EncodeWebP(ctx, img, arg)
	default:
		panic("callWith: " + op.String() + " takes no image")
	}
	return err
}

// invalidCall is a call of op with a bad arg or img, and the error it must
// fail with: one wrapping target whose text contains every fragment.
type invalidCall struct {
	name      string
	op        Op
	arg       int
	img       Image
	target    error
	fragments []string
}

// checkInvalid makes each call, in order, on one instance of its op per
// op, and checks its error; bad input is the caller's fault, so the
// instance must stay open.
func checkInvalid(t *testing.T, calls []invalidCall) {
	t.Helper()
	ins := map[Op]*Instance{}
	for _, c := range calls {
		if ins[c.op] == nil {
			ins[c.op] = instance(t, c.op)
		}
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			in := ins[c.op]
			err := callWith(testCtx, in, c.op, c.img, c.arg)
			wantErr(t, err, c.target, c.fragments...)
			equal(t, in.Closed(), false, "closed")
		})
	}
}

func noErr(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantErr checks err wraps target and its text contains every fragment.
func wantErr(t testing.TB, err error, target error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one wrapping %v", target)
	}
	if target != nil && !errors.Is(err, target) {
		t.Fatalf("error %q does not wrap %q", err, target)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("error %q does not mention %q", err, f)
		}
	}
}

func equal[T comparable](t testing.TB, got, want T, what string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// toImage converts any image.Image to our RGBA8 non-premultiplied Image.
func toImage(m image.Image) Image {
	b := m.Bounds()
	out := Image{Width: b.Dx(), Height: b.Dy(), Pix: make([]byte, 4*b.Dx()*b.Dy())}
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if m64, ok := m.(*image.NRGBA64); ok {
				// Straight 16 to 8 bits, not through premultiplied RGBA().
				c := m64.NRGBA64At(x, y)
				out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = byte(c.R>>8), byte(c.G>>8), byte(c.B>>8), byte(c.A>>8)
				i += 4
				continue
			}
			c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
			out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = c.R, c.G, c.B, c.A
			i += 4
		}
	}
	return out
}

// toNRGBA wraps an Image as an *image.NRGBA without copying.
func toNRGBA(img Image) *image.NRGBA {
	return &image.NRGBA{Pix: img.Pix, Stride: 4 * img.Width, Rect: image.Rect(0, 0, img.Width, img.Height)}
}

// testPattern returns a deterministic w x h image with gradients, a
// checkerboard and varying alpha, so rotations and flips are visible.
func testPattern(w, h int, alpha bool) Image {
	img := Image{Width: w, Height: h, Pix: make([]byte, 4*w*h)}
	for y := range h {
		for x := range w {
			i := 4 * (y*w + x)
			img.Pix[i] = byte(x * 255 / max(w-1, 1))
			img.Pix[i+1] = byte(y * 255 / max(h-1, 1))
			img.Pix[i+2] = byte(((x/4)^(y/4))&1*200 + x*y%50)
			img.Pix[i+3] = 255
			if alpha {
				img.Pix[i+3] = byte(255 - (x+y)%256)
			}
		}
	}
	return img
}

// smoothPattern returns a deterministic opaque w x h image without sharp
// chroma edges, like a photograph: JPEG decoders differ most in chroma
// upsampling, which a sharp pattern exaggerates.
func smoothPattern(w, h int) Image {
	img := Image{Width: w, Height: h, Pix: make([]byte, 4*w*h)}
	for y := range h {
		for x := range w {
			i := 4 * (y*w + x)
			fx, fy := float64(x)/float64(max(w-1, 1)), float64(y)/float64(max(h-1, 1))
			img.Pix[i] = byte(40 + 180*fx)
			img.Pix[i+1] = byte(30 + 190*fy)
			img.Pix[i+2] = byte(128 + 100*math.Sin(3*fx+2*fy))
			img.Pix[i+3] = 255
		}
	}
	return img
}

// encodePNG encodes m with Go's PNG encoder.
func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	noErr(t, png.Encode(&buf, m), "png.Encode")
	return buf.Bytes()
}

// maxDiff returns the largest per-channel difference of two same-size
// images.
func maxDiff(t testing.TB, a, b Image) int {
	t.Helper()
	if a.Width != b.Width || a.Height != b.Height || len(a.Pix) != len(b.Pix) {
		t.Fatalf("sizes differ: %dx%d (%d bytes) vs %dx%d (%d bytes)", a.Width, a.Height, len(a.Pix), b.Width, b.Height, len(b.Pix))
	}
	d := 0
	for i := range a.Pix {
		d = max(d, abs(int(a.Pix[i])-int(b.Pix[i])))
	}
	return d
}

// meanDiff returns the mean per-channel difference over RGB.
func meanDiff(t testing.TB, a, b Image) float64 {
	t.Helper()
	maxDiff(t, a, b) // size check
	var sum, n float64
	for i := range a.Pix {
		if i%4 == 3 {
			continue
		}
		sum += float64(abs(int(a.Pix[i]) - int(b.Pix[i])))
		n++
	}
	return sum / n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
