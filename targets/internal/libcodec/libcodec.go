// Package libcodec adapts gen2brain's wazero codec libraries (webp v0.5.5,
// avif v0.4.4, heic v0.4.5) to one shape: a Decoder of encoded bytes and an
// Encoder with a quality, so that the request flow can put a library in the
// place of the codec it replaces.
//
// The libraries' decoders return images whose pixels are a view of the
// decoder instance's linear memory (api.Memory.Read): keeping the image
// keeps the instance's whole memory alive after the library has closed it.
// CopyOut is the library-side fix applied from outside: the pixels are
// copied into Go memory the image owns, and the view is dropped.
package libcodec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"

	"github.com/gen2brain/avif"
	"github.com/gen2brain/heic"
	"github.com/gen2brain/webp"
)

// Decoder decodes one encoded image. Decode may be called from several
// goroutines at once.
type Decoder interface {
	Decode(data []byte) (image.Image, error)
}

// Encoder encodes an image at a quality of 1 to 100. Encode may be called
// from several goroutines at once.
type Encoder interface {
	Encode(w io.Writer, img image.Image, quality int) error
}

// ErrNotWASM is returned when a library found its system shared library
// and so would not run under wazero. Each library tries, in its package
// init, to dlopen libwebp.so, libavif.so or libheif.so (the unversioned
// names that the -dev packages install) through purego, and uses its
// WebAssembly build only when that fails; its documented way to force
// wazero is the build tag nodynamic, and nothing else (no environment
// variable, no function) turns the shared library off once loaded. A
// measurement of the shared library would show none of what this module
// measures, so every Decode and Encode here fails with this error instead.
var ErrNotWASM = errors.New("the library loaded the system's shared library instead of its WebAssembly build, so it would not run under wazero; build with the tag nodynamic (go run -tags nodynamic ..., go test -tags nodynamic ./...)")

// notWASM reports whether a library's Dynamic() says it loaded its shared
// library: a nil error from Dynamic means it did.
func notWASM(name string, dynamicErr error) error {
	if dynamicErr == nil {
		return fmt.Errorf("%s: %w", name, ErrNotWASM)
	}
	return nil
}

// decodeWASM decodes data with a library's decode, or fails with
// ErrNotWASM when the library loaded its shared library (dynamicErr is
// its Dynamic()).
func decodeWASM(name string, dynamicErr error, decode func(io.Reader) (image.Image, error), data []byte) (image.Image, error) {
	if err := notWASM(name, dynamicErr); err != nil {
		return nil, err
	}
	return decode(bytes.NewReader(data))
}

// CheckWASM returns ErrNotWASM, naming every library that loaded its
// shared library, or nil when all three run under wazero.
func CheckWASM() error {
	return errors.Join(
		notWASM("github.com/gen2brain/webp", webp.Dynamic()),
		notWASM("github.com/gen2brain/avif", avif.Dynamic()),
		notWASM("github.com/gen2brain/heic", heic.Dynamic()),
	)
}

// WebP is github.com/gen2brain/webp, lossy, at Method (0 fast to 6 slow;
// the library's default is 4).
type WebP struct {
	Method int
}

// NewWebP returns the webp adapter at the library's default method, or
// ErrNotWASM.
func NewWebP() (WebP, error) {
	return WebP{Method: webp.DefaultMethod}, notWASM("webp", webp.Dynamic())
}

// Decode decodes a still webp image: an *image.NYCbCrA (4:2:0 with alpha)
// whose four planes are one view of the decoder's memory.
func (WebP) Decode(data []byte) (image.Image, error) {
	return decodeWASM("webp", webp.Dynamic(), webp.Decode, data)
}

// Init compiles the library's module (package-level state it keeps for
// good), as its first Decode or Encode would.
func (WebP) Init() { webp.Init() }

// Encode encodes img as lossy webp at quality (the library treats 100 as
// lossless).
func (c WebP) Encode(w io.Writer, img image.Image, quality int) error {
	if err := notWASM("webp", webp.Dynamic()); err != nil {
		return err
	}
	return webp.Encode(w, img, webp.Options{Quality: quality, Method: c.Method})
}

// AVIF is github.com/gen2brain/avif at Speed (0 slow to 10 fast; the
// library's default is 10), 4:2:0 chroma as the library's default.
type AVIF struct {
	Speed int
}

// NewAVIF returns the avif adapter at the library's default speed, or
// ErrNotWASM.
func NewAVIF() (AVIF, error) {
	return AVIF{Speed: avif.DefaultSpeed}, notWASM("avif", avif.Dynamic())
}

// Decode decodes the first frame of an avif image: an 8-bit image is an
// *image.RGBA whose Pix is a view of the decoder's memory (deeper images
// are copied by the library into an *image.RGBA64).
func (AVIF) Decode(data []byte) (image.Image, error) {
	return decodeWASM("avif", avif.Dynamic(), avif.Decode, data)
}

// InitDecoder compiles the library's decoder module, as its first Decode
// would.
func (AVIF) InitDecoder() { avif.InitDecoder() }

// InitEncoder compiles the library's encoder module, as its first Encode
// would.
func (AVIF) InitEncoder() { avif.InitEncoder() }

// Encode encodes img as avif at quality, alpha at the same quality.
// Options must name the chroma: its zero value is 4:4:4.
func (c AVIF) Encode(w io.Writer, img image.Image, quality int) error {
	if err := notWASM("avif", avif.Dynamic()); err != nil {
		return err
	}
	return avif.Encode(w, img, avif.Options{
		Quality:           quality,
		QualityAlpha:      quality,
		Speed:             c.Speed,
		ChromaSubsampling: image.YCbCrSubsampleRatio420,
	})
}

// HEIC is github.com/gen2brain/heic, a decoder only.
type HEIC struct{}

// NewHEIC returns the heic adapter, or ErrNotWASM.
func NewHEIC() (HEIC, error) {
	return HEIC{}, notWASM("heic", heic.Dynamic())
}

// Decode decodes a heic image: an *image.YCbCr, *image.Gray, *image.RGBA
// or *image.NRGBA whose pixels are a view of the decoder's memory.
func (HEIC) Decode(data []byte) (image.Image, error) {
	return decodeWASM("heic", heic.Dynamic(), heic.Decode, data)
}

// Init compiles the library's module, as its first Decode would.
func (HEIC) Init() { heic.Init() }

// CopyOut is a Decoder whose images own their pixels: it copies them out
// of the library's image (Clone) and drops the library's image, and with it
// the view of the decoder instance's memory. It is the library-side fix
// applied by the caller; in the library it is one line after the
// Memory().Read of the output, out = bytes.Clone(out). Done in the library
// it would also save the bytes heic's deferred free(out) overwrites (the
// guest allocator's free-list links, 18 to 24 bytes at the start of the Y
// plane in heic v0.4.5): a copy made after Decode returns copies them as
// they are.
type CopyOut struct {
	Decoder
}

// Decode decodes data with the wrapped decoder and returns a copy of the
// image.
func (c CopyOut) Decode(data []byte) (image.Image, error) {
	img, err := c.Decoder.Decode(data)
	if err != nil {
		return nil, err
	}
	return Clone(img), nil
}

var (
	_ Decoder = WebP{}
	_ Encoder = WebP{}
	_ Decoder = AVIF{}
	_ Encoder = AVIF{}
	_ Decoder = HEIC{}
	_ Decoder = CopyOut{}
)
