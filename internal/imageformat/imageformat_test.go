package imageformat

import (
	"bytes"
	"encoding"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/leakbench/leakbench/internal/enum"
)

var (
	_ encoding.TextMarshaler   = Format(0)
	_ encoding.TextUnmarshaler = (*Format)(nil)
)

// TestFormat: each format's name parses back to it and round-trips
// through text; "jpg" is JPEG; unknown names and the zero Format fail
// with an error that lists the names.
func TestFormat(t *testing.T) {
	for _, f := range []Format{PNG, JPEG, WebP} {
		got, err := Parse(f.String())
		if err != nil || got != f {
			t.Errorf("Parse(%q) = %v, %v; want %v", f.String(), got, err, f)
		}
		b, err := f.MarshalText()
		var back Format
		if err != nil || back.UnmarshalText(b) != nil || back != f {
			t.Errorf("%v: text %q (%v) reads back as %v", f, b, err, back)
		}
	}
	if f, err := Parse("jpg"); err != nil || f != JPEG {
		t.Errorf(`Parse("jpg") = %v, %v; want jpeg`, f, err)
	}
	_, err := Parse("gif")
	var ee *enum.Error
	if !errors.As(err, &ee) || err.Error() != `unknown format "gif" (allowed: png, jpeg, webp)` {
		t.Errorf(`Parse("gif"): %v, want an enum.Error listing the formats`, err)
	}
	if _, err := Format(0).MarshalText(); err == nil {
		t.Error("the zero Format marshalled")
	}
	var f Format = WebP
	if err := f.UnmarshalText([]byte("tiff")); err == nil || f != WebP {
		t.Errorf("UnmarshalText(tiff): %v, left %v; want an error and WebP unchanged", err, f)
	}
}

// TestSniff: Sniff tells each format from its first SniffLen bytes, as Go's
// own encoders write them, and names what it can't tell.
func TestSniff(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	var p, j bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		src  []byte
		want Format
		err  string
	}{
		{"png", p.Bytes()[:SniffLen], PNG, ""},
		{"jpeg", j.Bytes()[:SniffLen], JPEG, ""},
		{"webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), WebP, ""},
		{"magic only", Magic(PNG), PNG, ""},
		{"empty", nil, 0, "empty input"},
		{"riff but not webp", []byte("RIFF\x10\x00\x00\x00WAVEfmt "), 0, "unknown image format (first bytes 52 49 46 46 10 00 00 00; want PNG, JPEG or WebP)"},
		{"short", []byte{0x89, 'P'}, 0, "first bytes 89 50;"},
		{"gif", []byte("GIF89a"), 0, "unknown image format"},
	}
	for _, tt := range tests {
		got, err := Sniff(tt.src)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%s: Sniff = %v, %v; want %v", tt.name, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: Sniff = %v, %v; want an error saying %q", tt.name, got, err, tt.err)
		}
	}
}

// TestMagic: Magic is what a file of its format starts with, a copy the
// caller may change, and nil where no fixed prefix exists.
func TestMagic(t *testing.T) {
	m := Magic(PNG)
	m[0] = 0
	if f, err := Sniff(Magic(PNG)); err != nil || f != PNG {
		t.Errorf("Magic(PNG) sniffs as %v, %v after a caller changed its copy", f, err)
	}
	if f, err := Sniff(Magic(JPEG)); err != nil || f != JPEG {
		t.Errorf("Magic(JPEG) sniffs as %v, %v", f, err)
	}
	if Magic(WebP) != nil || Magic(0) != nil {
		t.Error("Magic of WebP or the zero Format is not nil")
	}
}
