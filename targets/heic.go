package targets

import (
	"context"

	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/internal/memprobe"
	"github.com/leakbench/leakbench/targets/internal/srccache"
)

// HEICDecode returns the heic-decode target: gen2brain/heic decodes its
// module's sample images (each workload source maps to one); webp output
// is gen2brain/webp's. Options.CacheDir is unused.
func HEICDecode(ctx context.Context, opts Options) (*Target, error) {
	const name = "heic-decode"
	if err := opts.check(name, true); err != nil {
		return nil, err
	}
	c, err := libcodec.NewHEIC()
	if err != nil {
		return nil, err
	}
	w, err := libcodec.NewWebP()
	if err != nil {
		return nil, err
	}
	src := srccache.HEICSamples()
	if _, err := src.Files(ctx); err != nil {
		return nil, err
	}
	t := decodeTarget(name, opts, c, w, src, (*memprobe.Prober).HEIC)
	t.warm = func() { c.Init(); w.Init() }
	return t, nil
}
