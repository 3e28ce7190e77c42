package workload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/imageformat"
	"github.com/leakbench/leakbench/internal/results"
)

func TestEmbeddedDefinitions(t *testing.T) {
	if got := strings.Join(Names(), " "); got != "default quick tiny" {
		t.Fatalf("Names = %q", got)
	}
	for _, name := range Names() {
		def, err := Lookup(name)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", name, err)
		}
		if def.Description == "" || def.Requests == nil {
			t.Errorf("%s: no description or request generator", name)
		}
		sizes := map[[2]int]bool{}
		portrait, alpha := false, false
		for _, s := range def.specs() {
			mp := float64(s.Width*s.Height) / 1e6
			switch name {
			case "default":
				if mp < 12 {
					t.Errorf("default: %dx%d is %.2f MP, want at least 12", s.Width, s.Height, mp)
				}
			case "quick":
				if mp < 1.9 || mp > 3.2 {
					t.Errorf("quick: %dx%d is %.2f MP, want 1.9-3.2", s.Width, s.Height, mp)
				}
			}
			sizes[[2]int{s.Width, s.Height}] = true
			portrait = portrait || s.Height > s.Width
			alpha = alpha || s.Alpha
		}
		if len(sizes) < 2 || !portrait || !alpha {
			t.Errorf("%s: want varied sizes with a portrait and a transparent image, got %v (alpha %v)", name, sizes, alpha)
		}
		n := def.ImageCount()
		switch {
		case name == "default" && n != 20, name == "quick" && (n < 6 || n > 8), name == "tiny" && n != 3:
			t.Errorf("%s: %d images", name, n)
		}
	}
	if _, err := Lookup("huge"); err == nil || !strings.Contains(err.Error(), "known: default, quick, tiny") {
		t.Errorf("Lookup(huge) = %v", err)
	}
	if _, err := Lookup("../workloads/tiny"); err == nil {
		t.Errorf("Lookup with a path: no error")
	}
}

func pixHash(img *image.NRGBA) [32]byte { return sha256.Sum256(img.Pix) }

func TestGenerateDeterministic(t *testing.T) {
	spec := ImageSpec{Width: 96, Height: 64}
	a, b := Generate(42, 3, spec), Generate(42, 3, spec)
	if pixHash(a) != pixHash(b) {
		t.Fatal("same seed and index gave different pixels")
	}
	if pixHash(a) == pixHash(Generate(42, 4, spec)) || pixHash(a) == pixHash(Generate(43, 3, spec)) {
		t.Error("a different index or seed gave the same pixels")
	}
	if a.Bounds() != image.Rect(0, 0, 96, 64) {
		t.Errorf("bounds %v", a.Bounds())
	}
	for i := 3; i < len(a.Pix); i += 4 {
		if a.Pix[i] != 255 {
			t.Fatalf("opaque image has alpha %d at byte %d", a.Pix[i], i)
		}
	}
	// A pinned hash catches accidental changes of the generator, which
	// must come with a GeneratorVersion bump (the cache key).
	const pinned = "750a4def4ecd7fd22fb501b59a998ee31d63abcd7fdd11e479abef11f207ebff"
	if got := fmt.Sprintf("%x", pixHash(a)); got != pinned {
		t.Errorf("Generate(42, 3, 96x64) pixels hash = %s, pinned %s: if the generator changed on purpose, bump GeneratorVersion and the pin", got, pinned)
	}

	c := Generate(42, 0, ImageSpec{Width: 128, Height: 96, Alpha: true})
	var clear, solid int
	for i := 3; i < len(c.Pix); i += 4 {
		switch c.Pix[i] {
		case 0:
			clear++
		case 255:
			solid++
		}
	}
	if clear == 0 || solid < len(c.Pix)/8 {
		t.Errorf("alpha image: %d transparent and %d opaque pixels", clear, solid)
	}
}

// TestGeneratePhotoLike checks that PNG compresses generated images about
// as well as photographs: to 45-70% of the raw size.
func TestGeneratePhotoLike(t *testing.T) {
	for i, spec := range []ImageSpec{{Width: 320, Height: 240}, {Width: 240, Height: 320}, {Width: 300, Height: 200}} {
		img := Generate(7, i, spec)
		for _, level := range []png.CompressionLevel{png.BestSpeed, png.DefaultCompression} {
			data, err := encode(img, level)
			if err != nil {
				t.Fatal(err)
			}
			ratio := float64(len(data)) / float64(3*spec.Width*spec.Height)
			if ratio < 0.45 || ratio > 0.70 {
				t.Errorf("image %d (%dx%d) level %d: PNG is %.2f of raw RGB, want 0.45-0.70", i, spec.Width, spec.Height, level, ratio)
			}
			// Opaque images are written as 8-bit RGB (colour type 2).
			if data[25] != 2 {
				t.Errorf("image %d: PNG colour type %d, want 2 (RGB)", i, data[25])
			}
		}
	}
}

