package enum_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/leakbench/leakbench/internal/enum"
)

type format uint8

const (
	png format = iota + 1
	jpeg
)

var formats = enum.New[format]("format", "", "png", "jpeg").WithAlias("jpg", jpeg)

func (f format) String() string                { return formats.String(f) }
func (f format) MarshalText() ([]byte, error)  { return formats.Marshal(f) }
func (f *format) UnmarshalText(b []byte) error { return formats.Unmarshal(b, f) }

func TestSet(t *testing.T) {
	if got := png.String(); got != "png" {
		t.Errorf("String = %q", got)
	}
	if got := format(0).String(); got != "format(0)" {
		t.Errorf("String of the unnamed zero = %q", got)
	}
	if got := format(9).String(); got != "format(9)" {
		t.Errorf("String out of range = %q", got)
	}
	for name, want := range map[string]format{"png": png, "jpeg": jpeg, "jpg": jpeg} {
		if got, err := formats.Parse(name); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "PNG", "gif"} {
		_, err := formats.Parse(bad)
		var e *enum.Error
		if !errors.As(err, &e) || e.Value != bad {
			t.Errorf("Parse(%q) error = %v, want an *enum.Error", bad, err)
		}
	}
	if _, err := formats.Parse("gif"); err == nil || err.Error() != `unknown format "gif" (allowed: png, jpeg)` {
		t.Errorf("error text = %v", err)
	}
	if got := formats.Names(); len(got) != 2 || got[0] != "png" || got[1] != "jpeg" {
		t.Errorf("Names = %v", got)
	}
	if got := formats.Values(); len(got) != 2 || got[0] != png || got[1] != jpeg {
		t.Errorf("Values = %v", got)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	in := []format{png, jpeg}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `["png","jpeg"]` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var out []format
	if err := json.Unmarshal(b, &out); err != nil || len(out) != 2 || out[0] != png || out[1] != jpeg {
		t.Fatalf("Unmarshal = %v, %v", out, err)
	}
	if _, err := json.Marshal(format(0)); err == nil {
		t.Error("marshalling the unnamed zero succeeded")
	}
	f := png
	if err := json.Unmarshal([]byte(`"webp"`), &f); err == nil || f != png {
		t.Errorf("Unmarshal of an unknown name: f = %v, err = %v", f, err)
	}
}
