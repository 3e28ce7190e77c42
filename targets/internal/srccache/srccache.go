// Package srccache provides the decode targets' sources: the workload's
// PNG and JPEG files re-encoded once by a library's own encoder and cached
// on disk (Cache), or, for heic, which has no encoder, the sample images
// the heic module ships in its module-cache directory (Samples).
//
// A cached source lives under <dir>/<format>/<key>.<format>, where the key
// is the SHA-256 of the source file's bytes and of the encoder's settings,
// beside <key>.json recording both hashes, the settings and the output's
// size and SHA-256. Both files are replaced whole (package atomicfile);
// every first use in a process verifies the output against its record
// and remakes it when it does not match.
package srccache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // the workload's sources may be JPEG
	_ "image/png"
	"os"
	"path/filepath"
	"sync"

	"github.com/leakbench/leakbench/internal/atomicfile"
	"github.com/leakbench/leakbench/targets/internal/libcodec"
)

// Sources maps a workload source file to the file a decode target decodes.
type Sources interface {
	Source(ctx context.Context, path string) (string, error)
}

// DefaultDir returns os.UserCacheDir()/leakbench/targets, where Cache keeps
// its files unless told otherwise.
func DefaultDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("srccache: no user cache directory: %w", err)
	}
	return filepath.Join(dir, "leakbench", "targets"), nil
}

// Cache re-encodes sources with a library's encoder. Set its fields before
// the first Source; Source may then be called from several goroutines.
type Cache struct {
	Dir      string           // root; "" means DefaultDir()
	Format   string           // the library's format, the files' extension: "webp", "avif"
	Encoder  libcodec.Encoder // the library's encoder
	Quality  int              // 1..100
	Settings string           // everything else that changes the output (library version, options), part of the key

	mu   sync.Mutex
	made map[string]*entry // by source path
}

// entry is one source; its mutex makes concurrent first uses wait for one
// making. A failed making is retried by the next use.
type entry struct {
	mu   sync.Mutex
	path string // set once made and verified
}

// record is the <key>.json beside a cached source.
type record struct {
	Source   string `json:"source"`        // the source file it was made from, for humans
	SourceSH string `json:"source_sha256"` // its SHA-256
	Format   string `json:"format"`
	Quality  int    `json:"quality"`
	Settings string `json:"settings"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
}

// Source returns the cached re-encoding of the source file at path, making
// it on first use. A source is made at most once per Cache (unless making
// it fails).
func (c *Cache) Source(ctx context.Context, path string) (string, error) {
	c.mu.Lock()
	if c.made == nil {
		c.made = map[string]*entry{}
	}
	e, ok := c.made[path]
	if !ok {
		e = &entry{}
		c.made[path] = e
	}
	c.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.path == "" {
		p, err := c.make(ctx, path)
		if err != nil {
			return "", err
		}
		e.path = p
	}
	return e.path, nil
}

func (c *Cache) make(ctx context.Context, path string) (string, error) {
	if c.Encoder == nil || c.Format == "" || c.Quality < 1 || c.Quality > 100 {
		return "", fmt.Errorf("srccache: cache not configured (format %q, quality %d)", c.Format, c.Quality)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("srccache: reading source: %w", err)
	}
	want := record{
		Source:   filepath.Base(path),
		SourceSH: hexSum(src),
		Format:   c.Format,
		Quality:  c.Quality,
		Settings: c.Settings,
	}
	dir := c.Dir
	if dir == "" {
		if dir, err = DefaultDir(); err != nil {
			return "", err
		}
	}
	dir = filepath.Join(dir, c.Format)
	key := hexSum(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%s", want.SourceSH, want.Format, want.Quality, want.Settings))
	out := filepath.Join(dir, key+"."+c.Format)
	meta := filepath.Join(dir, key+".json")
	if verify(out, meta, want) == nil {
		return out, nil
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	img, _, err := image.Decode(bytes.NewReader(src))
	if err != nil {
		return "", fmt.Errorf("srccache: decoding source %s: %w", path, err)
	}
	var buf bytes.Buffer
	if err := c.Encoder.Encode(&buf, img, c.Quality); err != nil {
		return "", fmt.Errorf("srccache: encoding %s as %s: %w", path, c.Format, err)
	}
	want.Size, want.SHA256 = int64(buf.Len()), hexSum(buf.Bytes())
	want.Width, want.Height = img.Bounds().Dx(), img.Bounds().Dy()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("srccache: %w", err)
	}
	if err := atomicfile.WriteBytes(out, buf.Bytes()); err != nil {
		return "", fmt.Errorf("srccache: writing %s: %w", out, err)
	}
	js, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		return "", fmt.Errorf("srccache: %w", err)
	}
	if err := atomicfile.WriteBytes(meta, append(js, '\n')); err != nil {
		return "", fmt.Errorf("srccache: writing %s: %w", meta, err)
	}
	if err := verify(out, meta, want); err != nil {
		return "", fmt.Errorf("srccache: %s does not verify after writing: %w", out, err)
	}
	return out, nil
}

// verify checks a cached file against its record and the record against
// what is wanted (the source's hash and the settings).
func verify(out, meta string, want record) error {
	js, err := os.ReadFile(meta)
	if err != nil {
		return err
	}
	var got record
	if err := json.Unmarshal(js, &got); err != nil {
		return fmt.Errorf("%s: %w", meta, err)
	}
	if got.SourceSH != want.SourceSH || got.Format != want.Format || got.Quality != want.Quality || got.Settings != want.Settings {
		return fmt.Errorf("%s: made from another source or with other settings", meta)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	if int64(len(data)) != got.Size || hexSum(data) != got.SHA256 {
		return fmt.Errorf("%s: size or SHA-256 does not match %s", out, meta)
	}
	return nil
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
