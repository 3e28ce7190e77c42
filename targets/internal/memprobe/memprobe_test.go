package memprobe_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/internal/memprobe"
	"github.com/leakbench/leakbench/targets/internal/srccache"
	"github.com/leakbench/leakbench/targets/internal/testimage"
)

type probe func(*memprobe.Prober, context.Context, []byte) (memprobe.Result, error)

// TestReplayIsTheLibrarysDecode: the replayed decode's output buffer is,
// byte for byte, the pixels of the image the library returns, and its
// memory is as large as the pixels at least.
func TestReplayIsTheLibrarysDecode(t *testing.T) {
	ctx := context.Background()
	pr := memprobe.New(ctx)
	defer pr.Close(ctx)
	src := testimage.Photo(300, 200, 5)
	type input struct {
		name  string
		data  []byte
		dec   libcodec.Decoder
		probe probe
	}
	var inputs []input
	for _, c := range []struct {
		name  string
		codec interface {
			libcodec.Encoder
			libcodec.Decoder
		}
		probe probe
	}{
		{"webp", libcodec.WebP{Method: 4}, (*memprobe.Prober).WebP},
		{"avif", libcodec.AVIF{Speed: 10}, (*memprobe.Prober).AVIF},
	} {
		var buf bytes.Buffer
		if err := c.codec.Encode(&buf, src, 75); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{c.name, buf.Bytes(), c.codec, c.probe})
	}
	files, err := srccache.HEICSamples().Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{"heic " + f, data, libcodec.HEIC{}, (*memprobe.Prober).HEIC})
	}
	for _, in := range inputs {
		img, err := in.dec.Decode(in.data)
		if err != nil {
			t.Fatalf("%s: %v", in.name, err)
		}
		res, err := in.probe(pr, ctx, in.data)
		if err != nil {
			t.Fatalf("%s: %v", in.name, err)
		}
		if pix := bytes.Join(libcodec.Planes(img), nil); !bytes.Equal(pix, res.Out) {
			t.Errorf("%s: the replay's %d output bytes differ from the library image's %d bytes of pixels", in.name, len(res.Out), len(pix))
		}
		if res.MemorySize < uint64(len(res.Out)) || res.MemorySize%65536 != 0 {
			t.Errorf("%s: memory size %d: not whole pages holding the %d-byte output", in.name, res.MemorySize, len(res.Out))
		}
		// wazero grows memory with append: the backing array has room for
		// at most a quarter more, plus growslice's rounding.
		if res.BufferCap < res.MemorySize || float64(res.BufferCap) > 1.25*float64(res.MemorySize)+16<<10 {
			t.Errorf("%s: buffer capacity %d outside [size, 1.25 size] for memory size %d", in.name, res.BufferCap, res.MemorySize)
		}
		t.Logf("%s: memory %d, backing array %d (%.3f), pixels %d, %d of them clobbered by free; %s", in.name, res.MemorySize, res.BufferCap, float64(res.BufferCap)/float64(res.MemorySize), len(res.Out), res.Clobbered, res.Module)
	}
}

func TestReplayRejectsGarbage(t *testing.T) {
	ctx := context.Background()
	pr := memprobe.New(ctx)
	defer pr.Close(ctx)
	for name, p := range map[string]probe{"webp": (*memprobe.Prober).WebP, "avif": (*memprobe.Prober).AVIF, "heic": (*memprobe.Prober).HEIC} {
		if _, err := p(pr, ctx, []byte("this is not an image at all, not even close")); err == nil {
			t.Errorf("%s: replaying garbage succeeded", name)
		}
	}
}
