// Command retention measures what a kept decoded image of each gen2brain
// library holds, the numbers of the README's "What leakbench finds in real
// libraries": the Go heap live after GC with N images kept minus with none
// kept, per image, against the image's pixels, the decoder instance's
// Memory().Size() and the Go slice behind that memory; and the same with the
// pixels copied out.
//
//	cd targets && go run ./cmd/retention [-n 10] [-width 2000] [-height 1500] [-cache DIR]
//
// webp and avif decode a photo-like PNG of the given size re-encoded by
// their own encoders; heic decodes test.heic, the largest sample its module
// ships. It takes a few minutes and about 1 GiB.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"text/tabwriter"

	"github.com/leakbench/leakbench/targets"
	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/internal/memprobe"
	"github.com/leakbench/leakbench/targets/internal/moddir"
	"github.com/leakbench/leakbench/targets/internal/retention"
	"github.com/leakbench/leakbench/targets/internal/srccache"
	"github.com/leakbench/leakbench/targets/internal/testimage"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

const mib = 1 << 20

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("retention", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 10, "images kept")
	width := fs.Int("width", 2000, "width of the webp and avif sources, pixels")
	height := fs.Int("height", 1500, "height of the webp and avif sources, pixels")
	cache := fs.String("cache", "", "where the re-encoded sources are cached (default: the user cache directory)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *n < 1 || *width < 16 || *height < 16 {
		fmt.Fprintln(stderr, "retention: -n must be at least 1, -width and -height at least 16")
		return 2
	}
	if err := measure(ctx, stdout, *n, *width, *height, *cache); err != nil {
		fmt.Fprintln(stderr, "retention:", err)
		return 1
	}
	return 0
}

func measure(ctx context.Context, w io.Writer, n, width, height int, cache string) error {
	dir, err := os.MkdirTemp("", "retention-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	photo, err := testimage.WritePNG(dir, fmt.Sprintf("photo-%dx%d.png", width, height), testimage.Photo(width, height, 1))
	if err != nil {
		return err
	}
	heicSrc, err := srccache.HEICSamples().NameFor(ctx, "test.heic")
	if err != nil {
		return err
	}
	prober := memprobe.New(ctx)
	defer prober.Close(ctx)
	wz, err := moddir.Find(ctx, "github.com/tetratelabs/wazero")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Go heap retained per kept decoded image: live heap after GC with %d kept minus with 0 kept, over %d (%s, wazero %s, %s/%s)\n\n", n, n, runtime.Version(), wz.Version, runtime.GOOS, runtime.GOARCH)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "library\tsource\tpixels MiB\tretained MiB\t× pixels\tMemory().Size() MiB\tretained/size\tbacking array MiB\tretained/array\tcopied out MiB\t× pixels\tbytes clobbered\t")
	for _, c := range []struct {
		target, module, source string
		probe                  func(context.Context, []byte) (memprobe.Result, error)
		dec                    libcodec.Decoder
	}{
		{"webp-decode", "github.com/gen2brain/webp", photo, prober.WebP, libcodec.WebP{}},
		{"avif-decode", "github.com/gen2brain/avif", photo, prober.AVIF, libcodec.AVIF{}},
		{"heic-decode", "github.com/gen2brain/heic", heicSrc, prober.HEIC, libcodec.HEIC{}},
	} {
		m, err := moddir.Find(ctx, c.module)
		if err != nil {
			return err
		}
		req := targets.Request{Source: c.source, Width: 640, Format: "jpeg", Quality: 75}
		view, err := retention.Measure(ctx, c.target, targets.Options{CacheDir: cache}, req, n)
		if err != nil {
			return err
		}
		copied, err := retention.Measure(ctx, c.target, targets.Options{CacheDir: cache, CopyOut: true}, req, n)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(view.Source)
		if err != nil {
			return err
		}
		mem, err := c.probe(ctx, data)
		if err != nil {
			return err
		}
		img, err := c.dec.Decode(data)
		if err != nil {
			return err
		}
		px, per, cp := float64(libcodec.PixelBytes(img)), view.PerImage(), copied.PerImage()
		b := img.Bounds()
		src := fmt.Sprintf("%d×%d %T", b.Dx(), b.Dy(), img)
		if c.target == "heic-decode" {
			src = filepath.Base(view.Source) + " " + src
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.3f\t%.2f\t%.3f\t%.2f\t%.3f\t%d\t\n",
			filepath.Base(m.Path), m.Version, src, px/mib, per/mib, per/px,
			float64(mem.MemorySize)/mib, per/float64(mem.MemorySize), float64(mem.BufferCap)/mib, per/float64(mem.BufferCap),
			cp/mib, cp/px, mem.Clobbered)
	}
	return tw.Flush()
}
