// Command embedded writes the linear memory of each of leakbench's embedded
// codec modules, one instance per module reused over a workload, after
// every operation: the embedded side of trace.js's table, on the same
// images, with the same operations and the same CSV columns.
//
//	go run ./tools/squoosh-memory/embedded [-malloc libc|original] [-width 1080]
//	    [-limit N] [-out FILE.csv] IMAGE_OR_DIR...
//
// For each image (PNG or JPEG; a directory gives its *.png, *.jpg and
// *.jpeg in name order): decode (decode.wasm); for a PNG, decode again a
// JPEG of it made by an encoder instance of its own (not traced); rotate
// 90; resize to -width wide if wider (height by aspect); encode the result
// as PNG (level 6), JPEG and WebP (quality 75), the engine's defaults.
// -malloc chooses the modules (codecs.Options.Malloc): under original,
// resize is resize_original.wasm.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"

	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "embedded:", err)
		os.Exit(1)
	}
}

var imageName = regexp.MustCompile(`(?i)\.(png|jpe?g)$`)

// images lists the image files named by args, directories expanded.
func images(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		for _, e := range ents { // ReadDir sorts by name
			if !e.IsDir() && imageName.MatchString(e.Name()) {
				files = append(files, filepath.Join(a, e.Name()))
			}
		}
	}
	if len(files) == 0 {
		return nil, errors.New("no images (want PNG or JPEG files or directories of them)")
	}
	return files, nil
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("embedded", flag.ContinueOnError)
	mallocName := fs.String("malloc", "libc", "the modules' allocation: libc or original")
	width := fs.Int("width", 1080, "resize to this width when the image is wider")
	limit := fs.Int("limit", 0, "trace only the first N images (0: all)")
	outPath := fs.String("out", "", "write the CSV to this file instead of stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := codecs.ParseMalloc(*mallocName)
	if err != nil {
		return err
	}
	if *width <= 0 || *limit < 0 {
		return fmt.Errorf("-width %d, -limit %d: want a positive width and a non-negative limit", *width, *limit)
	}
	files, err := images(fs.Args())
	if err != nil {
		return err
	}
	if *limit > 0 && len(files) > *limit {
		files = files[:*limit]
	}
	out := stdout
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	ctx := context.Background()
	// The default limits: 2 GiB per instance, where the originals failed
	// too (wasm-bindgen's glue reads a pointer past 2 GiB as a negative
	// i32 and throws "offset is out of bounds", docs/allocation.md).
	lib, err := codecs.New(ctx, codecs.Options{Malloc: m, Uninterruptible: true})
	if err != nil {
		return err
	}
	defer lib.Close(ctx)
	inst := map[codecs.Op]*codecs.Instance{}
	for _, op := range []codecs.Op{codecs.Decode, codecs.Rotate, codecs.Resize, codecs.EncodePNG, codecs.EncodeJPEG, codecs.EncodeWebP} {
		if inst[op], err = lib.Instantiate(ctx, op); err != nil {
			return err
		}
	}
	maker, err := lib.Instantiate(ctx, codecs.EncodeJPEG)
	if err != nil {
		return err
	}
	w := csv.NewWriter(out)
	defer w.Flush()
	if err := w.Write([]string{"image", "size", "op", "module", "bytes", "mib", "error"}); err != nil {
		return err
	}
	t := &tracer{inst: inst, maker: maker, malloc: m, w: w, width: *width}
	ops := slices.Sorted(maps.Keys(inst))
	for _, op := range ops {
		t.row("(start)", "", "instantiate", op, nil)
	}
	for _, file := range files {
		if err := t.image(ctx, file); err != nil {
			return err
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
	}
	return nil
}

// tracer runs the optimizer's operations on kept instances and writes
// each instance's linear memory after each operation as a CSV row.
type tracer struct {
	inst   map[codecs.Op]*codecs.Instance
	maker  *codecs.Instance // an encoder that makes a JPEG of each PNG, not traced
	malloc codecs.Malloc    // which module each op runs (Malloc.ModuleFor)
	w      *csv.Writer
	width  int // resize to it when the image is wider
}

// row writes op's instance's memory after the operation label on image.
func (t *tracer) row(image, size, label string, op codecs.Op, opErr error) {
	b := t.inst[op].MemorySize()
	msg := ""
	if opErr != nil {
		msg = opErr.Error()
	}
	_ = t.w.Write([]string{image, size, label, t.malloc.ModuleFor(op), strconv.FormatUint(b, 10),
		strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64), msg})
}

// image traces one source file: decode (and a JPEG of a PNG), rotate,
// resize when wider than the width, and the three encoders.
func (t *tracer) image(ctx context.Context, file string) error {
	name := filepath.Base(file)
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	img, err := t.inst[codecs.Decode].Decode(ctx, src)
	t.row(name, "", "decode", codecs.Decode, err)
	if err != nil {
		return nil
	}
	size := fmt.Sprintf("%dx%d", img.Width, img.Height)
	if f, _ := codecs.Sniff(src); f == codecs.PNG {
		jpeg, err := t.maker.EncodeJPEG(ctx, img, 90)
		if err != nil {
			return fmt.Errorf("%s: making its JPEG: %w", name, err)
		}
		_, err = t.inst[codecs.Decode].Decode(ctx, jpeg)
		t.row(name, size, "decode (jpeg of it)", codecs.Decode, err)
	}
	_, err = t.inst[codecs.Rotate].Rotate(ctx, img, 90)
	t.row(name, size, "rotate 90", codecs.Rotate, err)
	small := img
	if img.Width > t.width {
		h := codecs.ResizedHeight(img.Width, img.Height, t.width)
		small, err = t.inst[codecs.Resize].Resize(ctx, img, t.width)
		t.row(name, size, fmt.Sprintf("resize to %dx%d", t.width, h), codecs.Resize, err)
		if err != nil {
			return nil
		}
	}
	ssize := fmt.Sprintf("%dx%d", small.Width, small.Height)
	_, err = t.inst[codecs.EncodePNG].EncodePNG(ctx, small, engine.DefaultPNGLevel)
	t.row(name, ssize, "encode png", codecs.EncodePNG, err)
	_, err = t.inst[codecs.EncodeJPEG].EncodeJPEG(ctx, small, engine.DefaultJPEGQuality)
	t.row(name, ssize, "encode jpeg", codecs.EncodeJPEG, err)
	_, err = t.inst[codecs.EncodeWebP].EncodeWebP(ctx, small, engine.DefaultWebPQuality)
	t.row(name, ssize, "encode webp", codecs.EncodeWebP, err)
	return nil
}
