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
	const name = "webp-decode"
	if err := opts.check(name, true); err != nil {
		return nil, err
	}
	c, err := libcodec.NewWebP()
	if err != nil {
		return nil, err
	}
	settings, err := encoderSettings(ctx, "github.com/gen2brain/webp", fmt.Sprintf("method=%d", c.Method))
	if err != nil {
		return nil, err
	}
	src := &srccache.Cache{Dir: opts.CacheDir, Format: "webp", Encoder: c, Quality: WebPSourceQuality, Settings: settings}
	t := decodeTarget(name, opts, c, c, src, (*memprobe.Prober).WebP)
	t.warm = c.Init
	return t, nil
}

// WebPEncode returns the webp-encode target: gen2brain/webp encodes every
// request's resized image.
func WebPEncode(_ context.Context, opts Options) (*Target, error) {
	return encodeTarget("webp-encode", opts, libcodec.NewWebP, libcodec.WebP.Init)
}
