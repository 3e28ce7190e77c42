package flow

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/leakbench/leakbench/targets/internal/libcodec"
)

// StdDecoder decodes PNG and JPEG with the standard library: the decoder
// of the encode targets, whose sources are the workload's own files.
type StdDecoder struct{}

// Decode decodes a PNG or JPEG image.
func (StdDecoder) Decode(data []byte) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	return img, err
}

// PNG encodes with image/png at its default compression; quality is
// ignored.
type PNG struct{}

// Encode encodes img as PNG.
func (PNG) Encode(w io.Writer, img image.Image, _ int) error { return png.Encode(w, img) }

// JPEG encodes with image/jpeg.
type JPEG struct{}

// Encode encodes img as JPEG at quality.
func (JPEG) Encode(w io.Writer, img image.Image, quality int) error {
	return jpeg.Encode(w, img, &jpeg.Options{Quality: quality})
}

// ByFormat returns the Encoders of the builtin flow's output formats: png
// and jpeg from the standard library, webp from webp (the library adapter;
// Go has no webp encoder).
func ByFormat(webp libcodec.Encoder) Encoders {
	return func(format string) (libcodec.Encoder, error) {
		switch format {
		case "png":
			return PNG{}, nil
		case "jpeg":
			return JPEG{}, nil
		case "webp":
			return webp, nil
		}
		return nil, fmt.Errorf("flow: output format %q; want png, jpeg or webp", format)
	}
}

// Always returns Encoders that encode every request with enc, whatever
// format it asks for: the encode targets, whose output is the library's
// format.
func Always(enc libcodec.Encoder) Encoders {
	return func(string) (libcodec.Encoder, error) { return enc, nil }
}

var (
	_ libcodec.Decoder = StdDecoder{}
	_ libcodec.Encoder = PNG{}
	_ libcodec.Encoder = JPEG{}
)
