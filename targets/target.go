package targets

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leakbench/leakbench/harness/target"
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

// Options are a decode target's options, the scenario's `options:`
// mapping (the encode targets' scenarios take keep only, EncodeOptions).
type Options struct {
	// Keep is how many decoded images the target keeps (its last ones),
	// as a thumbnail cache would; 0 keeps none.
	Keep int `yaml:"keep" json:"keep"`
	// CopyOut, for the decode targets, copies the decoded pixels out of the
	// decoder instance's memory before the library's image is dropped: the
	// library-side fix.
	CopyOut bool `yaml:"copy_out" json:"copy_out"`
	// CacheDir is where the decode targets cache their sources, made once
	// by the library's encoder; "" means the harness's cache directory for
	// the target (under the scenario's, Register), or else the user cache
	// directory (os.UserCacheDir()/leakbench/targets).
	CacheDir string `yaml:"cache_dir" json:"cache_dir"`
}

// Validate checks the options' values that do not depend on the target:
// the harness calls it in the parent, before any child starts.
func (o Options) Validate() []error {
	if o.Keep < 0 || o.Keep > MaxKeep {
		return []error{fmt.Errorf("keep: %d is out of range (0 to %d)", o.Keep, MaxKeep)}
	}
	return nil
}

// EncodeOptions are an encode target's options in a scenario: keep only
// (their decoder is the standard library's, so copy_out and cache_dir do
// not apply, and a scenario that sets them is an error at its line).
type EncodeOptions struct {
	Keep int `yaml:"keep"`
}

// Validate checks keep's range.
func (o EncodeOptions) Validate() []error { return Options{Keep: o.Keep}.Validate() }

// Factory makes a target.
type Factory func(ctx context.Context, opts Options) (*Target, error)

// catalog lists the targets of this module: name, factory, and whether
// the library decodes (a decode target takes copy_out and cache_dir).
var catalog = []struct {
	name   string
	f      Factory
	decode bool
}{
	{"webp-decode", WebPDecode, true},
	{"webp-encode", WebPEncode, false},
	{"avif-decode", AVIFDecode, true},
	{"avif-encode", AVIFEncode, false},
	{"heic-decode", HEICDecode, true},
}

// Factories returns the targets of this module by name.
func Factories() map[string]Factory {
	m := make(map[string]Factory, len(catalog))
	for _, c := range catalog {
		m[c.name] = c.f
	}
	return m
}

// Names returns the names of Factories, sorted.
func Names() []string { return slices.Sorted(maps.Keys(Factories())) }

// Target is one library target. Do may be called from several goroutines
// at once.
type Target struct {
	name    string
	flow    *flow.Flow
	sources srccache.Sources  // the decode targets' sources; nil: the request's own file
	pinning *pinning          // the library's decoder without copy-out: what its kept images pin
	warm    func()            // compiles the libraries' modules, as their first use would
	rec     target.Recorder   // nil: no events
	sink    func(flow.Result) // tests: sees every request's output
}

