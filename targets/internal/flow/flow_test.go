package flow_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"slices"
	"testing"

	"github.com/leakbench/leakbench/targets/internal/flow"
	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/internal/testimage"
)

func TestKeep(t *testing.T) {
	imgs := make([]image.Image, 5)
	for i := range imgs {
		imgs[i] = image.NewGray(image.Rect(0, 0, i+1, 1))
	}
	k := flow.NewKeep(3)
	for i, img := range imgs {
		k.Add(img, uint64(10*(i+1)))
	}
	if got := k.Bytes(); got != 30+40+50 {
		t.Errorf("Bytes %d, want those of the last three, 120", got)
	}
	if got := k.Images(); !slices.Equal(got, imgs[2:]) {
		t.Errorf("kept %v, want the last three, oldest first", widths(got))
	}
	if k.Len() != 3 {
		t.Errorf("Len %d, want 3", k.Len())
	}
	k.Clear()
	if k.Len() != 0 || len(k.Images()) != 0 {
		t.Error("Clear kept images")
	}
	if k.Bytes() != 0 {
		t.Errorf("Clear left %d bytes", k.Bytes())
	}
	k.Add(imgs[0], 7)
	if got := k.Images(); !slices.Equal(got, imgs[:1]) {
		t.Errorf("after Clear and Add, kept %v", widths(got))
	}
	none := flow.NewKeep(0)
	none.Add(imgs[0], 7)
	if none.Len() != 0 || none.Bytes() != 0 {
		t.Error("NewKeep(0) kept an image")
	}
}

func widths(imgs []image.Image) []int {
	var w []int
	for _, img := range imgs {
		w = append(w, img.Bounds().Dx())
	}
	return w
}

// numbered returns a w×h RGBA image whose pixel x,y is unique.
func numbered(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), uint8(x + 10*y), 255})
		}
	}
	return img
}

func TestRotate(t *testing.T) {
	src := numbered(3, 2)
	for _, tc := range []struct {
		deg  int
		w, h int
		from func(x, y int) (int, int) // the source pixel of destination x,y
	}{
		{0, 3, 2, func(x, y int) (int, int) { return x, y }},
		{90, 2, 3, func(x, y int) (int, int) { return y, 1 - x }},
		{180, 3, 2, func(x, y int) (int, int) { return 2 - x, 1 - y }},
		{270, 2, 3, func(x, y int) (int, int) { return 2 - y, x }},
	} {
		got := flow.Rotate(src, tc.deg)
		if got.Rect.Dx() != tc.w || got.Rect.Dy() != tc.h {
			t.Errorf("rotate %d: %v, want %dx%d", tc.deg, got.Rect, tc.w, tc.h)
			continue
		}
		for y := range tc.h {
			for x := range tc.w {
				sx, sy := tc.from(x, y)
				if got.RGBAAt(x, y) != src.RGBAAt(sx, sy) {
					t.Errorf("rotate %d: pixel %d,%d is %v, want source %d,%d %v", tc.deg, x, y, got.RGBAAt(x, y), sx, sy, src.RGBAAt(sx, sy))
				}
			}
		}
	}
}

func TestResize(t *testing.T) {
	for _, tc := range []struct{ w, h, width, wantH int }{
		{2000, 1500, 640, 480},
		{1500, 2000, 640, 853},
		{100, 1, 10, 1},
	} {
		got := flow.Resize(image.NewRGBA(image.Rect(0, 0, tc.w, tc.h)), tc.width)
		if got.Rect.Dx() != tc.width || got.Rect.Dy() != tc.wantH {
			t.Errorf("%dx%d to width %d: %v, want %dx%d", tc.w, tc.h, tc.width, got.Rect, tc.width, tc.wantH)
		}
	}
}

// TestToRGBA checks the NYCbCrA fast path against image/draw's generic
// conversion: within one level per channel.
func TestToRGBA(t *testing.T) {
	r := image.Rect(0, 0, 33, 17)
	m := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio420)
	for i := range m.Y {
		m.Y[i] = byte(i * 13)
		m.A[i] = byte(255 - i*5)
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = byte(i*29), byte(200-i*3)
	}
	m.A[0], m.A[1] = 0, 255
	got := flow.ToRGBA(m)
	want := image.NewRGBA(r)
	draw.Draw(want, r, generic{m}, r.Min, draw.Src)
	for i := range want.Pix {
		if d := int(got.Pix[i]) - int(want.Pix[i]); d < -1 || d > 1 {
			t.Fatalf("byte %d (pixel %d,%d): %d, want %d", i, i/4%33, i/4/33, got.Pix[i], want.Pix[i])
		}
	}
}

// generic hides an image's type from image/draw's fast paths.
type generic struct{ image.Image }

type pngDecoder struct{ calls int }

func (d *pngDecoder) Decode(data []byte) (image.Image, error) {
	d.calls++
	return png.Decode(bytes.NewReader(data))
}

