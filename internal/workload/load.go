package workload

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/atomicfile"
	"github.com/leakbench/leakbench/internal/failure"
	"github.com/leakbench/leakbench/internal/imageformat"
	"github.com/leakbench/leakbench/internal/results"
)

// MaxSourceBytes is the largest file an images directory may give a
// workload: a larger one is rejected from its size, before its header is
// read, and its requests fail with class limit without reaching the
// target. The harness hands a target each source's path and size, and
// Request.Data reads it whole for every request: a sparse multi-GiB
// "PNG" would measure that read, not the target. It is 64 MiB, the
// builtin codecs' input limit (codecs.DefaultMaxInputBytes; a codecs test
// keeps the two equal), so a file they would refuse at decode is refused
// before any child starts. A target with a lower limit enforces its own.
const MaxSourceBytes = 64 << 20

// Options tune Load and Build.
type Options struct {
	// CacheDir is the root of the image cache; "" means
	// os.UserCacheDir()/leakbench/workloads. Each workload gets a
	// subdirectory <name>-<hash of its images' definition and
	// GeneratorVersion>.
	CacheDir string
	// ImagesDir, when set, replaces the generated images with the PNG and
	// JPEG files of this directory (sorted by name; other files and
	// subdirectories are skipped). The workload's request pattern is
	// applied to them (see Definition.RequestList).
	ImagesDir string
	// Progress, when set, is called after each image is verified,
	// generated or read, with the number done so far and the total. It is
	// called from Load's goroutine, never concurrently.
	Progress func(done, total int)
	// Parallelism is how many images are generated at once; 0 means
	// runtime.NumCPU().
	Parallelism int
}

// Compression is the zlib level of generated PNGs. png.BestSpeed: zlib's
// default level makes the default workload's files only ~3% smaller and
// costs ~30% more CPU. Changing it requires a GeneratorVersion bump.
const Compression = png.BestSpeed

// ManifestName is the name of the manifest in a workload's cache
// directory.
const ManifestName = "manifest.json"

// Manifest records what a cache directory holds: the definition it was
// generated from and the size and SHA-256 of every file. Load verifies
// each file against it and regenerates any that fails.
type Manifest struct {
	Generator  int            `json:"generator"`
	Key        string         `json:"key"`        // hex SHA-256 of the cache key
	Definition Definition     `json:"definition"` // for humans
	Files      []ManifestFile `json:"files"`
}

// ManifestFile is one generated image in a Manifest.
type ManifestFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// Load returns the named embedded workload: its images (generated and
// cached on first use, verified on every later use) or the user's
// (Options.ImagesDir), and one round's requests.
func Load(ctx context.Context, name string, opts Options) (*Workload, error) {
	def, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return Build(ctx, def, opts)
}

// Build is Load for a definition that need not be embedded.
func Build(ctx context.Context, def Definition, opts Options) (*Workload, error) {
	if err := def.Validate(); err != nil {
		return nil, fmt.Errorf("workload %s: %w", def.Name, err)
	}
	var (
		w   *Workload
		err error
	)
	if opts.ImagesDir != "" {
		w, err = readDir(ctx, opts.ImagesDir, opts.Progress)
	} else {
		w, err = cached(ctx, def, opts)
	}
	if err != nil {
		return nil, err
	}
	w.Name = def.Name
	w.Requests = def.RequestList(len(w.Images))
	return w, nil
}

// CacheKey returns the hex SHA-256 that names a definition's cache
// directory: the generator version, the seed and the image specs. Request
// parameters are not part of it, so changing them reuses the images.
func CacheKey(def Definition) string {
	key := struct {
		Generator int
		Seed      uint64
		Images    []ImageSpec
	}{GeneratorVersion, def.Seed, def.Images}
	b, _ := json.Marshal(key)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// CachePath returns the directory Load uses for a definition.
func CachePath(def Definition, opts Options) (string, error) {
	root := opts.CacheDir
	if root == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("workload: no cache directory (set Options.CacheDir): %w", err)
		}
		root = filepath.Join(dir, "leakbench", "workloads")
	}
	return filepath.Join(root, def.Name+"-"+CacheKey(def)[:16]), nil
}

