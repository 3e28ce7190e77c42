package squoosh

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero/api"
)

// EncodeOptions is an encoder's options object, passed to its embind
// value object field by field.
type EncodeOptions interface {
	fields() map[string]jsValue
}

// MozJPEGOptions are mozjpeg_enc's MozJpegOptions (squoosh's
// mozjpeg_enc.cpp value_object), field by field.
type MozJPEGOptions struct {
	Quality               int
	Baseline              bool
	Arithmetic            bool
	Progressive           bool
	OptimizeCoding        bool
	Smoothing             int
	ColorSpace            int
	QuantTable            int
	TrellisMultipass      bool
	TrellisOptZero        bool
	TrellisOptTable       bool
	TrellisLoops          int
	AutoSubsample         bool
	ChromaSubsample       int
	SeparateChromaQuality bool
	ChromaQuality         int
}

// OptimizerMozJPEGOptions returns the options next@10.1.0 encoded JPEG
// with: codecs.js mozjpeg.defaultEncoderOptions with the request's quality.
func OptimizerMozJPEGOptions(quality int) MozJPEGOptions {
	return MozJPEGOptions{Quality: quality, Progressive: true, OptimizeCoding: true, ColorSpace: 3, QuantTable: 3,
		TrellisLoops: 1, AutoSubsample: true, ChromaSubsample: 2, ChromaQuality: 75}
}

func (o MozJPEGOptions) fields() map[string]jsValue {
	return map[string]jsValue{
		"quality": o.Quality, "baseline": o.Baseline, "arithmetic": o.Arithmetic, "progressive": o.Progressive,
		"optimize_coding": o.OptimizeCoding, "smoothing": o.Smoothing, "color_space": o.ColorSpace, "quant_table": o.QuantTable,
		"trellis_multipass": o.TrellisMultipass, "trellis_opt_zero": o.TrellisOptZero, "trellis_opt_table": o.TrellisOptTable,
		"trellis_loops": o.TrellisLoops, "auto_subsample": o.AutoSubsample, "chroma_subsample": o.ChromaSubsample,
		"separate_chroma_quality": o.SeparateChromaQuality, "chroma_quality": o.ChromaQuality,
	}
}

// WebPOptions are webp_enc's WebPConfig fields (squoosh's webp_enc.cpp
// value_object over libwebp's WebPConfig).
type WebPOptions struct {
	Quality          float64
	TargetSize       int
	TargetPSNR       float64
	Method           int
	SNSStrength      int
	FilterStrength   int
	FilterSharpness  int
	FilterType       int
	Partitions       int
	Segments         int
	Pass             int
	ShowCompressed   int
	Preprocessing    int
	Autofilter       int
	PartitionLimit   int
	AlphaCompression int
	AlphaFiltering   int
	AlphaQuality     int
	Lossless         int
	Exact            int
	ImageHint        int
	EmulateJPEGSize  int
	ThreadLevel      int
	LowMemory        int
	NearLossless     int
	UseDeltaPalette  int
	UseSharpYUV      int
}

// OptimizerWebPOptions returns the options next@10.1.0 encoded WebP with:
// codecs.js webp.defaultEncoderOptions with the request's quality.
func OptimizerWebPOptions(quality int) WebPOptions {
	return WebPOptions{Quality: float64(quality), Method: 4, SNSStrength: 50, FilterStrength: 60, FilterType: 1,
		Segments: 4, Pass: 1, AlphaCompression: 1, AlphaFiltering: 1, AlphaQuality: 100, NearLossless: 100}
}

