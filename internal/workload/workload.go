// Package workload provides what the benchmark feeds the optimizer: the
// source images and the list of requests a round makes.
//
// Workloads are defined in testdata/workloads/<name>.yaml (embedded by the
// root package as leakbench.Workloads): a seed, the image sizes, and either
// the parameters of a request generator or an explicit request list. The
// images are photo-like PNGs generated deterministically from the seed on
// first use (see Generate) and cached outside the repository, under
// os.UserCacheDir()/leakbench/workloads/<name>-<hash>/, with a manifest of
// SHA-256 sums that every Load verifies. Options.ImagesDir replaces the
// generated images with a directory of the user's own PNG and JPEG files.
//
// Everything is deterministic: the same definition gives the same pixels
// and the same requests on every machine (math/rand/v2 PCG streams seeded
// from the definition, never the global source). The PNG bytes also depend
// on Go's compress/flate, so the manifest is rewritten, not trusted, when a
// regenerated file differs from it.
//
// It owns the workload definitions, image generation, the cache and its
// verification, and the request list. It leaves to others what is done
// with them: the driver reads each source from its path per request, the
// engine runs the requests, and nothing here measures memory.
package workload

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	leakbench "github.com/leakbench/leakbench"
	"github.com/leakbench/leakbench/internal/imageformat"
	"github.com/leakbench/leakbench/internal/results"
)

// Workload is one round's worth of work: the source images and the
// requests that use them. The runner repeats Requests once per round.
type Workload struct {
	Name     string
	Images   []Source
	Requests []Request
	Dir      string // where the sources are: the cache directory or Options.ImagesDir
	// Generated is how many of the images this Load generated (or
	// regenerated) because the cache did not hold them whole; 0 when
	// every image was verified from the cache or read from ImagesDir.
	Generated int
	// Skipped is the files of ImagesDir that are not images (not PNG or
	// JPEG by their first bytes, empty, directories, not regular files),
	// with the reason of each; they get no requests.
	Skipped []results.SkippedFile
}

// Rejected returns the sources that can't be used (Source.Problem set):
// their requests fail, the others run.
func (w *Workload) Rejected() []Source {
	var out []Source
	for _, s := range w.Images {
		if s.Problem != "" {
			out = append(out, s)
		}
	}
	return out
}

// Source is one encoded source image, as the optimizer receives it: a file
// on disk, not its bytes. Whoever needs the bytes reads Path (the child
// does so per request, as the original optimizer fetched each source per
// request), so a loaded workload holds no image in memory.
type Source struct {
	Name string // file name
	Path string // the file, verified when the workload was loaded
	Size int64  // bytes of the file
	// ModTime is the file's modification time when it was verified: with
	// Size, what a later reader can re-check cheaply (see Source.Check)
	// instead of hashing the file again.
	ModTime time.Time
	Format  imageformat.Format // PNG or JPEG
	Width   int                // pixels, from the file's header
	Height  int
	// Problem, when set, is why a file of the user's images directory
	// was rejected when the workload was loaded (over MaxSourceBytes, a
	// header that does not parse, unreadable), and Class its
	// class: its requests fail with it and never reach the target.
	Problem string             `json:"problem,omitempty"`
	Class   results.ErrorClass `json:"class,omitempty"`
}

// Check re-checks cheaply that the file is still the one verified: that
// it exists with the same size and modification time. It reads no byte
// of it; the full check (SHA-256) is Load's. A rejected source (Problem
// set) is not checked: it is never read.
func (s Source) Check() error {
	if s.Problem != "" {
		return nil
	}
	st, err := os.Stat(s.Path)
	if err != nil {
		return fmt.Errorf("workload: source %s: %w", s.Name, err)
	}
	if st.Size() != s.Size || !st.ModTime().Equal(s.ModTime) {
		return fmt.Errorf("workload: source %s changed since it was verified (size %d, modified %s; verified: size %d, modified %s)",
			s.Path, st.Size(), st.ModTime().Format(time.RFC3339Nano), s.Size, s.ModTime.Format(time.RFC3339Nano))
	}
	return nil
}

// Request is one image request of a browser: which source, the width it
// asked for, the negotiated output format and the EXIF-style rotation.
type Request struct {
	Image   int                // index into Workload.Images
	Width   int                // requested width; the optimizer resizes only when the image is wider
	Format  imageformat.Format // output format
	Quality int                // WebP/JPEG quality 1-100, PNG compression level 0-9
	Rotate  int                // 0, 90, 180 or 270 degrees clockwise
}

