package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
)

// A request under the "fix1+2" preset: fresh instances on a pipeline, but
// glue views and listeners still leak. Nothing is live after the request,
// yet the decode glue and one listener keep closed instances' memory.
func Example() {
	ctx := context.Background()
	lib, err := codecs.New(ctx, codecs.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer lib.Close(ctx)

	engine.ResetListeners() // the registry is process-global
	defer engine.ResetListeners()
	strategy, _ := engine.Preset("fix1+2")
	e, err := engine.New(ctx, lib, engine.Config{Strategy: strategy})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close(ctx)

	var src bytes.Buffer
	if err := png.Encode(&src, image.NewNRGBA(image.Rect(0, 0, 64, 48))); err != nil {
		log.Fatal(err)
	}
	resp, err := e.Do(ctx, engine.Request{ID: 1, Source: src.Bytes(), Width: 32, Format: codecs.JPEG})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %dx%d\n", resp.Format, resp.Width, resp.Height)

	s := e.Snapshot()
	fmt.Printf("live instances %d of %d created\n", s.LiveInstances, s.TotalInstances)
	fmt.Printf("listeners %d, retaining memory: %v\n", s.ListenerCount, s.Listeners > 0)
	fmt.Printf("leaked views retaining memory: %v\n", s.LeakedViews > 0)
	// Output:
	// jpeg 32x24
	// live instances 0 of 3 created
	// listeners 1, retaining memory: true
	// leaked views retaining memory: true
}