type sizeEncoder struct{ got image.Rectangle }

func (e *sizeEncoder) Encode(w io.Writer, img image.Image, _ int) error {
	e.got = img.Bounds()
	_, err := w.Write([]byte("out"))
	return err
}

func TestRun(t *testing.T) {
	var src bytes.Buffer
	if err := png.Encode(&src, testimage.Photo(40, 30, 1)); err != nil {
		t.Fatal(err)
	}
	dec, enc := &pngDecoder{}, &sizeEncoder{}
	f := &flow.Flow{Decoder: dec, Encoders: flow.Always(enc), Keep: flow.NewKeep(1)}
	ctx := context.Background()
	for _, tc := range []struct {
		p    flow.Params
		w, h int
	}{
		{flow.Params{Width: 20, Quality: 75}, 20, 15},
		{flow.Params{Width: 64, Quality: 75}, 40, 30},             // narrower than Width: no resize
		{flow.Params{Width: 15, Rotate: 90, Quality: 75}, 15, 20}, // rotated first, then resized
		{flow.Params{Rotate: 270, Quality: 75}, 30, 40},
	} {
		res, err := f.Run(ctx, src.Bytes(), tc.p)
		if err != nil {
			t.Fatal(err)
		}
		if res.Width != tc.w || res.Height != tc.h || enc.got.Dx() != tc.w || enc.got.Dy() != tc.h || string(res.Output) != "out" {
			t.Errorf("%+v: result %dx%d (encoder got %v), want %dx%d", tc.p, res.Width, res.Height, enc.got, tc.w, tc.h)
		}
	}
	if dec.calls != 4 || f.Keep.Len() != 1 {
		t.Errorf("%d decodes, %d kept; want 4 and 1", dec.calls, f.Keep.Len())
	}
	// Without Pins a kept image is accounted as its pixels (the PNG
	// decoder's 40×30 NRGBA or RGBA: 4 bytes a pixel).
	if got := f.Keep.Bytes(); got != 40*30*4 {
		t.Errorf("kept bytes %d, want the pixels' %d", got, 40*30*4)
	}
	// The steps, in order, with the rotate and resize the request asked for.
	res, err := f.Run(ctx, src.Bytes(), flow.Params{Width: 15, Rotate: 90, Quality: 75, Format: "webp"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range res.Steps {
		names = append(names, s.Name)
	}
	if want := []string{"decode", "rotate", "resize", "encode-webp"}; !slices.Equal(names, want) ||
		res.Steps[0].BytesIn != src.Len() || res.Steps[0].BytesOut != 40*30*4 || res.Steps[3].BytesOut != len("out") {
		t.Errorf("steps %+v, want %v with the decode's input and the encode's output sizes", res.Steps, want)
	}
	// Pins accounts for what a kept image keeps; it sees the request's key.
	var keys []string
	f.Pins = func(_ context.Context, key string, _ image.Image) (uint64, error) {
		keys = append(keys, key)
		return 12345, nil
	}
	if _, err := f.Run(ctx, src.Bytes(), flow.Params{Quality: 75, Key: "src-a"}); err != nil {
		t.Fatal(err)
	}
	if f.Keep.Bytes() != 12345 || !slices.Equal(keys, []string{"src-a"}) {
		t.Errorf("kept bytes %d after Pins said 12345 for keys %v", f.Keep.Bytes(), keys)
	}
	f.Pins = func(context.Context, string, image.Image) (uint64, error) { return 0, errors.New("no account") }
	if _, err := f.Run(ctx, src.Bytes(), flow.Params{Quality: 75}); err == nil {
		t.Error("a failing Pins: no error")
	}
	f.Pins = nil
	for _, p := range []flow.Params{{Rotate: 45, Quality: 75}, {Width: -1, Quality: 75}, {Quality: 0}, {Quality: 101}} {
		if _, err := f.Run(ctx, src.Bytes(), p); err == nil {
			t.Errorf("%+v: no error", p)
		}
	}
	if _, err := f.Run(ctx, []byte("junk"), flow.Params{Quality: 75}); err == nil {
		t.Error("junk source: no error")
	}
}

func TestByFormat(t *testing.T) {
	webp := &sizeEncoder{}
	enc := flow.ByFormat(webp)
	for format, want := range map[string]libcodec.Encoder{"png": flow.PNG{}, "jpeg": flow.JPEG{}, "webp": webp} {
		got, err := enc(format)
		if err != nil || got != want {
			t.Errorf("%s: %T, %v", format, got, err)
		}
	}
	if _, err := enc("gif"); err == nil {
		t.Error("gif: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var src bytes.Buffer
	png.Encode(&src, testimage.Photo(8, 8, 1))
	f := &flow.Flow{Decoder: &pngDecoder{}, Encoders: enc}
	if _, err := f.Run(ctx, src.Bytes(), flow.Params{Format: "png", Quality: 75}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}
