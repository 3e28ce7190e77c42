package targets

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leakbench/leakbench/harness"
	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/targets/internal/flow"
	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/internal/testimage"
)

// PSNR floors of the round trips, dB. webp's is low because gen2brain/webp
// v0.5.5 decodes to libwebp's limited-range (16-235) YUV labelled as Go's
// full-range image.YCbCr, which costs about 28 dB even when lossless.
const (
	webpFloor = 25.0
	avifFloor = 33.0
)

func TestNames(t *testing.T) {
	want := []string{"avif-decode", "avif-encode", "heic-decode", "webp-decode", "webp-encode"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

func TestOptionsErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"webp-decode", Options{Keep: -1}, "keep: -1 is out of range"},
		{"avif-decode", Options{Keep: MaxKeep + 1}, "keep: 1001 is out of range"},
		{"webp-encode", Options{CopyOut: true}, "copy_out: only the decode targets"},
		{"avif-encode", Options{Keep: -2, CopyOut: true}, "keep: -2 is out of range (0 to 1000); copy_out"},
	} {
		_, err := Factories()[tc.name](ctx, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s %+v: error %v, want one naming the target and %q", tc.name, tc.opts, err, tc.want)
		}
	}
}

// output runs req through a target and returns the encoded output.
func output(t *testing.T, tg *Target, req Request) []byte {
	t.Helper()
	var (
		mu  sync.Mutex
		out []byte
	)
	tg.sink = func(r flow.Result) { mu.Lock(); out = r.Output; mu.Unlock() }
	if err := tg.Do(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	return out
}

func decodeFile(t *testing.T, dec libcodec.Decoder, path string) image.Image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := dec.Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func psnrAtLeast(t *testing.T, what string, want, got image.Image, floor float64) {
	t.Helper()
	p, err := testimage.PSNR(want, got)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	t.Logf("%s: PSNR %.2f dB (floor %.0f)", what, p, floor)
	if p < floor {
		t.Errorf("%s: PSNR %.2f dB, below the floor %.0f", what, p, floor)
	}
}

// TestRoundTrip: each target's library decodes its own encoding close to
// the source. The decode targets' sources are made by the library's
// encoder from the workload PNG; the encode targets' output is the
// library's encoding of the resized image.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	photo := testimage.Photo(640, 480, 11)
	src, err := testimage.WritePNG(dir, "photo.png", photo)
	if err != nil {
		t.Fatal(err)
	}
	resized := flow.Resize(flow.ToRGBA(photo), 320)
	opts := Options{Keep: 1, CacheDir: t.TempDir()}
	req := Request{ID: 1, Round: 1, Source: src, Width: 320, Format: "webp", Quality: 75}
	for _, tc := range []struct {
		name  string
		dec   libcodec.Decoder
		floor float64
	}{
		{"webp-decode", libcodec.WebP{}, webpFloor},
		{"avif-decode", libcodec.AVIF{}, avifFloor},
		{"webp-encode", libcodec.WebP{}, webpFloor},
		{"avif-encode", libcodec.AVIF{}, avifFloor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := Factories()[tc.name](ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			out := output(t, tg, req)
			if tg.Kept() != 1 {
				t.Errorf("kept %d images, want 1", tg.Kept())
			}
			if strings.HasSuffix(tc.name, "-decode") {
				file, err := tg.SourceFile(ctx, src)
				if err != nil {
					t.Fatal(err)
				}
				decoded := decodeFile(t, tc.dec, file)
				psnrAtLeast(t, "source "+file[len(opts.CacheDir):], photo, decoded, tc.floor)
				// The output is gen2brain/webp's, of the resized decode.
				psnrAtLeast(t, "webp output", flow.Resize(flow.ToRGBA(decoded), 320), decodeBytes(t, libcodec.WebP{}, out), webpFloor)
				return
			}
			psnrAtLeast(t, "output", resized, decodeBytes(t, tc.dec, out), tc.floor)
		})
	}
}

func decodeBytes(t *testing.T, dec libcodec.Decoder, data []byte) image.Image {
	t.Helper()
	img, err := dec.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestHEICDecode: heic has no encoder, so no round trip; its target
// decodes the module's samples through the flow, rotated and resized.
func TestHEICDecode(t *testing.T) {
	ctx := context.Background()
	tg, err := HEICDecode(ctx, Options{Keep: 2})
	if err != nil {
		t.Fatal(err)
	}
	file, err := tg.SourceFile(ctx, "/workload/img-01.png")
	if err != nil {
		t.Fatal(err)
	}
	orig := decodeFile(t, libcodec.HEIC{}, file)
	width := orig.Bounds().Dy() / 2 // rotated by 90, then resized to half
	out := output(t, tg, Request{ID: 1, Round: 1, Source: "/workload/img-01.png", Width: width, Format: "png", Quality: 75, Rotate: 90})
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := img.Bounds().Size(), image.Pt(width, flow.ResizedHeight(orig.Bounds().Dy(), orig.Bounds().Dx(), width)); got != want {
		t.Errorf("output %v, want %v", got, want)
	}
	want := flow.Resize(flow.Rotate(flow.ToRGBA(orig), 90), width)
	psnrAtLeast(t, "flow output against the same steps on the library's image", want, img, 50)
	if tg.Kept() != 1 {
		t.Errorf("kept %d, want 1", tg.Kept())
	}
	tg.Close(ctx)
	if tg.Kept() != 0 {
		t.Errorf("Close kept %d images", tg.Kept())
	}
}

func TestDoErrors(t *testing.T) {
	ctx := context.Background()
	tg, err := WebPEncode(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		req  Request
		want string
	}{
		{Request{ID: 3, Source: "/no/such/file.png", Format: "webp"}, "request 3 (file.png)"},
		{Request{ID: 4, Source: os.DevNull, Format: "webp"}, "request 4"},
	} {
		if err := tg.Do(ctx, tc.req); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "webp-encode: ") {
			t.Errorf("%+v: error %v, want one naming the target and %q", tc.req, err, tc.want)
		}
	}
}

