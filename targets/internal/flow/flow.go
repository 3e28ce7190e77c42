// Package flow is the builtin request flow of leakbench's optimizer, decode
// → optional rotate → resize → encode, in plain Go, with a library codec in
// the place of the decoder or the encoder it replaces, and a thumbnail
// cache that keeps the last N decoded images.
//
// Only the decode and the encode are codecs; rotate is a loop over RGBA
// pixels and resize is golang.org/x/image/draw's Catmull-Rom (a bicubic
// filter, like the builtin resize's Mitchell-Netravali).
package flow

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/leakbench/leakbench/targets/internal/libcodec"
)

// Params are what a request asks of the flow.
type Params struct {
	Width   int    // resize to this width when the (rotated) image is wider; 0: never
	Rotate  int    // clockwise degrees: 0, 90, 180 or 270
	Format  string // output format, for an Encoders lookup
	Quality int    // 1..100
	// Key names the request's source for Flow.Pins (the target gives the
	// file it decodes).
	Key string
}

// Encoders picks the encoder of an output format.
type Encoders func(format string) (libcodec.Encoder, error)

// Flow runs requests. Its fields are set once; Run may be called from
// several goroutines at once.
type Flow struct {
	Decoder  libcodec.Decoder
	Encoders Encoders
	Keep     *Keep // the thumbnail cache; nil keeps nothing
	// Pins returns the bytes a decoded image of the source Key keeps
	// reachable, for Keep's account; it is called only for images Keep
	// keeps. Nil: the image's pixels (libcodec.PixelBytes), what an image
	// that owns its pixels keeps.
	Pins func(ctx context.Context, key string, img image.Image) (uint64, error)
}

// Result is what a request produced.
type Result struct {
	Output        []byte // the encoded image
	Width, Height int    // its size
	Steps         []Step // what ran, in order
}

// Step is one step of a request: "decode", "rotate", "resize", or
// "encode-" and the output format. The conversion of the decoded image to
// RGBA is part of the step after the decode.
type Step struct {
	Name              string
	Duration          time.Duration
	BytesIn, BytesOut int // the decode: encoded bytes in, pixel bytes out; the encode: encoded bytes out
}

// Run decodes src, keeps the decoded image, rotates, resizes and encodes it.
func (f *Flow) Run(ctx context.Context, src []byte, p Params) (Result, error) {
	if err := p.check(); err != nil {
		return Result{}, err
	}
	enc, err := f.Encoders(p.Format)
	if err != nil {
		return Result{}, err
	}
	var res Result
	start := time.Now()
	step := func(name string, in, out int) {
		now := time.Now()
		res.Steps = append(res.Steps, Step{Name: name, Duration: now.Sub(start), BytesIn: in, BytesOut: out})
		start = now
	}
	decoded, err := f.Decoder.Decode(src)
	if err != nil {
		return Result{}, fmt.Errorf("decode: %w", err)
	}
	step("decode", len(src), libcodec.PixelBytes(decoded))
	if f.Keep != nil && f.Keep.Cap() > 0 {
		n, err := f.pins(ctx, p.Key, decoded)
		if err != nil {
			return Result{}, fmt.Errorf("accounting for the kept image: %w", err)
		}
		f.Keep.Add(decoded, n)
		start = time.Now()
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	img := ToRGBA(decoded)
	if p.Rotate != 0 {
		img = Rotate(img, p.Rotate)
		step("rotate", 0, 0)
	}
	if p.Width > 0 && p.Width < img.Rect.Dx() {
		img = Resize(img, p.Width)
		step("resize", 0, 0)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	var out bytes.Buffer
	if err := enc.Encode(&out, img, p.Quality); err != nil {
		return Result{}, fmt.Errorf("encode %s: %w", p.Format, err)
	}
	step("encode-"+p.Format, 0, out.Len())
	res.Output, res.Width, res.Height = out.Bytes(), img.Rect.Dx(), img.Rect.Dy()
	return res, nil
}

// pins returns what a kept image keeps reachable.
func (f *Flow) pins(ctx context.Context, key string, img image.Image) (uint64, error) {
	if f.Pins == nil {
		return uint64(libcodec.PixelBytes(img)), nil
	}
	return f.Pins(ctx, key, img)
}

func (p Params) check() error {
	switch p.Rotate {
	case 0, 90, 180, 270:
	default:
		return fmt.Errorf("flow: rotate %d; want 0, 90, 180 or 270", p.Rotate)
	}
	if p.Width < 0 {
		return fmt.Errorf("flow: negative width %d", p.Width)
	}
	if p.Quality < 1 || p.Quality > 100 {
		return fmt.Errorf("flow: quality %d; want 1 to 100", p.Quality)
	}
	return nil
}

// ToRGBA returns a copy of img as an *image.RGBA with its origin at 0,0.
// An *image.NYCbCrA (webp's decode) takes image/draw's fast YCbCr path and
// then its alpha plane, premultiplied, instead of the per-pixel generic
// path, which is several times slower.
func ToRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	m, ok := img.(*image.NYCbCrA)
	if !ok {
		draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
		return dst
	}
	draw.Draw(dst, dst.Rect, &m.YCbCr, b.Min, draw.Src)
	for y := range b.Dy() {
		alpha := m.A[m.AOffset(b.Min.X, b.Min.Y+y):][:b.Dx()]
		px := dst.Pix[y*dst.Stride:][:4*b.Dx()]
		for x, a := range alpha {
			if a == 0xff {
				continue
			}
			p := px[4*x : 4*x+4]
			for c := range 3 {
				p[c] = uint8((uint32(p[c])*uint32(a) + 127) / 255)
			}
			p[3] = a
		}
	}
	return dst
}

// Rotate returns img turned clockwise by deg (0, 90, 180 or 270); 0
// returns img itself.
func Rotate(img *image.RGBA, deg int) *image.RGBA {
	if deg == 0 {
		return img
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	dw, dh := w, h
	if deg != 180 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			var dx, dy int
			switch deg {
			case 90:
				dx, dy = h-1-y, x
			case 180:
				dx, dy = w-1-x, h-1-y
			default: // 270
				dx, dy = y, w-1-x
			}
			copy(dst.Pix[dy*dst.Stride+4*dx:][:4], row[4*x:4*x+4])
		}
	}
	return dst
}

// ResizedHeight returns the height of a w×h image resized to width,
// rounded to the nearest pixel and at least 1, as the builtin resize.
func ResizedHeight(w, h, width int) int {
	return max((2*h*width+w)/(2*w), 1)
}

// Resize scales img to width, keeping its aspect ratio.
func Resize(img *image.RGBA, width int) *image.RGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, width, ResizedHeight(w, h, width)))
	xdraw.CatmullRom.Scale(dst, dst.Rect, img, img.Rect, xdraw.Src, nil)
	return dst
}