// DeviceWidths returns Next.js's default images.deviceSizes, the widths a
// browser asks for at full page width.
func DeviceWidths() []int { return []int{640, 750, 828, 1080, 1200, 1920, 2048, 3840} }

// ImageWidths returns Next.js's default images.imageSizes, the widths for
// images narrower than the page (the tiny workload uses them).
func ImageWidths() []int { return []int{16, 32, 48, 64, 96, 128, 256, 384} }

// AllowedWidths returns every width a request may ask for: ImageWidths
// then DeviceWidths, ascending, as the optimizer accepts them.
func AllowedWidths() []int { return append(ImageWidths(), DeviceWidths()...) }

// Rotations returns the rotations of JPEG requests (EXIF orientations 6, 3
// and 8).
func Rotations() []int { return []int{90, 180, 270} }

// Definition is a parsed workload definition.
type Definition struct {
	Name        string      `yaml:"name" json:"name"`
	Description string      `yaml:"description" json:"description,omitempty"`
	Seed        uint64      `yaml:"seed" json:"seed"`
	Images      []ImageSpec `yaml:"images" json:"images"`
	Requests    *Generator  `yaml:"requests,omitempty" json:"requests,omitempty"`
	List        []ListEntry `yaml:"list,omitempty" json:"list,omitempty"`
}

// ImageSpec is a group of generated images of one size.
type ImageSpec struct {
	Count  int  `yaml:"count" json:"count"`
	Width  int  `yaml:"width" json:"width"`
	Height int  `yaml:"height" json:"height"`
	Alpha  bool `yaml:"alpha,omitempty" json:"alpha,omitempty"` // a cut-out with transparent surroundings (RGBA PNG)
}

// Generator holds the parameters of the request generator: Visits page
// loads per round, each by a browser at one device width requesting every
// image once, with output formats dealt exactly by Formats.
type Generator struct {
	Visits   int            `yaml:"visits" json:"visits"`
	Widths   []int          `yaml:"widths" json:"widths"`       // subset of AllowedWidths
	Formats  map[string]int `yaml:"formats" json:"formats"`     // weights of "webp", "png" (source format kept), "jpeg" (rotated)
	Quality  int            `yaml:"quality" json:"quality"`     // WebP and JPEG quality, default 75
	PNGLevel int            `yaml:"png_level" json:"png_level"` // PNG compression level, default 6
}

// ListEntry is one request of an explicit list.
type ListEntry struct {
	Image   int    `yaml:"image" json:"image"`
	Width   int    `yaml:"width" json:"width"`
	Format  string `yaml:"format" json:"format"`
	Quality int    `yaml:"quality,omitempty" json:"quality,omitempty"`
	Rotate  int    `yaml:"rotate,omitempty" json:"rotate,omitempty"`
}

// Limits on definitions, so a typo can't ask for a terabyte of images.
const (
	MaxImages    = 1000
	MaxDimension = 16384
	MaxPixels    = 100_000_000 // the codecs' default MaxPixels
	MaxVisits    = 1000
)

