package targets

import (
	"context"
	"fmt"

	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/internal/memprobe"
	"github.com/leakbench/leakbench/targets/internal/srccache"
)

// WebPSourceQuality is the quality at which webp-decode's sources are made
// from the workload's files.
const WebPSourceQuality = 90

// WebPDecode returns the webp-decode target: gen2brain/webp decodes webp
// sources made from the workload's files by its own encoder.
func WebPDecode(ctx context.Context, opts Options) (*Target, error) {
	return decodeTarget(ctx, "webp-decode", opts, libcodec.NewWebP, libcodec.WebP.Init, (*memprobe.Prober).WebP,
		func(ctx context.Context, c libcodec.WebP) (srccache.Sources, error) {
			return encodedSources(ctx, opts.CacheDir, "webp", c, WebPSourceQuality, "github.com/gen2brain/webp", fmt.Sprintf("method=%d", c.Method))
		})
}

// WebPEncode returns the webp-encode target: gen2brain/webp encodes every
// request's resized image.
func WebPEncode(_ context.Context, opts Options) (*Target, error) {
	return encodeTarget("webp-encode", opts, libcodec.NewWebP, libcodec.WebP.Init)
}
