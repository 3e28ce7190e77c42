package memprofile

import (
	"bytes"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/leakbench/leakbench/harness/target"
)

//go:noinline
func instantiateHere() []uintptr { return Callers(0) }

// TestWrite_ReadsBackAsPprof writes a profile and reads it back with
// google/pprof's parser: byte-sized samples, labels, the stack's
// functions, valid for go tool pprof.
func TestWrite_ReadsBackAsPprof(t *testing.T) {
	stack := instantiateHere()
	mems := []target.LinearMemory{
		{Codec: "decode", Holder: target.HolderLive, Instance: 1, Bytes: 3 << 20, Stack: stack},
		{Codec: "encodePng", Holder: "views", Instance: 2, Worker: 4, Bytes: 5 << 20, Stack: stack},
		{Codec: "encodePng", Holder: "views", Instance: 3, Bytes: 5 << 20, Stack: stack},
	}
	var buf bytes.Buffer
	if err := Write(&buf, mems); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CheckValid(); err != nil {
		t.Fatal(err)
	}
	if len(p.SampleType) != 2 || p.SampleType[1].Type != "inuse_space" || p.SampleType[1].Unit != "bytes" || p.DefaultSampleType != "inuse_space" {
		t.Errorf("sample types %v, default %q; want memories/count, inuse_space/bytes", p.SampleType, p.DefaultSampleType)
	}
	if len(p.Sample) != 3 {
		t.Fatalf("%d samples, want 3", len(p.Sample))
	}
	s := p.Sample[1]
	if s.Value[0] != 1 || s.Value[1] != 5<<20 || s.Label["codec"][0] != "encodePng" || s.Label["holder"][0] != "views" || s.NumLabel["instance"][0] != 2 || s.NumLabel["worker"][0] != 4 {
		t.Errorf("sample 2: values %v labels %v %v", s.Value, s.Label, s.NumLabel)
	}
	if fn := s.Location[0].Line[0].Function.Name; fn != "github.com/leakbench/leakbench/internal/memprofile.instantiateHere" {
		t.Errorf("innermost frame %s, want instantiateHere", fn)
	}
	if h, b := TopHolder(p); h != "views" || b != 10<<20 {
		t.Errorf("top holder %s %d, want views %d", h, b, 10<<20)
	}
}

// TestBook_Holders follows one instance through the holders; a nil Book
// ignores everything.
func TestBook_Holders(t *testing.T) {
	var none *Book
	none.Add(1, 1, "x", 1, nil)
	none.Hold(1, "views", 1)
	if none.LinearMemories() != nil || none.Holder(1) != "" {
		t.Error("a nil Book recorded something")
	}
	b := NewBook()
	b.Add(7, 2, "decode", 1<<16, nil)
	b.Resize(7, 1<<20)
	if m := b.LinearMemories(); len(m) != 1 || m[0].Holder != target.HolderLive || m[0].Bytes != 1<<20 || m[0].Worker != 2 {
		t.Fatalf("after Add and Resize: %+v", m)
	}
	b.Hold(7, "views", 0)
	b.Release(7, "cache") // not its holder: stays
	if b.Holder(7) != "views" {
		t.Fatalf("holder %q, want views", b.Holder(7))
	}
	b.Release(7, "views")
	if m := b.LinearMemories(); len(m) != 0 {
		t.Errorf("released, still listed: %+v", m)
	}
}
