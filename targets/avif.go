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
	return decodeTarget(ctx, "avif-decode", opts, libcodec.NewAVIF, libcodec.AVIF.InitDecoder, (*memprobe.Prober).AVIF,
		func(ctx context.Context, c libcodec.AVIF) (srccache.Sources, error) {
			return encodedSources(ctx, opts.CacheDir, "avif", c, AVIFSourceQuality, "github.com/gen2brain/avif", fmt.Sprintf("speed=%d chroma=420", c.Speed))
		})
}

// AVIFEncode returns the avif-encode target: gen2brain/avif encodes every
// request's resized image.
func AVIFEncode(_ context.Context, opts Options) (*Target, error) {
	return encodeTarget("avif-encode", opts, libcodec.NewAVIF, libcodec.AVIF.InitEncoder)
}