func TestRequestList(t *testing.T) {
	for _, name := range Names() {
		def, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		g := def.Requests
		n := def.ImageCount()
		reqs := def.RequestList(n)
		if !slices.Equal(reqs, def.RequestList(n)) {
			t.Errorf("%s: request list is not deterministic", name)
		}
		if len(reqs) != g.Visits*n {
			t.Fatalf("%s: %d requests, want %d visits x %d images", name, len(reqs), g.Visits, n)
		}
		counts := map[imageformat.Format]int{}
		rotations := map[int]int{}
		var visitWidths []int
		for i, r := range reqs {
			if r.Image != i%n {
				t.Errorf("%s: request %d is for image %d, want page order (%d)", name, i, r.Image, i%n)
			}
			if i%n == 0 {
				visitWidths = append(visitWidths, r.Width)
			} else if r.Width != visitWidths[len(visitWidths)-1] {
				t.Errorf("%s: request %d width %d differs within a visit", name, i, r.Width)
			}
			if !slices.Contains(g.Widths, r.Width) || !slices.Contains(AllowedWidths(), r.Width) {
				t.Errorf("%s: request %d width %d not allowed", name, i, r.Width)
			}
			counts[r.Format]++
			switch r.Format {
			case imageformat.WebP:
				if r.Quality != 75 || r.Rotate != 0 {
					t.Errorf("%s: webp request %+v", name, r)
				}
			case imageformat.PNG:
				if r.Quality != 6 || r.Rotate != 0 {
					t.Errorf("%s: png request %+v", name, r)
				}
			case imageformat.JPEG:
				if r.Quality != 75 || !slices.Contains(Rotations(), r.Rotate) {
					t.Errorf("%s: jpeg request %+v", name, r)
				}
				rotations[r.Rotate]++
			default:
				t.Errorf("%s: request %d format %v", name, i, r.Format)
			}
		}
		slices.Sort(visitWidths)
		if len(slices.Compact(visitWidths)) != min(g.Visits, len(g.Widths)) {
			t.Errorf("%s: visit widths %v are not distinct", name, visitWidths)
		}
		// Formats are dealt exactly by weight (largest remainder).
		total := len(reqs)
		for _, f := range []imageformat.Format{imageformat.WebP, imageformat.PNG, imageformat.JPEG} {
			exact := float64(total*g.Formats[f.String()]) / 100
			if d := float64(counts[f]) - exact; d <= -1 || d >= 1 {
				t.Errorf("%s: %d %v requests of %d, want about %.1f", name, counts[f], f, total, exact)
			}
		}
		if counts[imageformat.WebP] <= total/2 || counts[imageformat.PNG] == 0 || counts[imageformat.JPEG] == 0 {
			t.Errorf("%s: mix %v: want mostly WebP, some PNG and JPEG", name, counts)
		}
		if counts[imageformat.JPEG] >= 3 && len(rotations) != 3 {
			t.Errorf("%s: rotations %v, want 90, 180 and 270", name, rotations)
		}
	}
}

func TestDealFormats(t *testing.T) {
	for _, tt := range []struct {
		total            int
		webp, png, jpeg  int
		wantW, wantP, wJ int
	}{
		{40, 70, 15, 15, 28, 6, 6},
		{12, 70, 15, 15, 8, 2, 2},
		{6, 70, 15, 15, 4, 1, 1},
		{5, 1, 1, 1, 2, 2, 1},
		{3, 100, 0, 0, 3, 0, 0},
	} {
		deck := dealFormats(tt.total, map[string]int{"webp": tt.webp, "png": tt.png, "jpeg": tt.jpeg})
		c := map[imageformat.Format]int{}
		for _, f := range deck {
			c[f]++
		}
		if len(deck) != tt.total || c[imageformat.WebP] != tt.wantW || c[imageformat.PNG] != tt.wantP || c[imageformat.JPEG] != tt.wJ {
			t.Errorf("dealFormats(%d, %d/%d/%d) = %v", tt.total, tt.webp, tt.png, tt.jpeg, c)
		}
	}
}

