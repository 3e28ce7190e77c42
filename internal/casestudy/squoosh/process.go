package squoosh

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/leakbench/leakbench/internal/imageformat"
)

// Format is an encoded image format the optimizer reads or writes: the
// project's one image format type, whose names ("jpeg", "png", "webp")
// are the ones impl.js's encoding switch spells.
type Format = imageformat.Format

// The formats of impl.js processBuffer's encoding switch.
const (
	FormatJPEG = imageformat.JPEG
	FormatPNG  = imageformat.PNG
	FormatWebP = imageformat.WebP
)

// Step is one operation of a request: a rotation by Rotations quarter
// turns, or a resize to Width (impl.js operations of type 'rotate' and
// 'resize').
type Step struct {
	Rotations int // rotate when Width is 0
	Width     int // resize to this width, when wider
}

// ErrUnsupportedFormat is returned for input none of the codecs detects.
var ErrUnsupportedFormat = errors.New("squoosh: buffer has an unsupported format")

// Detect returns the format of data by the detectors of codecs.js, tried on
// its first 16 bytes: JPEG /^\xFF\xD8\xFF/, WebP /^RIFF....WEBPVP8[LX ]/,
// PNG /^\x89PNG\x0D\x0A\x1A\x0A/.
func Detect(data []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return FormatJPEG, nil
	case len(data) >= 16 && string(data[:4]) == "RIFF" && string(data[8:15]) == "WEBPVP8" &&
		(data[15] == 'L' || data[15] == 'X' || data[15] == ' '):
		return FormatWebP, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return FormatPNG, nil
	}
	return 0, ErrUnsupportedFormat
}

// Process is impl.js processBuffer: decode data with the codec its
// detector picks, apply steps in order (a resize only when the image is
// wider than its width), and encode to out with quality (JPEG and WebP;
// PNG goes through oxipng level 2 whatever the quality).
func (o *Optimizer) Process(ctx context.Context, data []byte, steps []Step, out Format, quality int) ([]byte, error) {
	in, err := Detect(data)
	if err != nil {
		return nil, err
	}
	var img Image
	switch in {
	case FormatJPEG:
		img, err = o.DecodeJPEG(ctx, data)
	case FormatWebP:
		img, err = o.DecodeWebP(ctx, data)
	case FormatPNG:
		img, err = o.DecodePNG(ctx, data)
	}
	if err != nil {
		return nil, err
	}
	for _, s := range steps {
		switch {
		case s.Width == 0:
			img, err = o.Rotate(ctx, img, s.Rotations)
		case img.Width > s.Width:
			img, err = o.Resize(ctx, img, s.Width)
		}
		if err != nil {
			return nil, err
		}
	}
	switch out {
	case FormatJPEG:
		return o.EncodeJPEG(ctx, img, quality)
	case FormatWebP:
		return o.EncodeWebP(ctx, img, quality)
	case FormatPNG:
		return o.EncodePNG(ctx, img)
	}
	return nil, fmt.Errorf("squoosh: unsupported encoding %v", out)
}
