package srccache_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/leakbench/leakbench/targets/internal/srccache"
	"github.com/leakbench/leakbench/targets/internal/testimage"
)

// countingEncoder writes "enc:<width>x<height>:<quality>" and counts its
// calls.
type countingEncoder struct{ calls atomic.Int32 }

func (e *countingEncoder) Encode(w io.Writer, img image.Image, q int) error {
	e.calls.Add(1)
	b := img.Bounds()
	_, err := io.WriteString(w, "enc:"+itoa(b.Dx())+"x"+itoa(b.Dy())+":"+itoa(q))
	return err
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

func source(t *testing.T, dir, name string, seed uint64) string {
	t.Helper()
	p, err := testimage.WritePNG(dir, name, testimage.Photo(12, 8, seed))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	srcDir, cacheDir := t.TempDir(), t.TempDir()
	a, b := source(t, srcDir, "a.png", 1), source(t, srcDir, "b.png", 2)
	enc := &countingEncoder{}
	c := &srccache.Cache{Dir: cacheDir, Format: "webp", Encoder: enc, Quality: 90, Settings: "v1"}

	// Concurrent first uses make the source once.
	var wg sync.WaitGroup
	paths := make([]string, 8)
	for i := range paths {
		wg.Go(func() {
			p, err := c.Source(ctx, a)
			if err != nil {
				t.Error(err)
			}
			paths[i] = p
		})
	}
	wg.Wait()
	if enc.calls.Load() != 1 {
		t.Fatalf("%d encodes for one source, want 1", enc.calls.Load())
	}
	for _, p := range paths[1:] {
		if p != paths[0] {
			t.Fatalf("paths differ: %q, %q", p, paths[0])
		}
	}
	pa := paths[0]
	if got, _ := os.ReadFile(pa); string(got) != "enc:12x8:90" {
		t.Errorf("cached file holds %q", got)
	}
	if filepath.Dir(pa) != filepath.Join(cacheDir, "webp") || !strings.HasSuffix(pa, ".webp") {
		t.Errorf("cached at %s, want %s/webp/<key>.webp", pa, cacheDir)
	}
	pb, err := c.Source(ctx, b)
	if err != nil || pb == pa {
		t.Fatalf("second source: %q, %v", pb, err)
	}

	// A new Cache (a new process) reuses the verified file without encoding.
	enc2 := &countingEncoder{}
	c2 := &srccache.Cache{Dir: cacheDir, Format: "webp", Encoder: enc2, Quality: 90, Settings: "v1"}
	if p, err := c2.Source(ctx, a); err != nil || p != pa || enc2.calls.Load() != 0 {
		t.Errorf("reuse: %q, %v, %d encodes; want %q and none", p, err, enc2.calls.Load(), pa)
	}

	// Other settings or quality are another key.
	for _, c3 := range []*srccache.Cache{
		{Dir: cacheDir, Format: "webp", Encoder: enc2, Quality: 90, Settings: "v2"},
		{Dir: cacheDir, Format: "webp", Encoder: enc2, Quality: 80, Settings: "v1"},
	} {
		if p, err := c3.Source(ctx, a); err != nil || p == pa {
			t.Errorf("%+v: %q, %v; want a new file", c3.Settings, p, err)
		}
	}

	// A corrupted file is remade.
	if err := os.WriteFile(pa, []byte("enc:12x8:9X"), 0o644); err != nil {
		t.Fatal(err)
	}
	enc4 := &countingEncoder{}
	c4 := &srccache.Cache{Dir: cacheDir, Format: "webp", Encoder: enc4, Quality: 90, Settings: "v1"}
	if p, err := c4.Source(ctx, a); err != nil || p != pa || enc4.calls.Load() != 1 {
		t.Errorf("corrupt file: %q, %v, %d encodes; want it remade", p, err, enc4.calls.Load())
	}
	if got, _ := os.ReadFile(pa); string(got) != "enc:12x8:90" {
		t.Errorf("remade file holds %q", got)
	}

	// A changed source is another key.
	var buf bytes.Buffer
	png.Encode(&buf, testimage.Photo(6, 4, 3))
	os.WriteFile(a, buf.Bytes(), 0o644)
	c5 := &srccache.Cache{Dir: cacheDir, Format: "webp", Encoder: enc4, Quality: 90, Settings: "v1"}
	if p, err := c5.Source(ctx, a); err != nil || p == pa {
		t.Errorf("changed source: %q, %v; want a new file", p, err)
	}

	// No temporary files are left behind.
	left, _ := filepath.Glob(filepath.Join(cacheDir, "webp", ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestCacheErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.png")
	os.WriteFile(junk, []byte("not a png"), 0o644)
	c := &srccache.Cache{Dir: dir, Format: "webp", Encoder: &countingEncoder{}, Quality: 90}
	for _, p := range []string{junk, filepath.Join(dir, "missing.png")} {
		if _, err := c.Source(ctx, p); err == nil || !strings.Contains(err.Error(), filepath.Base(p)) && !strings.Contains(err.Error(), "no such file") {
			t.Errorf("%s: error %v, want one naming the file", filepath.Base(p), err)
		}
	}
	if _, err := (&srccache.Cache{Dir: dir, Format: "webp", Quality: 90}).Source(ctx, junk); err == nil {
		t.Error("a cache with no encoder gave no error")
	}
}

// heicSamples returns the heic module's samples and their files.
func heicSamples(t *testing.T) (*srccache.Samples, []string) {
	t.Helper()
	s := srccache.HEICSamples()
	files, err := s.Files(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, files
}

func TestHEICSamples(t *testing.T) {
	ctx := context.Background()
	s, files := heicSamples(t)
	if len(files) < 2 {
		t.Fatalf("%d heic samples: %v", len(files), files)
	}
	seen := map[string]bool{}
	for i := range 40 {
		name := filepath.Join("/any/dir", "img-"+itoa(i)+".png")
		p, err := s.Source(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := s.Source(ctx, "/another/dir/img-"+itoa(i)+".png")
		if again != p {
			t.Errorf("%s maps to %s, and from another directory to %s", name, p, again)
		}
		seen[p] = true
	}
	if len(seen) != len(files) {
		t.Errorf("40 sources use %d of %d samples", len(seen), len(files))
	}
	bad := &srccache.Samples{Module: "github.com/gen2brain/heic", Dir: "testdata", Glob: "*.nothing"}
	if _, err := bad.Source(ctx, "a.png"); err == nil {
		t.Error("a glob with no files gave no error")
	}
}

func TestNameFor(t *testing.T) {
	ctx := context.Background()
	s, files := heicSamples(t)
	for _, f := range files {
		name, err := s.NameFor(ctx, filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Source(ctx, name); got != f {
			t.Errorf("NameFor(%s) = %s, which maps to %s", filepath.Base(f), name, got)
		}
	}
	if _, err := s.NameFor(ctx, "no-such.heic"); err == nil {
		t.Error("a missing sample gave no error")
	}
}