// TestConcurrentDo: Do from several goroutines at once, as the harness
// calls it; the decode target makes its source once (Prepare) and keeps
// exactly its last Keep images.
func TestConcurrentDo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var srcs []string
	for i := range 3 {
		p, err := testimage.WritePNG(dir, "img-"+string(rune('a'+i))+".png", testimage.Photo(96, 64, uint64(i)))
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, p)
	}
	tg, err := WebPDecode(ctx, Options{Keep: 2, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := tg.Prepare(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	if err := tg.Prepare(ctx, []string{dir + "/missing.png"}); err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("preparing a missing source: %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for w := range 4 {
		wg.Go(func() {
			for i := range 3 {
				formats := []string{"webp", "png", "jpeg"}
				req := Request{ID: 3*w + i + 1, Round: 1, Source: srcs[i], Width: 48, Format: formats[(w+i)%3], Quality: 75, Rotate: 90 * (w % 4)}
				if err := tg.Do(ctx, req); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if tg.Kept() != 2 {
		t.Errorf("kept %d images after 12 requests, want 2", tg.Kept())
	}
}

// TestSnapshot: a target accounts for its kept images as the holder
// "cache": with the library's decoder, the array behind each decoder
// instance's memory (what a replay of the decode measured, at least the
// instance's Memory().Size()); copied out, their pixels. Its decode ops
// carry that Memory().Size().
func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	src, err := testimage.WritePNG(t.TempDir(), "photo.png", testimage.Photo(160, 120, 2))
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	req := Request{ID: 1, Round: 1, Source: src, Width: 80, Format: "png", Quality: 75}
	for _, copyOut := range []bool{false, true} {
		tg, err := WebPDecode(ctx, Options{Keep: 2, CopyOut: copyOut, CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		rec := &ops{}
		tg.rec = rec
		if err := tg.Prepare(ctx, []string{src}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := tg.Do(ctx, req); err != nil {
				t.Fatal(err)
			}
		}
		s := tg.Snapshot()
		if len(s.Held) != 1 || s.Held[0].Holder != HolderCache || s.Held[0].Refs != 2 || s.LiveInstances != 0 {
			t.Fatalf("copy-out %v: snapshot %+v, want one holder %q with 2 refs and no instances", copyOut, s, HolderCache)
		}
		file, err := tg.SourceFile(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		img := decodeFile(t, libcodec.WebP{}, file)
		pixels := uint64(libcodec.PixelBytes(img))
		var decodes []target.Op
		for _, op := range rec.ops {
			if op.Name == "decode" {
				decodes = append(decodes, op)
			}
		}
		if len(decodes) != 3 || decodes[0].BytesOut != int(pixels) {
			t.Fatalf("copy-out %v: decode ops %+v, want 3 with the pixels' %d bytes out", copyOut, decodes, pixels)
		}
		if copyOut {
			if s.Held[0].Bytes != 2*pixels || decodes[0].Memory != 0 {
				t.Errorf("copied out: held %d bytes, decode memory %d; want the pixels of 2 images, %d, and no memory", s.Held[0].Bytes, decodes[0].Memory, 2*pixels)
			}
			continue
		}
		size := decodes[0].Memory
		if size < pixels || s.Held[0].Bytes < 2*size || s.Held[0].Bytes > 2*size*5/4+2<<14 {
			t.Errorf("views: held %d bytes for 2 images of %d bytes of pixels, decoder memory %d; want 2 arrays of at least the memory and at most a quarter more", s.Held[0].Bytes, pixels, size)
		}
	}
}

// ops is a target.Recorder that keeps the ops.
type ops struct {
	mu  sync.Mutex
	ops []target.Op
}

func (r *ops) Op(op target.Op)                       { r.mu.Lock(); r.ops = append(r.ops, op); r.mu.Unlock() }
func (r *ops) InstanceCreated(target.Instance)       {}
func (r *ops) InstanceClosed(target.Instance, error) {}

// TestOptionsValidate: the harness checks keep's range in the parent;
// Register registers every target under a valid, unique name.
func TestOptionsValidate(t *testing.T) {
	if errs := (Options{Keep: MaxKeep + 1}).Validate(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "keep: 1001") {
		t.Errorf("Validate of keep 1001: %v", errs)
	}
	if errs := (EncodeOptions{Keep: -1}).Validate(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "keep: -1") {
		t.Errorf("Validate of keep -1: %v", errs)
	}
	if errs := (Options{Keep: 3, CopyOut: true}).Validate(); errs != nil {
		t.Errorf("Validate of keep 3, copy-out: %v", errs)
	}
	h := harness.New()
	Register(h) // panics on a bad or duplicate name
}