// Names returns the names of the embedded workload definitions, sorted.
func Names() []string {
	files, _ := fs.Glob(leakbench.Workloads, "testdata/workloads/*.yaml")
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, strings.TrimSuffix(path.Base(f), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Lookup returns the embedded definition of the named workload.
func Lookup(name string) (Definition, error) {
	file := "testdata/workloads/" + name + ".yaml"
	data, err := fs.ReadFile(leakbench.Workloads, file)
	if err != nil || strings.ContainsAny(name, "/\\") {
		return Definition{}, fmt.Errorf("workload: unknown workload %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	def, err := ParseDefinition(path.Base(file), data)
	if err != nil {
		return Definition{}, err
	}
	if def.Name != name {
		return Definition{}, fmt.Errorf("workload: %s: name %q does not match the file name", file, def.Name)
	}
	return def, nil
}

// ParseDefinition decodes a workload definition strictly (unknown keys
// are errors, with their line), fills in defaults and validates it.
// file is used in error messages.
func ParseDefinition(file string, data []byte) (Definition, error) {
	var def Definition
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&def); err != nil {
		return Definition{}, fmt.Errorf("workload: %s: %v", file, err)
	}
	if g := def.Requests; g != nil {
		if g.Quality == 0 {
			g.Quality = 75
		}
		if g.PNGLevel == 0 {
			g.PNGLevel = 6
		}
	}
	if err := def.Validate(); err != nil {
		return Definition{}, fmt.Errorf("workload: %s: %w", file, err)
	}
	return def, nil
}

// formatNames are the output formats a request can ask for, in the order
// the generator deals them.
func formatNames() []string { return []string{"webp", "png", "jpeg"} }

// Validate checks a definition and reports every problem.
func (d Definition) Validate() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if d.Name == "" {
		bad("name: required")
	}
	n := d.ImageCount()
	if n < 1 || n > MaxImages {
		bad("images: want 1 to %d images in all, got %d", MaxImages, n)
	}
	for i, s := range d.Images {
		if s.Count < 1 {
			bad("images[%d].count: must be at least 1, got %d", i, s.Count)
		}
		if s.Width < 1 || s.Height < 1 || s.Width > MaxDimension || s.Height > MaxDimension || s.Width*s.Height > MaxPixels {
			bad("images[%d]: %dx%d is not a valid size (1 to %d pixels a side, at most %d pixels)", i, s.Width, s.Height, MaxDimension, MaxPixels)
		}
	}
	switch {
	case d.Requests == nil && len(d.List) == 0:
		bad("requests: give the generator parameters (requests) or an explicit list (list)")
	case d.Requests != nil && len(d.List) > 0:
		bad("requests and list: give one of them, not both")
	case d.Requests != nil:
		g := d.Requests
		if g.Visits < 1 || g.Visits > MaxVisits {
			bad("requests.visits: must be between 1 and %d, got %d", MaxVisits, g.Visits)
		}
		if len(g.Widths) == 0 {
			bad("requests.widths: at least one width (allowed: %v)", AllowedWidths())
		}
		for _, w := range g.Widths {
			if !slices.Contains(AllowedWidths(), w) {
				bad("requests.widths: %d is not an allowed width (allowed: %v)", w, AllowedWidths())
			}
		}
		total := 0
		for f, w := range g.Formats {
			if !slices.Contains(formatNames(), f) {
				bad("requests.formats: unknown format %q (allowed: %s)", f, strings.Join(formatNames(), ", "))
			}
			if w < 0 {
				bad("requests.formats.%s: weight must not be negative, got %d", f, w)
			}
			total += w
		}
		if total <= 0 {
			bad("requests.formats: give at least one positive weight (formats: %s)", strings.Join(formatNames(), ", "))
		}
		if g.Quality < 1 || g.Quality > 100 {
			bad("requests.quality: must be between 1 and 100, got %d", g.Quality)
		}
		if g.PNGLevel < 0 || g.PNGLevel > 9 {
			bad("requests.png_level: must be between 0 and 9, got %d", g.PNGLevel)
		}
	default:
		for i, e := range d.List {
			if _, err := e.request(n); err != nil {
				bad("list[%d]: %v", i, err)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// ImageCount returns the number of images the definition generates.
func (d Definition) ImageCount() int {
	n := 0
	for _, s := range d.Images {
		n += max(s.Count, 0)
	}
	return n
}

// sizes returns the spec of every image, in order.
func (d Definition) specs() []ImageSpec {
	var out []ImageSpec
	for _, s := range d.Images {
		for range s.Count {
			out = append(out, ImageSpec{Count: 1, Width: s.Width, Height: s.Height, Alpha: s.Alpha})
		}
	}
	return out
}

func (e ListEntry) request(images int) (Request, error) {
	f, err := imageformat.Parse(e.Format)
	if err != nil || !slices.Contains(formatNames(), e.Format) {
		return Request{}, fmt.Errorf("format: unknown format %q (allowed: %s)", e.Format, strings.Join(formatNames(), ", "))
	}
	r := Request{Image: e.Image, Width: e.Width, Format: f, Quality: e.Quality, Rotate: e.Rotate}
	if e.Image < 0 || e.Image >= images {
		return Request{}, fmt.Errorf("image: %d is out of range (0 to %d)", e.Image, images-1)
	}
	if !slices.Contains(AllowedWidths(), e.Width) {
		return Request{}, fmt.Errorf("width: %d is not an allowed width (allowed: %v)", e.Width, AllowedWidths())
	}
	if e.Rotate != 0 && !slices.Contains(Rotations(), e.Rotate) {
		return Request{}, fmt.Errorf("rotate: %d is not 0, 90, 180 or 270", e.Rotate)
	}
	if r.Quality == 0 {
		r.Quality = 75
		if f == imageformat.PNG {
			r.Quality = 6
		}
	}
	if f == imageformat.PNG && r.Quality > 9 || r.Quality < 0 || r.Quality > 100 {
		return Request{}, fmt.Errorf("quality: %d is out of range (1-100, PNG level 0-9)", e.Quality)
	}
	return r, nil
}