// cached verifies the cache directory of def and generates what is
// missing or corrupt.
func cached(ctx context.Context, def Definition, opts Options) (*Workload, error) {
	dir, err := CachePath(def, opts)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("workload: %w", err)
	}
	key := CacheKey(def)
	old := map[string]ManifestFile{}
	if b, err := os.ReadFile(filepath.Join(dir, ManifestName)); err == nil {
		var m Manifest
		if json.Unmarshal(b, &m) == nil && m.Generator == GeneratorVersion && m.Key == key {
			for _, f := range m.Files {
				old[f.Name] = f
			}
		}
	}

	specs := def.specs()
	total := len(specs)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := produce(ctx, def, specs, dir, old, opts.Parallelism)

	w := &Workload{Dir: dir, Images: make([]Source, total)}
	files := make([]ManifestFile, total)
	var errs []error
	done, fresh := 0, 0
	for r := range results {
		if r.err != nil {
			errs = append(errs, r.err)
			cancel()
			continue
		}
		files[r.i] = r.file
		w.Images[r.i] = Source{Name: r.file.Name, Path: filepath.Join(dir, r.file.Name), Size: r.file.Size, ModTime: r.mod, Format: imageformat.PNG, Width: r.file.Width, Height: r.file.Height}
		if r.fresh {
			fresh++
		}
		done++
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("workload %s: %w", def.Name, errors.Join(errs...))
	}
	if done < total {
		return nil, fmt.Errorf("workload %s: %w", def.Name, context.Cause(ctx))
	}
	w.Generated = fresh
	if fresh > 0 || len(old) != total {
		m := Manifest{Generator: GeneratorVersion, Key: key, Definition: def, Files: files}
		b, err := json.MarshalIndent(m, "", "  ")
		if err == nil {
			err = atomicfile.WriteBytes(filepath.Join(dir, ManifestName), append(b, '\n'))
		}
		if err != nil {
			return nil, fmt.Errorf("workload %s: writing the manifest: %w", def.Name, err)
		}
	}
	return w, nil
}

// produced is one image of a cached workload, read or generated.
type produced struct {
	i     int
	file  ManifestFile
	mod   time.Time // the file's modification time
	fresh bool      // generated now, not read from the cache
	err   error
}

