package squoosh

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// testCtx is the context of every test call.
var testCtx = context.Background()

// pattern is the test image tools/squoosh-golden/golden.js generates (its
// pattern()), computed the same way in float64 and truncated.
func pattern(w, h int) Image {
	pix := make([]byte, 4*w*h)
	for y := range h {
		for x := range w {
			i := 4 * (y*w + x)
			pix[i] = byte(int(float64(x)*255/float64(max(1, w-1))) & 255)
			pix[i+1] = byte(int(float64(y)*255/float64(max(1, h-1))) & 255)
			pix[i+2] = byte(((x^y)*7 + (x*y)%31) & 255)
			pix[i+3] = byte(255 - (((x>>3)+(y>>3))&1)*96 - (x*3+y*5)%64)
		}
	}
	return Image{Pix: pix, Width: w, Height: h}
}

// imageRecord and fileRecord are golden.json's records of an output.
type imageRecord struct {
	Width  int    `json:"width"`
	Height int    `json:"height"`
	SHA256 string `json:"sha256"`
}

type fileRecord struct {
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// traceStep is one step of golden.json's resize memory trace.
type traceStep struct {
	Call        string `json:"call"`
	Input       string `json:"input,omitempty"`
	Output      string `json:"output,omitempty"`
	MemoryBytes uint32 `json:"memoryBytes"`
}

// golden is testdata/golden.json, written by golden.js gen.
type golden struct {
	Pattern        imageRecord   `json:"pattern"`
	EncodePlainPNG fileRecord    `json:"encodePlainPNG"`
	EncodePNG      fileRecord    `json:"encodePNG"`
	EncodeJPEG     fileRecord    `json:"encodeJPEG"`
	EncodeWebP     fileRecord    `json:"encodeWebP"`
	DecodePNG      imageRecord   `json:"decodePNG"`
	DecodeJPEG     imageRecord   `json:"decodeJPEG"`
	DecodeWebP     imageRecord   `json:"decodeWebP"`
	Resize         imageRecord   `json:"resize"`
	Rotate         []imageRecord `json:"rotate"`
	Requests       []fileRecord  `json:"requests"`
	ResizeTrace    []traceStep   `json:"resizeTrace"`
	EmvalHandles   struct {
		MozJPEGEnc int `json:"mozjpegEnc"`
		MozJPEGDec int `json:"mozjpegDec"`
		WebPEnc    int `json:"webpEnc"`
		WebPDec    int `json:"webpDec"`
	} `json:"emvalHandles"`
}

func readGolden(t *testing.T) golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("testdata/golden.json: %v", err)
	}
	return g
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// testLibrary is the Library the tests share (compiling the eight modules
// takes seconds), opened on first use and closed by TestMain.
var testLibrary struct {
	once sync.Once
	lib  *Library
	err  error
}

// newTestLibrary returns the shared Library, skipping the test when the npm
// install is missing.
func newTestLibrary(tb testing.TB) *Library {
	tb.Helper()
	testLibrary.once.Do(func() { testLibrary.lib, testLibrary.err = New(testCtx, Options{}) })
	if errors.Is(testLibrary.err, ErrNotInstalled) {
		tb.Skipf("%v: the squoosh modules come from the npm install of next@%s", testLibrary.err, Version)
	}
	if testLibrary.err != nil {
		tb.Fatal(testLibrary.err)
	}
	return testLibrary.lib
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testLibrary.lib != nil {
		testLibrary.lib.Close(testCtx)
	}
	os.Exit(code)
}

// checkImage fails the test on err, and checks that what made got, the
// image Node's run made.
func checkImage(t *testing.T, what string, got Image, err error, want imageRecord) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got.Width != want.Width || got.Height != want.Height || hash(got.Pix) != want.SHA256 {
		t.Errorf("%s: got %dx%d sha256 %s; Node made %dx%d sha256 %s", what, got.Width, got.Height, hash(got.Pix), want.Width, want.Height, want.SHA256)
	}
}

// checkFile fails the test on err, and checks that what made got, the
// file Node's run made.
func checkFile(t *testing.T, what string, got []byte, err error, want fileRecord) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(got) != want.Bytes || hash(got) != want.SHA256 {
		t.Errorf("%s: got %d bytes sha256 %s; Node made %d bytes sha256 %s", what, len(got), hash(got), want.Bytes, want.SHA256)
	}
}

func TestPatternMatchesGolden(t *testing.T) {
	g := readGolden(t)
	checkImage(t, "pattern(67, 43)", pattern(67, 43), nil, g.Pattern)
}

