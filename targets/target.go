package targets

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leakbench/leakbench/targets/internal/flow"
	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/internal/moddir"
	"github.com/leakbench/leakbench/targets/internal/srccache"
)

// DefaultQuality is the output quality of a request that gives none, as
// the builtin optimizer's.
const DefaultQuality = 75

// MaxKeep bounds Options.Keep.
const MaxKeep = 1000

// Options are a target's options, the scenario's `options:` mapping.
type Options struct {
	// Keep is how many decoded images the target keeps (its last ones),
	// as a thumbnail cache would; 0 keeps none.
	Keep int `yaml:"keep" json:"keep"`
	// CopyOut, for the decode targets, copies the decoded pixels out of the
	// decoder instance's memory before the library's image is dropped: the
	// library-side fix.
	CopyOut bool `yaml:"copy_out" json:"copy_out"`
	// CacheDir is where the decode targets cache their sources, made once
	// by the library's encoder; "" means the user cache directory
	// (os.UserCacheDir()/leakbench/targets).
	CacheDir string `yaml:"cache_dir" json:"cache_dir"`
}

// Factory makes a target.
type Factory func(ctx context.Context, opts Options) (*Target, error)

// Factories returns the targets of this module by name.
func Factories() map[string]Factory {
	return map[string]Factory{
		"webp-decode": WebPDecode,
		"webp-encode": WebPEncode,
		"avif-decode": AVIFDecode,
		"avif-encode": AVIFEncode,
		"heic-decode": HEICDecode,
	}
}

// Names returns the names of Factories, sorted.
func Names() []string { return slices.Sorted(maps.Keys(Factories())) }

// Target is one library target. Do may be called from several goroutines
// at once.
type Target struct {
	name    string
	flow    *flow.Flow
	sources srccache.Sources  // the decode targets' sources; nil: the request's own file
	sink    func(flow.Result) // tests: sees every request's output
}

// check validates opts for the target name; decode says whether it is a
// decode target.
func (o Options) check(name string, decode bool) error {
	var errs []string
	if o.Keep < 0 || o.Keep > MaxKeep {
		errs = append(errs, fmt.Sprintf("keep: %d is out of range (0 to %d)", o.Keep, MaxKeep))
	}
	if o.CopyOut && !decode {
		errs = append(errs, "copy_out: only the decode targets copy out (their decoder is the library's)")
	}
	if len(errs) > 0 {
		return fmt.Errorf("targets: %s: %s", name, strings.Join(errs, "; "))
	}
	return nil
}

// SourceFile returns the file the target decodes for the workload source
// at path: path itself for an encode target; for a decode target, the
// source in the library's format, made (once, then cached) by the
// library's encoder, or heic's sample.
func (t *Target) SourceFile(ctx context.Context, path string) (string, error) {
	if t.sources == nil {
		return path, nil
	}
	return t.sources.Source(ctx, path)
}

// Prepare makes the decode target's sources for the workload's source
// files ahead of the load, so that no request pays for the encoding (and
// no encoder instance runs during the measurement).
func (t *Target) Prepare(ctx context.Context, sources []string) error {
	for _, s := range sources {
		if _, err := t.SourceFile(ctx, s); err != nil {
			return fmt.Errorf("%s: preparing %s: %w", t.name, filepath.Base(s), err)
		}
	}
	return nil
}

// Do runs one request: its source (for a decode target, the source in the
// library's format made from it) through the flow.
func (t *Target) Do(ctx context.Context, req Request) error {
	path, err := t.SourceFile(ctx, req.Source)
	if err != nil {
		return t.fail(req, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return t.fail(req, err)
	}
	q := req.Quality
	if q == 0 {
		q = DefaultQuality
	}
	res, err := t.flow.Run(ctx, data, flow.Params{Width: req.Width, Rotate: req.Rotate, Format: req.Format, Quality: q})
	if err != nil {
		return t.fail(req, err)
	}
	if t.sink != nil {
		t.sink(res)
	}
	return nil
}

func (t *Target) fail(req Request, err error) error {
	return fmt.Errorf("%s: request %d (%s): %w", t.name, req.ID, filepath.Base(req.Source), err)
}

// Name returns the target's name.
func (t *Target) Name() string { return t.name }

// Kept returns how many decoded images the target keeps now.
func (t *Target) Kept() int { return t.flow.Keep.Len() }

// Close drops the kept images. It never fails and may be called again.
func (t *Target) Close(context.Context) error {
	t.flow.Keep.Clear()
	return nil
}

// decodeTarget returns a target that decodes its sources with dec (copied
// out when opts.CopyOut) and encodes to the request's format (webp with
// webpEnc).
func decodeTarget(name string, opts Options, dec libcodec.Decoder, webpEnc libcodec.Encoder, src srccache.Sources) *Target {
	if opts.CopyOut {
		dec = libcodec.CopyOut{Decoder: dec}
	}
	return &Target{
		name:    name,
		flow:    &flow.Flow{Decoder: dec, Encoders: flow.ByFormat(webpEnc), Keep: flow.NewKeep(opts.Keep)},
		sources: src,
	}
}

// encodeTarget returns a target that decodes the workload's own files with
// the standard library and encodes every request with enc.
func encodeTarget(name string, opts Options, enc libcodec.Encoder) *Target {
	return &Target{
		name: name,
		flow: &flow.Flow{Decoder: flow.StdDecoder{}, Encoders: flow.Always(enc), Keep: flow.NewKeep(opts.Keep)},
	}
}

// encoderSettings names a library's encoder for a source cache key: its
// module and version, and its options.
func encoderSettings(ctx context.Context, module, options string) (string, error) {
	m, err := moddir.Find(ctx, module)
	if err != nil {
		return "", err
	}
	return m.Path + " " + m.Version + " " + options, nil
}