// produce verifies or generates each image of specs in dir, par at a
// time (0: one per CPU), and sends each one's result until ctx is done;
// the channel closes when every worker has stopped. An image whose file
// matches its entry in old (the last manifest) is read, any other is
// generated and written.
func produce(ctx context.Context, def Definition, specs []ImageSpec, dir string, old map[string]ManifestFile, par int) <-chan produced {
	total := len(specs)
	jobs := make(chan int)
	results := make(chan produced)
	if par <= 0 {
		par = runtime.NumCPU()
	}
	var wg sync.WaitGroup
	for range min(par, total) {
		wg.Go(func() {
			for i := range jobs {
				results <- produceOne(ctx, def, i, specs[i], dir, old)
			}
		})
	}
	go func() {
		defer close(jobs)
		for i := range total {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	return results
}

// produceOne verifies or generates image i.
func produceOne(ctx context.Context, def Definition, i int, spec ImageSpec, dir string, old map[string]ManifestFile) produced {
	r := produced{i: i}
	name := fmt.Sprintf("%02d-%dx%d.png", i, spec.Width, spec.Height)
	if f, ok := old[name]; ok {
		if mod, ok := verify(filepath.Join(dir, name), f); ok {
			r.file, r.mod = f, mod
			return r
		}
	}
	if err := ctx.Err(); err != nil {
		r.err = err
		return r
	}
	data, err := encode(Generate(def.Seed, i, spec), Compression)
	if err == nil {
		err = atomicfile.WriteBytes(filepath.Join(dir, name), data)
	}
	if err == nil {
		var st os.FileInfo
		if st, err = os.Stat(filepath.Join(dir, name)); err == nil {
			r.mod = st.ModTime()
		}
	}
	sum := sha256.Sum256(data)
	r.file = ManifestFile{Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Width: spec.Width, Height: spec.Height}
	r.fresh, r.err = true, err
	return r
}

// verify checks a cached file against its manifest entry: its size, then
// its SHA-256, hashed as it is read. It returns the file's modification
// time and whether it matched.
func verify(file string, f ManifestFile) (time.Time, bool) {
	fh, err := os.Open(file)
	if err != nil {
		return time.Time{}, false
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || st.Size() != f.Size {
		return time.Time{}, false
	}
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return time.Time{}, false
	}
	return st.ModTime(), hex.EncodeToString(h.Sum(nil)) == f.SHA256
}

// encode writes img as PNG. An opaque image is written as 8-bit RGB, one
// with transparency as 8-bit RGBA.
func encode(img image.Image, level png.CompressionLevel) ([]byte, error) {
	var buf bytes.Buffer
	if m, ok := img.(*image.NRGBA); ok {
		buf.Grow(len(m.Pix) * 5 / 8) // photo-like: ~57% of raw RGB, ~43% of RGBA
	}
	enc := png.Encoder{CompressionLevel: level}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// readDir reads the user's images: PNG and JPEG files, sorted by name.
// Nothing here reads a file whole. A file whose first bytes are not PNG or
// JPEG, an empty file, a directory and anything but a regular file are
// skipped, each with its reason (Workload.Skipped). A file that is an
// image by its first bytes but can't be used (over MaxSourceBytes,
// checked from its size before any byte is read; a header that
// does not parse; unreadable) is kept as a rejected Source (Source.Problem)
// whose requests fail, so that one bad file never aborts the run. A file
// that can't even be opened is rejected too: it may well be an image.
func readDir(ctx context.Context, dir string, progress func(int, int)) (*Workload, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("workload: images dir: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	w := &Workload{Dir: dir}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, name)
		src, skip := readSource(path)
		if skip != "" {
			w.Skipped = append(w.Skipped, results.SkippedFile{Path: path, Reason: skip})
			continue
		}
		src.Name = name
		w.Images = append(w.Images, src)
	}
	if len(w.Images) == 0 {
		if n := len(w.Skipped); n > 0 {
			return nil, fmt.Errorf("workload: images dir %s has no PNG or JPEG images (skipped %d other files, e.g. %s: %s)", dir, n, filepath.Base(w.Skipped[0].Path), w.Skipped[0].Reason)
		}
		return nil, fmt.Errorf("workload: images dir %s is empty: want PNG or JPEG images", dir)
	}
	if progress != nil {
		progress(len(w.Images), len(w.Images))
	}
	return w, nil
}

// readSource checks one file of an images directory: its type and size
// from stat, its format from its first bytes, its dimensions from its
// header. It returns the source (with Problem set when it is rejected),
// or the reason to skip the file.
func readSource(path string) (src Source, skip string) {
	src.Path = path
	reject := func(err error) (Source, string) {
		src.Problem, src.Class = err.Error(), failure.Classify(err)
		return src, ""
	}
	st, err := os.Stat(path) // follows symlinks: a link to an image is an image
	switch {
	case err != nil:
		return reject(err)
	case st.IsDir():
		return src, "a directory"
	case !st.Mode().IsRegular():
		// Never opened: a FIFO would block the open.
		return src, fmt.Sprintf("not a regular file (%s)", st.Mode().Type())
	case st.Size() == 0:
		return src, "empty file"
	}
	src.Size, src.ModTime = st.Size(), st.ModTime()
	fh, err := os.Open(path)
	if err != nil {
		return reject(err)
	}
	defer fh.Close()
	br := bufio.NewReader(fh)
	magic, _ := br.Peek(imageformat.SniffLen)
	f, err := imageformat.Sniff(magic)
	switch {
	case err != nil:
		return src, "not a PNG or JPEG image"
	case f != imageformat.PNG && f != imageformat.JPEG:
		return src, fmt.Sprintf("a %s image: sources must be PNG or JPEG", f)
	}
	src.Format = f
	if src.Size > MaxSourceBytes {
		return reject(fmt.Errorf("%w: %s: %d bytes, over the workload's input limit of %d bytes", target.ErrLimit, path, src.Size, MaxSourceBytes))
	}
	var cfg image.Config
	if f == imageformat.PNG {
		cfg, err = png.DecodeConfig(br)
	} else {
		cfg, err = jpeg.DecodeConfig(br)
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return reject(err)
		}
		return reject(fmt.Errorf("%w: %s: not a readable %s header: %v", target.ErrCorrupt, path, f, err))
	}
	src.Width, src.Height = cfg.Width, cfg.Height
	return src, ""
}
