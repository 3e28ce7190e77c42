package codecs

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"image/png"
)

// Limits bound what an operation accepts. The host checks them before the
// guest allocates anything, and Decode also passes MaxPixels and the
// memory cap to the guest, whose allocator enforces a budget derived from
// them and from the file's header (see Decode). The guest's malloc as a
// whole is bounded by MaxMemoryBytes through wazero's memory limit.
type Limits struct {
	// MaxInputBytes bounds the size of an encoded input (Decode). Default
	// 64 MiB.
	MaxInputBytes int
	// MaxPixels bounds Width*Height of every image: a header's declared
	// size (Decode), every Image argument and every result (Resize's
	// target). Default 100 megapixels.
	MaxPixels int
	// MaxMemoryBytes caps each instance's linear memory (wazero memory
	// limit, rounded down to 64 KiB pages, at most 65535 pages). Default
	// 2 GiB.
	MaxMemoryBytes uint64
}

// Default limits.
const (
	DefaultMaxInputBytes  = 64 << 20
	DefaultMaxPixels      = 100_000_000
	DefaultMaxMemoryBytes = 2 << 30

	pageSize = 65536
	maxPages = 65535 // keeps every size within api.Memory's uint32 offsets
	// maxDimension bounds any image's side (stb_image's default
	// STBI_MAX_DIMENSIONS); maxDecodeDimension is what decode.wasm is
	// built with.
	maxDimension       = 1 << 24
	maxDecodeDimension = 1 << 17
	// maxBufferBytes is the largest buffer the i32 ABI can describe.
	maxBufferBytes = 1<<31 - 1
)

// DefaultLimits returns 64 MiB of input, 100 megapixels and 2 GiB of
// linear memory per instance.
func DefaultLimits() Limits {
	return Limits{
		MaxInputBytes:  DefaultMaxInputBytes,
		MaxPixels:      DefaultMaxPixels,
		MaxMemoryBytes: DefaultMaxMemoryBytes,
	}
}

// resolve fills zero fields with their defaults and rejects negative ones.
func (l Limits) resolve() (Limits, error) {
	d := DefaultLimits()
	if l.MaxInputBytes < 0 {
		return l, fmt.Errorf("%w: Limits.MaxInputBytes is %d, want > 0 (0 = default %d)", ErrInvalid, l.MaxInputBytes, d.MaxInputBytes)
	}
	if l.MaxPixels < 0 {
		return l, fmt.Errorf("%w: Limits.MaxPixels is %d, want > 0 (0 = default %d)", ErrInvalid, l.MaxPixels, d.MaxPixels)
	}
	if l.MaxInputBytes == 0 {
		l.MaxInputBytes = d.MaxInputBytes
	}
	if l.MaxPixels == 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxMemoryBytes == 0 {
		l.MaxMemoryBytes = d.MaxMemoryBytes
	}
	if l.MaxMemoryBytes < pageSize {
		return l, fmt.Errorf("%w: Limits.MaxMemoryBytes is %d, want at least one 64 KiB page", ErrInvalid, l.MaxMemoryBytes)
	}
	return l, nil
}

// Validate reports what New would refuse in l (zero fields take their
// defaults).
func (l Limits) Validate() error {
	_, err := l.resolve()
	return err
}

// Pages returns the wazero memory limit in 64 KiB pages: MaxMemoryBytes
// rounded down, at most 65535 pages. Every runtime of the case study, the
// embedded codecs' and the squoosh modules', caps its memories at it.
func (l Limits) Pages() uint32 {
	p := l.MaxMemoryBytes / pageSize
	if p > maxPages {
		p = maxPages
	}
	return uint32(p)
}

// CapBytes is Pages in bytes: the cap each linear memory really gets,
// MaxMemoryBytes rounded down to whole pages.
func (l Limits) CapBytes() uint64 { return uint64(l.Pages()) * pageSize }

// checkInput checks the size of an encoded input.
func (l Limits) checkInput(op Op, n int) error {
	if n == 0 {
		return fmt.Errorf("%w: %s: empty input", ErrCorrupt, op)
	}
	if n > l.MaxInputBytes {
		return fmt.Errorf("%w: %s: input is %d bytes, over the limit of %d bytes", ErrLimit, op, n, l.MaxInputBytes)
	}
	return nil
}

