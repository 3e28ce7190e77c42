package retention_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/leakbench/leakbench/targets"
	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/internal/memprobe"
	"github.com/leakbench/leakbench/targets/internal/retention"
	"github.com/leakbench/leakbench/targets/internal/srccache"
	"github.com/leakbench/leakbench/targets/internal/testimage"
)

const mib = 1 << 20

// TestRetention: a kept decoded image retains its decoder instance's whole
// linear memory, the Go slice wazero grew it in; copied out, it retains
// its pixels only.
//
// Sizes: webp at 1000×750 and avif at 640×480, a quarter and a tenth of
// the 2000×1500 (cmd/retention measures that): the ratio to the
// memory's backing array is the same (measured for avif: 1.095 at
// 2000×1500, 1.108 at 1000×750) and a decode takes a fraction of the
// time; heic on the largest sample its module ships, test.heic
// (1346×1346).
func TestRetention(t *testing.T) {
	ctx := context.Background()
	prober := memprobe.New(ctx)
	defer prober.Close(ctx)
	dir := t.TempDir()
	cache := t.TempDir()
	for _, tc := range []struct {
		target string
		w, h   int // of the workload PNG; 0 for heic's samples
		n      int
		probe  func(context.Context, []byte) (memprobe.Result, error)
		dec    libcodec.Decoder
	}{
		{"webp-decode", 1000, 750, 4, prober.WebP, libcodec.WebP{}},
		{"avif-decode", 640, 480, 3, prober.AVIF, libcodec.AVIF{}},
		{"heic-decode", 0, 0, 3, prober.HEIC, libcodec.HEIC{}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			var src string
			var err error
			if tc.w > 0 {
				src, err = testimage.WritePNG(dir, fmt.Sprintf("photo-%dx%d.png", tc.w, tc.h), testimage.Photo(tc.w, tc.h, 1))
			} else {
				src, err = srccache.HEICSamples().NameFor(ctx, "test.heic")
			}
			if err != nil {
				t.Fatal(err)
			}
			req := targets.Request{Source: src, Width: 640, Format: "jpeg", Quality: 75}
			view, err := retention.Measure(ctx, tc.target, targets.Options{CacheDir: cache}, req, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			copied, err := retention.Measure(ctx, tc.target, targets.Options{CacheDir: cache, CopyOut: true}, req, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(view.Source)
			if err != nil {
				t.Fatal(err)
			}
			mem, err := tc.probe(ctx, data)
			if err != nil {
				t.Fatal(err)
			}
			img, err := tc.dec.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			pixels := float64(libcodec.PixelBytes(img))
			per, size, backing := view.PerImage(), float64(mem.MemorySize), float64(mem.BufferCap)
			t.Logf("%s %v, %d kept: %.2f MiB retained per image; memory size %.2f MiB (%.3f), backing array %.2f MiB (%.3f), pixels %.2f MiB (%.2f×); copied out %.2f MiB (%.3f× pixels)",
				filepath.Base(view.Source), img.Bounds().Size(), tc.n, per/mib, size/mib, per/size, backing/mib, per/backing, pixels/mib, per/pixels, copied.PerImage()/mib, copied.PerImage()/pixels)
			// What a kept image retains is the backing array of the
			// instance's memory: within 5%.
			if per < 0.95*backing || per > 1.05*backing {
				t.Errorf("retained %.2f MiB per image, not within 5%% of the %.2f MiB backing array of the decoder's memory", per/mib, backing/mib)
			}
			// That array is Memory().Size() plus what append left spare,
			// at most a quarter more.
			if per < 0.8*size || per > 1.25*size*1.05 {
				t.Errorf("retained %.2f MiB per image against a memory size of %.2f MiB: outside [0.8, 1.31]", per/mib, size/mib)
			}
			if per < 2*pixels && tc.target != "webp-decode" {
				t.Errorf("retained %.2f MiB per image for %.2f MiB of pixels: the view should hold far more", per/mib, pixels/mib)
			}
			if c := copied.PerImage(); c >= 1.5*pixels || c >= per/1.2 {
				t.Errorf("copied out, retained %.2f MiB per image: want under 1.5× the %.2f MiB of pixels, and well under the view's %.2f MiB", c/mib, pixels/mib, per/mib)
			}
		})
	}
}