func (o WebPOptions) fields() map[string]jsValue {
	return map[string]jsValue{
		"quality": o.Quality, "target_size": o.TargetSize, "target_PSNR": o.TargetPSNR, "method": o.Method,
		"sns_strength": o.SNSStrength, "filter_strength": o.FilterStrength, "filter_sharpness": o.FilterSharpness,
		"filter_type": o.FilterType, "partitions": o.Partitions, "segments": o.Segments, "pass": o.Pass,
		"show_compressed": o.ShowCompressed, "preprocessing": o.Preprocessing, "autofilter": o.Autofilter,
		"partition_limit": o.PartitionLimit, "alpha_compression": o.AlphaCompression, "alpha_filtering": o.AlphaFiltering,
		"alpha_quality": o.AlphaQuality, "lossless": o.Lossless, "exact": o.Exact, "image_hint": o.ImageHint,
		"emulate_jpeg_size": o.EmulateJPEGSize, "thread_level": o.ThreadLevel, "low_memory": o.LowMemory,
		"near_lossless": o.NearLossless, "use_delta_palette": o.UseDeltaPalette, "use_sharp_yuv": o.UseSharpYUV,
	}
}

// Emscripten is one instance of an emscripten codec module (mozjpeg or
// webp, encoder or decoder) with its embind host. It is not safe for
// concurrent use.
type Emscripten struct{ in *emscriptenInstance }

// NewEmscripten instantiates m, which must be one of MozJPEGDecWasm,
// MozJPEGEncWasm, WebPDecWasm, WebPEncWasm, and runs its constructors.
func (l *Library) NewEmscripten(ctx context.Context, m Module) (*Emscripten, error) {
	in, err := l.instantiateEmscripten(ctx, m)
	if err != nil {
		return nil, err
	}
	return &Emscripten{in: in}, nil
}

// Decode calls the module's embind decode(std::string) and returns the
// ImageData it makes.
func (e *Emscripten) Decode(ctx context.Context, data []byte) (Image, error) {
	v, err := e.in.call(ctx, "decode", data)
	if err != nil {
		return Image{}, fmt.Errorf("squoosh: %s decode of %d bytes: %w", e.in.kind, len(data), err)
	}
	img, ok := v.(Image)
	if !ok {
		return Image{}, fmt.Errorf("squoosh: %s decode of %d bytes returned %s, not an ImageData (the input is not an image it decodes)", e.in.kind, len(data), describe(v))
	}
	if err := img.check(); err != nil {
		return Image{}, fmt.Errorf("squoosh: %s decode: %w", e.in.kind, err)
	}
	return img, nil
}

// Encode calls the module's embind encode(std::string, int, int, options)
// and returns the bytes of the Uint8Array it makes.
func (e *Emscripten) Encode(ctx context.Context, img Image, opts EncodeOptions) ([]byte, error) {
	if err := img.check(); err != nil {
		return nil, err
	}
	v, err := e.in.call(ctx, "encode", img.Pix, img.Width, img.Height, opts.fields())
	if err != nil {
		return nil, fmt.Errorf("squoosh: %s encode %dx%d: %w", e.in.kind, img.Width, img.Height, err)
	}
	a, ok := v.(typedArray)
	if !ok {
		return nil, fmt.Errorf("squoosh: %s encode %dx%d returned %s, not a Uint8Array (the encoder failed)", e.in.kind, img.Width, img.Height, describe(v))
	}
	return a.data, nil
}

// LiveHandles is the number of emval handles the instance holds beyond the
// five constants (emval.js count_emval_handles).
func (e *Emscripten) LiveHandles() int { return e.in.liveHandles() }

// MemorySize is the instance's linear memory size in bytes.
func (e *Emscripten) MemorySize() uint32 { return e.in.mem.Size() }

// Close closes the instance.
func (e *Emscripten) Close(ctx context.Context) error { return e.in.close(ctx) }

// Memory is the instance's linear memory, the same api.Memory before and
// after Close: what an allocator that releases memory once it is
// unreachable attaches to, and what a view of the whole memory reads
// (Memory().Read(0, Memory().Size())).
func (e *Emscripten) Memory() api.Memory { return e.in.mem }

// Closed reports whether the instance is closed, by Close or by its
// Library's.
func (e *Emscripten) Closed() bool { return e.in.mod.IsClosed() }

// describe names a JavaScript value for an error message.
func describe(v jsValue) string {
	switch v {
	case jsNull:
		return "null"
	case jsUndefined:
		return "undefined"
	}
	return fmt.Sprintf("a %T", v)
}