// checkSize checks the dimensions of an image (what names it in errors).
func (l Limits) checkSize(op Op, what string, w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: %s: %s is %dx%d, want positive width and height", ErrInvalid, op, what, w, h)
	}
	if w > maxDimension || h > maxDimension {
		return fmt.Errorf("%w: %s: %s is %dx%d, over the limit of %d pixels per side", ErrLimit, op, what, w, h, maxDimension)
	}
	px := uint64(w) * uint64(h)
	if px > uint64(l.MaxPixels) {
		return fmt.Errorf("%w: %s: %s is %dx%d = %d pixels, over the limit of %d pixels", ErrLimit, op, what, w, h, px, l.MaxPixels)
	}
	if 4*px > maxBufferBytes {
		return fmt.Errorf("%w: %s: %s is %dx%d = %d bytes of RGBA, over the ABI's limit of %d bytes", ErrLimit, op, what, w, h, 4*px, maxBufferBytes)
	}
	return nil
}

// checkImage checks an Image argument: its size and that Pix matches it.
func (l Limits) checkImage(op Op, img Image) error {
	if err := l.checkSize(op, "image", img.Width, img.Height); err != nil {
		return err
	}
	if want := 4 * img.Width * img.Height; len(img.Pix) != want {
		return fmt.Errorf("%w: %s: image is %dx%d and needs %d bytes of RGBA, but Pix has %d", ErrInvalid, op, img.Width, img.Height, want, len(img.Pix))
	}
	return nil
}

// checkMemory fails fast when the buffers an operation needs at once can't
// fit in one instance's linear memory.
func (l Limits) checkMemory(op Op, need uint64) error {
	if max := l.CapBytes(); need > max {
		return fmt.Errorf("%w: %s: needs at least %d bytes of linear memory, over the limit of %d bytes", ErrLimit, op, need, max)
	}
	return nil
}

// header is what checkEncoded learns from an encoded image's header.
type header struct {
	format        Format
	width, height int
}

// checkEncoded checks an encoded input before decoding: size, format, and
// the header's dimensions (parsed by image/png or image/jpeg, which read
// only the header) against MaxPixels and the memory cap, so a hostile
// header fails before the input is even copied into the guest. Everything
// past the header is the guest's to check.
func (l Limits) checkEncoded(src []byte) (header, error) {
	const op = Decode
	if err := l.checkInput(op, len(src)); err != nil {
		return header{}, err
	}
	f, err := Sniff(src)
	if err != nil {
		return header{}, fmt.Errorf("%s: %w", op, err)
	}
	h := header{format: f}
	switch f {
	case PNG:
		c, err := png.DecodeConfig(bytes.NewReader(src))
		if err != nil {
			return h, fmt.Errorf("%w: decode: png header: %v", ErrCorrupt, err)
		}
		h.width, h.height = c.Width, c.Height
	case JPEG:
		c, err := jpeg.DecodeConfig(bytes.NewReader(src))
		if err != nil {
			return h, fmt.Errorf("%w: decode: jpeg header: %v", ErrCorrupt, err)
		}
		h.width, h.height = c.Width, c.Height
	default:
		return h, fmt.Errorf("%w: decode: %s input is not supported (the decoder reads PNG and JPEG)", ErrCorrupt, f)
	}
	if h.width <= 0 || h.height <= 0 {
		return h, fmt.Errorf("%w: decode: %s header declares %dx%d", ErrCorrupt, f, h.width, h.height)
	}
	if err := l.checkSize(op, "header", h.width, h.height); err != nil {
		return h, err
	}
	if h.width > maxDecodeDimension || h.height > maxDecodeDimension {
		return h, fmt.Errorf("%w: decode: header is %dx%d, over the decoder's limit of %d pixels per side", ErrLimit, h.width, h.height, maxDecodeDimension)
	}
	if err := l.checkMemory(op, uint64(len(src))+4*uint64(h.width)*uint64(h.height)); err != nil {
		return h, err
	}
	return h, nil
}
