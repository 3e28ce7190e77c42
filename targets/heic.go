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
	return decodeTarget(ctx, "heic-decode", opts, libcodec.NewHEIC, libcodec.HEIC.Init, (*memprobe.Prober).HEIC,
		func(ctx context.Context, _ libcodec.HEIC) (srccache.Sources, error) {
			src := srccache.HEICSamples()
			if _, err := src.Files(ctx); err != nil {
				return nil, err
			}
			return src, nil
		})
}
