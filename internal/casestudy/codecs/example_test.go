package codecs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
)

// samplePNG returns a 300x200 PNG.
func samplePNG() []byte {
	m := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			m.SetNRGBA(x, y, color.NRGBA{byte(x), byte(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		log.Fatal(err)
	}
	return b.Bytes()
}

// The optimizer's request: decode, rotate, resize, encode; one instance
// per operation.
func Example() {
	ctx := context.Background()
	lib, err := codecs.New(ctx, codecs.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer lib.Close(ctx)

	run := func(op codecs.Op, f func(*codecs.Instance) error) {
		in, err := lib.Instantiate(ctx, op)
		if err != nil {
			log.Fatal(err)
		}
		defer in.Close(ctx) // a fresh instance per operation
		if err := f(in); err != nil {
			log.Fatal(err)
		}
	}
	var img codecs.Image
	var out []byte
	run(codecs.Decode, func(in *codecs.Instance) (err error) {
		img, err = in.Decode(ctx, samplePNG())
		return err
	})
	run(codecs.Rotate, func(in *codecs.Instance) (err error) {
		img, err = in.Rotate(ctx, img, 90)
		return err
	})
	run(codecs.Resize, func(in *codecs.Instance) (err error) {
		img, err = in.Resize(ctx, img, 100)
		return err
	})
	run(codecs.EncodeJPEG, func(in *codecs.Instance) (err error) {
		out, err = in.EncodeJPEG(ctx, img, 75)
		return err
	})
	f, _ := codecs.Sniff(out)
	fmt.Printf("%dx%d %s\n", img.Width, img.Height, f)
	// Output: 100x150 jpeg
}

// A trap (here injected) closes the instance; the caller carries on with a
// fresh one.
func ExampleInstance_InjectTrap() {
	ctx := context.Background()
	lib, err := codecs.New(ctx, codecs.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer lib.Close(ctx)

	in, err := lib.Instantiate(ctx, codecs.Decode)
	if err != nil {
		log.Fatal(err)
	}
	err = in.InjectTrap(ctx)
	fmt.Println(errors.Is(err, codecs.ErrTrap), in.Closed())
	_, err = in.Decode(ctx, samplePNG())
	fmt.Println(errors.Is(err, codecs.ErrClosed))

	in, err = lib.Instantiate(ctx, codecs.Decode)
	if err != nil {
		log.Fatal(err)
	}
	defer in.Close(ctx)
	img, err := in.Decode(ctx, samplePNG())
	fmt.Println(img.Width, img.Height, err)
	// Output:
	// true true
	// true
	// 300 200 <nil>
}
