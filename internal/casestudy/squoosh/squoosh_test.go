package squoosh

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestNewWithoutInstall names the install command and the missing file.
func TestNewWithoutInstall(t *testing.T) {
	root := t.TempDir()
	_, err := New(testCtx, Options{Root: root})
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("New(empty root) = %v, want ErrNotInstalled", err)
	}
	for _, want := range []string{InstallCommand, root, ResizeWasm.String()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

// TestOptimizerMatchesNode runs each operation through Optimizer, the
// lifetimes impl.js used, against the goldens.
func TestOptimizerMatchesNode(t *testing.T) {
	lib := newTestLibrary(t)
	g := readGolden(t)
	opt := lib.NewOptimizer()
	defer opt.Close(testCtx)
	im := pattern(67, 43)
	for range 2 { // the second round reuses the bindgen instances
		png, err := opt.EncodePNG(testCtx, im)
		checkFile(t, "EncodePNG", png, err, g.EncodePNG)
		dec, err := opt.DecodePNG(testCtx, readTestdata(t, "pattern.png"))
		checkImage(t, "DecodePNG", dec, err, g.DecodePNG)
		small, err := opt.Resize(testCtx, im, 31)
		checkImage(t, "Resize", small, err, g.Resize)
		rot, err := opt.Rotate(testCtx, im, 1)
		checkImage(t, "Rotate", rot, err, g.Rotate[0])
		jpg, err := opt.EncodeJPEG(testCtx, im, 75)
		checkFile(t, "EncodeJPEG", jpg, err, g.EncodeJPEG)
		webp, err := opt.EncodeWebP(testCtx, im, 75)
		checkFile(t, "EncodeWebP", webp, err, g.EncodeWebP)
		dj, err := opt.DecodeJPEG(testCtx, readTestdata(t, "pattern.jpg"))
		checkImage(t, "DecodeJPEG", dj, err, g.DecodeJPEG)
		dw, err := opt.DecodeWebP(testCtx, readTestdata(t, "pattern.webp"))
		checkImage(t, "DecodeWebP", dw, err, g.DecodeWebP)
	}
}

// TestEmscriptenInstancesConcurrently encodes on several emscripten
// instances at once: the host serves them all and must keep each call's
// state (types, emval handles, memory) with its own instance.
func TestEmscriptenInstancesConcurrently(t *testing.T) {
	lib := newTestLibrary(t)
	g := readGolden(t)
	im := pattern(67, 43)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, opts, want := MozJPEGEncWasm, EncodeOptions(OptimizerMozJPEGOptions(75)), g.EncodeJPEG
			if i%2 == 1 {
				m, opts, want = WebPEncWasm, OptimizerWebPOptions(75), g.EncodeWebP
			}
			e, err := lib.NewEmscripten(testCtx, m)
			if err != nil {
				errs <- err
				return
			}
			defer e.Close(testCtx)
			for range 3 {
				out, err := e.Encode(testCtx, im, opts)
				if err != nil {
					errs <- err
					return
				}
				if hash(out) != want.SHA256 {
					errs <- errors.New(m.String() + ": output differs from Node's under concurrency")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// request is one whole request of golden.js requests(): input, steps,
// encoding, quality.
type request struct {
	input   []byte
	steps   []Step
	out     Format
	quality int
}

// requests are golden.js requests(png, jpg, webp, width), in its order.
func requests(png, jpg, webp []byte, width int) []request {
	return []request{
		{png, []Step{{Width: width}}, FormatWebP, 75},
		{jpg, []Step{{Width: width}}, FormatJPEG, 75},
		{webp, []Step{{Rotations: 1}, {Width: width}}, FormatPNG, 75},
	}
}

// TestProcessMatchesNode runs golden.js's whole requests through
// Optimizer.Process against impl.js processBuffer's outputs.
func TestProcessMatchesNode(t *testing.T) {
	lib := newTestLibrary(t)
	g := readGolden(t)
	opt := lib.NewOptimizer()
	defer opt.Close(testCtx)
	reqs := requests(readTestdata(t, "pattern.png"), readTestdata(t, "pattern.jpg"), readTestdata(t, "pattern.webp"), 31)
	if len(reqs) != len(g.Requests) {
		t.Fatalf("%d requests here, %d in golden.json", len(reqs), len(g.Requests))
	}
	for i, r := range reqs {
		out, err := opt.Process(testCtx, r.input, r.steps, r.out, r.quality)
		checkFile(t, fmt.Sprintf("request %d to %s", i, r.out), out, err, g.Requests[i])
	}
	if _, err := opt.Process(testCtx, []byte("GIF89a and more"), nil, FormatPNG, 75); !errors.Is(err, ErrUnsupportedFormat) {
		t.Errorf("Process(GIF) = %v, want ErrUnsupportedFormat", err)
	}
}

// TestDecodeTruncated feeds every decoder each golden input cut short at
// several lengths: the result is an error or an image, never a panic, and
// the Optimizer's reused squoosh_png keeps decoding whole files after
// (as the optimizer kept using it after a failed request).
func TestDecodeTruncated(t *testing.T) {
	lib := newTestLibrary(t)
	g := readGolden(t)
	opt := lib.NewOptimizer()
	defer opt.Close(testCtx)
	for _, name := range []string{"pattern.png", "pattern.jpg", "pattern.webp"} {
		data := readTestdata(t, name)
		for _, n := range []int{0, 1, 8, 16, 33, len(data) / 2, len(data) - 1} {
			_, err := opt.Process(testCtx, data[:n], nil, FormatPNG, 75)
			t.Logf("%s cut to %d bytes: %v", name, n, err)
			if n <= 33 && err == nil {
				t.Errorf("%s cut to %d bytes decoded without an error", name, n)
			}
		}
	}
	img, err := opt.DecodePNG(testCtx, readTestdata(t, "pattern.png"))
	checkImage(t, "DecodePNG after failed decodes", img, err, g.DecodePNG)
}

// TestCheckInstalledFailsAsNew: without the install, CheckInstalled fails
// with the very error New fails with.
func TestCheckInstalledFailsAsNew(t *testing.T) {
	root := t.TempDir()
	_, newErr := New(testCtx, Options{Root: root})
	err := CheckInstalled(root)
	if !errors.Is(err, ErrNotInstalled) || newErr == nil || err.Error() != newErr.Error() {
		t.Errorf("CheckInstalled(empty root) = %v, want ErrNotInstalled and New's error %v", err, newErr)
	}
}