// check validates opts for the target name; decode says whether it is a
// decode target.
func (o Options) check(name string, decode bool) error {
	var errs []string
	for _, err := range o.Validate() {
		errs = append(errs, err.Error())
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

// Prepare does ahead of the load what the first requests would otherwise
// do during it: it compiles the libraries' modules (state they keep for
// good, which would otherwise count as growth), makes the decode target's
// sources for the workload's source files (so that no request pays for
// an encoding and no encoder instance runs during the measurement), and
// measures what a kept decoded image of each source pins (so that no
// replay runs during it either).
func (t *Target) Prepare(ctx context.Context, sources []string) error {
	if t.warm != nil {
		t.warm()
	}
	files := make([]string, 0, len(sources))
	for _, s := range sources {
		f, err := t.SourceFile(ctx, s)
		if err != nil {
			return fmt.Errorf("%s: preparing %s: %w", t.name, filepath.Base(s), err)
		}
		files = append(files, f)
	}
	if t.pinning != nil && t.flow.Keep.Cap() > 0 {
		if err := t.pinning.measure(ctx, files); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return nil
}

// Snapshot is the target's own account of its memory (target.Snapshotter):
// the kept images, held by the holder "cache", with the bytes they keep
// reachable: for the library's decoder, the Go array behind each decoder
// instance's linear memory, which the image's pixels are a view of (read
// from a replay of the same decode); for a copy-out or the encode
// targets' standard decoder, the image's own pixels. The libraries'
// instances are their own (made and closed inside each Decode and Encode),
// so the snapshot has no live instances.
func (t *Target) Snapshot() target.Snapshot {
	return target.Snapshot{Held: []target.Held{{Holder: HolderCache, Bytes: t.flow.Keep.Bytes(), Refs: t.flow.Keep.Len()}}}
}

// HolderCache names the memory the targets' kept images hold in their
// snapshots.
const HolderCache = "cache"

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
	res, err := t.flow.Run(ctx, data, flow.Params{Width: req.Width, Rotate: req.Rotate, Format: req.Format, Quality: q, Key: path})
	if err != nil {
		return t.fail(req, err)
	}
	t.record(ctx, req, path, res)
	if t.sink != nil {
		t.sink(res)
	}
	return nil
}

// record reports the request's steps to the Recorder: one op each, the
// decode's with the decoder instance's Memory().Size() at its end when
// the target measured it (the library's decoder on a kept source).
func (t *Target) record(ctx context.Context, req Request, path string, res flow.Result) {
	if t.rec == nil {
		return
	}
	end := time.Now()
	var total time.Duration
	for _, s := range res.Steps {
		total += s.Duration
	}
	at := end.Add(-total)
	for _, s := range res.Steps {
		at = at.Add(s.Duration)
		op := target.Op{Name: s.Name, Request: req.ID, End: at, Duration: s.Duration, BytesIn: s.BytesIn, BytesOut: s.BytesOut}
		if s.Name == "decode" && t.pinning != nil && t.pinning.has(path) {
			if m, err := t.pinning.result(ctx, path); err == nil {
				op.Memory = m.MemorySize
			}
		}
		t.rec.Op(op)
	}
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

// decodeTarget returns the decode target name, its opts checked: newDec
// makes its decoder (warm compiles the decoder's module), sources gives
// the files that decoder decodes, and every request is encoded to its
// format, webp by gen2brain/webp. A decoded image is copied out when
// opts.CopyOut; otherwise rep replays a decode to account for what a kept
// image pins.
func decodeTarget[D libcodec.Decoder](ctx context.Context, name string, opts Options, newDec func() (D, error), warm func(D), rep replay,
	sources func(context.Context, D) (srccache.Sources, error)) (*Target, error) {
	if err := opts.check(name, true); err != nil {
		return nil, err
	}
	dec, err := newDec()
	if err != nil {
		return nil, err
	}
	webpEnc, err := libcodec.NewWebP()
	if err != nil {
		return nil, err
	}
	src, err := sources(ctx, dec)
	if err != nil {
		return nil, err
	}
	t := &Target{
		name:    name,
		flow:    &flow.Flow{Decoder: dec, Encoders: flow.ByFormat(webpEnc), Keep: flow.NewKeep(opts.Keep)},
		sources: src,
		warm:    func() { warm(dec); webpEnc.Init() },
	}
	if opts.CopyOut {
		t.flow.Decoder = libcodec.CopyOut{Decoder: dec}
	} else {
		t.pinning = &pinning{replay: rep}
		t.flow.Pins = t.pinning.pins
	}
	return t, nil
}

// encodeTarget returns the encode target name: it decodes the workload's
// own files with the standard library and encodes every request with the
// encoder newEnc makes, whose module warm compiles.
func encodeTarget[E libcodec.Encoder](name string, opts Options, newEnc func() (E, error), warm func(E)) (*Target, error) {
	if err := opts.check(name, false); err != nil {
		return nil, err
	}
	enc, err := newEnc()
	if err != nil {
		return nil, err
	}
	return &Target{
		name: name,
		flow: &flow.Flow{Decoder: flow.StdDecoder{}, Encoders: flow.Always(enc), Keep: flow.NewKeep(opts.Keep)},
		warm: func() { warm(enc) },
	}, nil
}

// encodedSources returns the cache in dir of the sources enc makes in
// format at quality from the workload's files, keyed by the library's
// encoder: its module and version (module), and its options.
func encodedSources(ctx context.Context, dir, format string, enc libcodec.Encoder, quality int, module, options string) (srccache.Sources, error) {
	m, err := moddir.Find(ctx, module)
	if err != nil {
		return nil, err
	}
	return &srccache.Cache{Dir: dir, Format: format, Encoder: enc, Quality: quality, Settings: m.Path + " " + m.Version + " " + options}, nil
}