func TestBindgenOpsMatchNode(t *testing.T) {
	lib := newTestLibrary(t)
	g := readGolden(t)
	im := pattern(67, 43)

	pc := opened(t, lib.NewPNGCodec)
	plain, err := pc.Encode(testCtx, im)
	checkFile(t, "squoosh_png encode", plain, err, g.EncodePlainPNG)
	dec, err := pc.Decode(testCtx, readTestdata(t, "pattern.png"))
	checkImage(t, "squoosh_png decode", dec, err, g.DecodePNG)

	ox := opened(t, lib.NewOxipng)
	opt, err := ox.Optimise(testCtx, plain, OptimizerOxipngLevel)
	checkFile(t, "squoosh_png encode then oxipng", opt, err, g.EncodePNG)

	rs := opened(t, lib.NewResizer)
	small, err := rs.Resize(testCtx, im, 31, HeightForWidth(im.Width, im.Height, 31), OptimizerResizeOptions())
	checkImage(t, "squoosh_resize to width 31", small, err, g.Resize)

	for i, want := range g.Rotate {
		got, err := lib.RotateOnce(testCtx, im, i+1)
		checkImage(t, "rotate "+string(rune('1'+i))+" quarter turns", got, err, want)
	}
}

// TestOxipngThrowsAsError feeds oxipng bytes that aren't a PNG: its Rust
// error reaches the glue through __wbindgen_throw and must come back as an
// error, and the instance must still work after (the shadow stack pointer
// restored, as the glue's finally restores it).
func TestOxipngThrowsAsError(t *testing.T) {
	lib := newTestLibrary(t)
	ox := opened(t, lib.NewOxipng)
	_, err := ox.Optimise(testCtx, []byte("not a png at all"), 2)
	var ge *guestError
	if !errors.As(err, &ge) {
		t.Fatalf("Optimise(garbage) = %v, want the module's thrown error", err)
	}
	t.Logf("module threw: %v", err)
	plain, err := opened(t, lib.NewPNGCodec).Encode(testCtx, pattern(8, 8))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ox.Optimise(testCtx, plain, 2); err != nil {
		t.Errorf("Optimise after a throw: %v", err)
	}
}

// opened returns what open made, closed at the end of the test, or fails
// the test with open's error.
func opened[T interface{ Close(context.Context) error }](t *testing.T, open func(context.Context) (T, error)) T {
	t.Helper()
	v, err := open(testCtx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close(testCtx) })
	return v
}

// TestResizeMemoryTraceMatchesNode replays golden.json's resize trace on one
// reused squoosh_resize instance: the same inputs, the same module bytes
// and the same allocator (Rust's, inside the module) must grow the memory
// to the same size after each call as in Node.
func TestResizeMemoryTraceMatchesNode(t *testing.T) {
	lib := newTestLibrary(t)
	g := readGolden(t)
	rs := opened(t, lib.NewResizer)
	trace := resizeTrace(t, rs, g.ResizeTrace)
	t.Logf("%-28s %14s %14s", "call", "Node (bytes)", "wazero (bytes)")
	for i, want := range g.ResizeTrace {
		got := trace[i]
		t.Logf("%-28s %14d %14d", want.Call, want.MemoryBytes, got.MemoryBytes)
		if got != want {
			t.Errorf("step %d: wazero %+v, Node %+v", i, got, want)
		}
	}
}

// resizeTrace runs the resizes steps names on rs and returns the same
// records golden.js writes.
func resizeTrace(t *testing.T, rs *Resizer, steps []traceStep) []traceStep {
	t.Helper()
	out := []traceStep{{Call: "instantiate", MemoryBytes: rs.MemorySize()}}
	for _, s := range steps[1:] {
		var w, h, tw, th int
		if _, err := fmt.Sscanf(s.Call, "resize %dx%d to %dx%d", &w, &h, &tw, &th); err != nil {
			t.Fatalf("golden trace step %q: %v", s.Call, err)
		}
		im := pattern(w, h)
		r, err := rs.Resize(testCtx, im, tw, HeightForWidth(w, h, tw), OptimizerResizeOptions())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, traceStep{Call: s.Call, Input: hash(im.Pix), Output: hash(r.Pix), MemoryBytes: rs.MemorySize()})
	}
	return out
}

// TestGoldenReproducible regenerates the goldens with node and the npm
// install and compares them with the committed ones: the goldens are
// Node's output, not a snapshot of this package's.
func TestGoldenReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the node run")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not on PATH: golden.js needs node to remake the goldens")
	}
	t.Parallel() // node works while the other tests run in this process
	root, err := DefaultRoot()
	if err != nil {
		t.Fatal(err)
	}
	newTestLibrary(t) // skips without the install
	out := t.TempDir()
	cmd := exec.Command("node", "../../../tools/squoosh-golden/golden.js", "gen", root, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("golden.js gen: %v\n%s", err, b)
	}
	for _, name := range []string{"pattern.png", "pattern.jpg", "pattern.webp"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, readTestdata(t, name)) {
			t.Errorf("golden.js made a different %s than testdata's", name)
		}
	}
	var now, committed golden
	for _, f := range []struct {
		path string
		g    *golden
	}{{filepath.Join(out, "golden.json"), &now}, {"testdata/golden.json", &committed}} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, f.g); err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
	}
	a, _ := json.Marshal(now)
	b, _ := json.Marshal(committed)
	if !bytes.Equal(a, b) {
		t.Errorf("golden.js made goldens that differ from testdata/golden.json:\n%s\n%s", a, b)
	}
}
