package targets

import (
	"context"
	"fmt"

	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/internal/memprobe"
	"github.com/leakbench/leakbench/targets/internal/srccache"
)

// AVIFSourceQuality is the quality at which avif-decode's sources are made
// from the workload's files.
const AVIFSourceQuality = 80

// AVIFDecode returns the avif-decode target: gen2brain/avif decodes avif
// sources made from the workload's files by its own encoder; webp output
// is gen2brain/webp's.
func AVIFDecode(ctx context.Context, opts Options) (*Target, error) {
	const name = "avif-decode"
	if err := opts.check(name, true); err != nil {
		return nil, err
	}
	c, err := libcodec.NewAVIF()
	if err != nil {
		return nil, err
	}
	w, err := libcodec.NewWebP()
	if err != nil {
		return nil, err
	}
	settings, err := encoderSettings(ctx, "github.com/gen2brain/avif", fmt.Sprintf("speed=%d chroma=420", c.Speed))
	if err != nil {
		return nil, err
	}
	src := &srccache.Cache{Dir: opts.CacheDir, Format: "avif", Encoder: c, Quality: AVIFSourceQuality, Settings: settings}
	t := decodeTarget(name, opts, c, w, src, (*memprobe.Prober).AVIF)
	t.warm = func() { c.InitDecoder(); w.Init() }
	return t, nil
}

// AVIFEncode returns the avif-encode target: gen2brain/avif encodes every
// request's resized image.
func AVIFEncode(_ context.Context, opts Options) (*Target, error) {
	return encodeTarget("avif-encode", opts, libcodec.NewAVIF, libcodec.AVIF.InitEncoder)
}
