// Package imageformat names the encoded image formats a workload's
// requests carry: the format of a source file (PNG or JPEG) and the output
// format a browser negotiated (PNG, JPEG or WebP). It is the one
// definition of Format, its names and its magic bytes, shared by the
// workload (which reads sources and deals output formats) and by the
// builtin target's codecs (which decode and encode them).
//
// Its errors carry no failure class: a caller that reports one wraps it
// in its own (the codecs' ErrCorrupt and ErrInvalid do).
package imageformat

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/leakbench/leakbench/internal/enum"
)

// Format is an encoded image format.
type Format uint8

// The formats. The zero Format is invalid.
const (
	PNG Format = iota + 1
	JPEG
	WebP
)

// formats names the formats; the zero Format has no name.
var formats = enum.New[Format]("format", "", "png", "jpeg", "webp").WithAlias("jpg", JPEG)

// String returns "png", "jpeg" or "webp".
func (f Format) String() string { return formats.String(f) }

// Parse returns the Format named s: "png", "jpeg" (or "jpg") or "webp".
// Its error, an *enum.Error, lists the names.
func Parse(s string) (Format, error) { return formats.Parse(s) }

// MarshalText implements encoding.TextMarshaler with Format.String; the
// zero Format has no text.
func (f Format) MarshalText() ([]byte, error) { return formats.Marshal(f) }

// UnmarshalText implements encoding.TextUnmarshaler with Parse.
func (f *Format) UnmarshalText(b []byte) error { return formats.Unmarshal(b, f) }

// The magic bytes that open each format's files: the PNG signature, and a
// JPEG's SOI marker (ff d8) followed by the next marker's ff. A WebP file
// is a RIFF container of form type WEBP (bytes 0-3 and 8-11).
var (
	magicPNG  = []byte("\x89PNG\r\n\x1a\n")
	magicJPEG = []byte{0xff, 0xd8, 0xff}
)

// Magic returns the bytes that every file of f starts with: the PNG
// signature, or a JPEG's ff d8 ff. It returns nil for WebP, whose RIFF
// header has the file's size between its two magic words, and for the
// zero Format.
func Magic(f Format) []byte {
	switch f {
	case PNG:
		return bytes.Clone(magicPNG)
	case JPEG:
		return bytes.Clone(magicJPEG)
	}
	return nil
}

// SniffLen is how many leading bytes Sniff needs to tell every format
// apart.
const SniffLen = 12

// Sniff returns the format of an encoded image from its magic bytes
// (SniffLen of them suffice). It fails when src is empty or starts with
// none of them, naming its first bytes.
func Sniff(src []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(src, magicPNG):
		return PNG, nil
	case bytes.HasPrefix(src, magicJPEG):
		return JPEG, nil
	case len(src) >= SniffLen && string(src[:4]) == "RIFF" && string(src[8:12]) == "WEBP":
		return WebP, nil
	case len(src) == 0:
		return 0, errors.New("empty input")
	}
	n := min(len(src), 8)
	return 0, fmt.Errorf("unknown image format (first bytes % x; want PNG, JPEG or WebP)", src[:n])
}