func TestParseDefinition(t *testing.T) {
	list := `name: listed
seed: 1
images: [{count: 2, width: 32, height: 24}]
list:
  - {image: 0, width: 16, format: webp}
  - {image: 1, width: 640, format: jpeg, rotate: 90, quality: 80}
  - {image: 1, width: 32, format: png}
`
	def, err := ParseDefinition("listed.yaml", []byte(list))
	if err != nil {
		t.Fatal(err)
	}
	want := []Request{
		{Image: 0, Width: 16, Format: imageformat.WebP, Quality: 75},
		{Image: 1, Width: 640, Format: imageformat.JPEG, Quality: 80, Rotate: 90},
		{Image: 1, Width: 32, Format: imageformat.PNG, Quality: 6},
	}
	if got := def.RequestList(2); !slices.Equal(got, want) {
		t.Errorf("RequestList(2) = %+v", got)
	}
	// With fewer images (the user's), explicit lists cycle over them.
	if got := def.RequestList(1); got[1].Image != 0 {
		t.Errorf("RequestList(1) = %+v", got)
	}

	for _, tt := range []struct{ name, src, want string }{
		{"unknown key", "name: x\nseed: 1\nimagez: []\n", "line 3: field imagez not found"},
		{"no requests", "name: x\nseed: 1\nimages: [{count: 1, width: 8, height: 8}]\n", "give the generator parameters"},
		{"both", "name: x\nimages: [{count: 1, width: 8, height: 8}]\nrequests: {visits: 1, widths: [640], formats: {webp: 1}}\nlist: [{image: 0, width: 640, format: webp}]\n", "not both"},
		{"bad width", "name: x\nimages: [{count: 1, width: 8, height: 8}]\nrequests: {visits: 1, widths: [641], formats: {webp: 1}}\n", "641 is not an allowed width"},
		{"bad format", "name: x\nimages: [{count: 1, width: 8, height: 8}]\nrequests: {visits: 1, widths: [640], formats: {avif: 1}}\n", `unknown format "avif"`},
		{"no images", "name: x\nimages: []\nrequests: {visits: 1, widths: [640], formats: {webp: 1}}\n", "want 1 to 1000 images"},
		{"huge image", "name: x\nimages: [{count: 1, width: 20000, height: 8}]\nrequests: {visits: 1, widths: [640], formats: {webp: 1}}\n", "20000x8 is not a valid size"},
		{"bad list rotate", "name: x\nimages: [{count: 1, width: 8, height: 8}]\nlist: [{image: 0, width: 640, format: jpeg, rotate: 45}]\n", "rotate: 45"},
		{"bad list image", "name: x\nimages: [{count: 1, width: 8, height: 8}]\nlist: [{image: 3, width: 640, format: webp}]\n", "image: 3 is out of range"},
		{"bad quality", "name: x\nimages: [{count: 1, width: 8, height: 8}]\nrequests: {visits: 1, widths: [640], formats: {webp: 1}, quality: 101}\n", "quality: must be between 1 and 100"},
	} {
		if _, err := ParseDefinition("x.yaml", []byte(tt.src)); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "x.yaml") {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestCacheKey(t *testing.T) {
	def, _ := Lookup("tiny")
	k := CacheKey(def)
	other := def
	other.Requests = &Generator{Visits: 9, Widths: []int{640}, Formats: map[string]int{"png": 1}, Quality: 1}
	if CacheKey(other) != k {
		t.Error("request parameters changed the image cache key")
	}
	other = def
	other.Seed++
	if CacheKey(other) == k {
		t.Error("the seed did not change the cache key")
	}
	other = def
	other.Images = slices.Clone(def.Images)
	other.Images[0].Width++
	if CacheKey(other) == k {
		t.Error("an image size did not change the cache key")
	}
}

func TestLoadCacheVerifyRegenerate(t *testing.T) {
	ctx := t.Context()
	cache := t.TempDir()
	var progress [][2]int
	opts := Options{CacheDir: cache, Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) }}
	w, err := Load(ctx, "tiny", opts)
	if err != nil {
		t.Fatal(err)
	}
	first := checkPaths(t, w) // the bytes of the first load
	def, _ := Lookup("tiny")
	if w.Name != "tiny" || len(w.Images) != 3 || len(w.Requests) != def.Requests.Visits*3 {
		t.Fatalf("workload %s: %d images, %d requests", w.Name, len(w.Images), len(w.Requests))
	}
	if want := [][2]int{{1, 3}, {2, 3}, {3, 3}}; !slices.Equal(progress, want) {
		t.Errorf("progress = %v, want %v", progress, want)
	}
	dir, _ := CachePath(def, opts)
	if w.Dir != dir || !strings.HasPrefix(filepath.Base(dir), "tiny-") {
		t.Errorf("dir %q, want %q", w.Dir, dir)
	}
	for i, s := range w.Images {
		img, err := png.Decode(bytes.NewReader(first[i]))
		spec := def.specs()[i]
		if err != nil || img.Bounds().Dx() != spec.Width || img.Bounds().Dy() != spec.Height || s.Width != spec.Width || s.Format != imageformat.PNG {
			t.Errorf("image %d %s: %v, %v", i, s.Name, img.Bounds(), err)
		}
		if f, err := imageformat.Sniff(first[i]); err != nil || f != imageformat.PNG {
			t.Errorf("image %d sniffs as %v, %v", i, f, err)
		}
	}
	m := readManifest(t, dir)
	if len(m.Files) != 3 || m.Generator != GeneratorVersion || m.Definition.Name != "tiny" {
		t.Fatalf("manifest %+v", m)
	}

	// A second load verifies and reuses every file.
	stat := func(name string) os.FileInfo {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	before := stat(m.Files[0].Name)
	w2, err := Load(ctx, "tiny", Options{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if after := stat(m.Files[0].Name); !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Error("a valid cached file was rewritten")
	}
	for i, b := range checkPaths(t, w2) {
		if !bytes.Equal(first[i], b) || w2.Images[i] != w.Images[i] {
			t.Errorf("image %d differs on reload", i)
		}
	}

	// Corrupt one file (same size, one byte flipped), truncate another,
	// delete the third: all three are regenerated, identical.
	f0 := filepath.Join(dir, m.Files[0].Name)
	data, _ := os.ReadFile(f0)
	data[len(data)/2] ^= 0xff
	must(t, os.WriteFile(f0, data, 0o644))
	must(t, os.Truncate(filepath.Join(dir, m.Files[1].Name), 100))
	must(t, os.Remove(filepath.Join(dir, m.Files[2].Name)))
	w3, err := Load(ctx, "tiny", Options{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range checkPaths(t, w3) {
		if !bytes.Equal(first[i], b) {
			t.Errorf("image %d: regenerated bytes differ", i)
		}
		onDisk, _ := os.ReadFile(filepath.Join(dir, m.Files[i].Name))
		if !bytes.Equal(onDisk, first[i]) {
			t.Errorf("image %d: file on disk not repaired", i)
		}
	}
	if m3 := readManifest(t, dir); !slices.Equal(m3.Files, m.Files) {
		t.Errorf("manifest changed: %+v", m3.Files)
	}

	// A garbage manifest means nothing is trusted, and it is rewritten.
	must(t, os.WriteFile(filepath.Join(dir, ManifestName), []byte("{"), 0o644))
	if _, err := Load(ctx, "tiny", Options{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	if m4 := readManifest(t, dir); !slices.Equal(m4.Files, m.Files) {
		t.Errorf("manifest not rewritten: %+v", m4.Files)
	}

	// Writes are atomic: no temporary file is ever left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	if len(entries) != 4 {
		t.Errorf("%d files in the cache dir, want 3 images and the manifest", len(entries))
	}
}

func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Load(ctx, "tiny", Options{CacheDir: t.TempDir()}); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a canceled context = %v, want context.Canceled", err)
	}
}

func TestImagesDir(t *testing.T) {
	ctx := t.Context()
	def, _ := Lookup("tiny")

	empty := t.TempDir()
	if _, err := Build(ctx, def, Options{ImagesDir: empty}); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("empty dir: %v", err)
	}
	junk := t.TempDir()
	must(t, os.WriteFile(filepath.Join(junk, "README.txt"), []byte("hello"), 0o644))
	must(t, os.WriteFile(filepath.Join(junk, "fake.png"), []byte("not a png"), 0o644))
	if _, err := Build(ctx, def, Options{ImagesDir: junk}); err == nil || !strings.Contains(err.Error(), "no PNG or JPEG images (skipped 2 other files") {
		t.Errorf("dir without images: %v", err)
	}
	if _, err := Build(ctx, def, Options{ImagesDir: filepath.Join(empty, "nope")}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir: %v, want fs.ErrNotExist", err)
	}
	// A broken header no longer aborts the load: the file is a rejected
	// source whose requests fail.
	broken := t.TempDir()
	must(t, os.WriteFile(filepath.Join(broken, "bad.png"), []byte("\x89PNG\r\n\x1a\nrest"), 0o644))
	if w, err := Build(ctx, def, Options{ImagesDir: broken}); err != nil || len(w.Rejected()) != 1 ||
		!strings.Contains(w.Rejected()[0].Problem, "bad.png: not a readable png header") || w.Rejected()[0].Class != results.ClassCorrupt {
		t.Errorf("broken PNG: %v, rejected %+v", err, w.Rejected())
	}

	dir := t.TempDir()
	write := func(name string, img image.Image, enc func(*bytes.Buffer, image.Image) error) {
		var b bytes.Buffer
		must(t, enc(&b, img))
		must(t, os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644))
	}
	pngEnc := func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }
	jpgEnc := func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) }
	write("b.png", Generate(1, 0, ImageSpec{Width: 40, Height: 30}), pngEnc)
	write("a.jpg", Generate(1, 1, ImageSpec{Width: 30, Height: 40}), jpgEnc)
	write("c.PNG", Generate(1, 2, ImageSpec{Width: 20, Height: 20}), pngEnc)
	write("d.jpeg.txt", Generate(1, 3, ImageSpec{Width: 20, Height: 20}), jpgEnc) // sniffed, not named
	must(t, os.WriteFile(filepath.Join(dir, "e.webp"), []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644))
	must(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))

	var calls int
	w, err := Build(ctx, def, Options{ImagesDir: dir, CacheDir: t.TempDir(), Progress: func(int, int) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, w)
	var got []string
	for _, s := range w.Images {
		got = append(got, fmt.Sprintf("%s:%v:%dx%d", s.Name, s.Format, s.Width, s.Height))
	}
	if want := "a.jpg:jpeg:30x40 b.png:png:40x30 c.PNG:png:20x20 d.jpeg.txt:jpeg:20x20"; strings.Join(got, " ") != want {
		t.Errorf("images = %q, want %q", strings.Join(got, " "), want)
	}
	if len(w.Skipped) != 3 || w.Skipped[0].Path != filepath.Join(dir, "e.webp") || w.Skipped[0].Reason != "a webp image: sources must be PNG or JPEG" ||
		w.Skipped[1].Path != filepath.Join(dir, "notes.txt") || w.Skipped[1].Reason != "not a PNG or JPEG image" ||
		w.Skipped[2].Path != filepath.Join(dir, "sub") || w.Skipped[2].Reason != "a directory" {
		t.Errorf("skipped = %+v, want e.webp (a webp image), notes.txt (not an image) and sub (a directory)", w.Skipped)
	}
	if len(w.Rejected()) != 0 {
		t.Errorf("rejected = %+v, want none", w.Rejected())
	}
	if w.Dir != dir || calls == 0 {
		t.Errorf("dir %q, progress calls %d", w.Dir, calls)
	}
	// The workload's request pattern, over the user's images.
	if len(w.Requests) != def.Requests.Visits*4 || !slices.Equal(w.Requests, def.RequestList(4)) {
		t.Errorf("requests = %+v", w.Requests)
	}
}

func readManifest(t *testing.T, dir string) Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// checkPaths checks that every source's Path holds an image of its Size,
// Format and dimensions (the child reads each source from Path per
// request), and returns the files' bytes.
func checkPaths(t *testing.T, w *Workload) [][]byte {
	t.Helper()
	var out [][]byte
	for _, src := range w.Images {
		got, err := os.ReadFile(src.Path)
		if err != nil {
			t.Fatalf("source %s: %v", src.Name, err)
		}
		if int64(len(got)) != src.Size {
			t.Fatalf("source %s: %s holds %d bytes, the loaded source says %d", src.Name, src.Path, len(got), src.Size)
		}
		f, err := imageformat.Sniff(got)
		if err != nil || f != src.Format {
			t.Fatalf("source %s: %s sniffs as %v (%v), the loaded source says %v", src.Name, src.Path, f, err, src.Format)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(got))
		if err != nil || cfg.Width != src.Width || cfg.Height != src.Height {
			t.Fatalf("source %s: %s is %dx%d (%v), the loaded source says %dx%d", src.Name, src.Path, cfg.Width, cfg.Height, err, src.Width, src.Height)
		}
		out = append(out, got)
	}
	return out
}
