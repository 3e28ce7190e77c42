package squoosh

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// rotateInputOffset is where codecs.js writes rotate.wasm's input pixels
// (`view.set(buffer, 8)`); the module writes its output right after them.
const rotateInputOffset = 8

// wasmPage is a WebAssembly page in bytes.
const wasmPage = 65536

// RotateOnce rotates img clockwise by numRotations quarter turns as
// next@10.1.0's codecs.js preprocessors.rotate did: a fresh instance of
// rotate.wasm for the call (even before PR 23565 the optimizer
// instantiated it at every call), closed after it (see Rotator.Rotate).
func (l *Library) RotateOnce(ctx context.Context, img Image, numRotations int) (Image, error) {
	if err := img.check(); err != nil {
		return Image{}, err
	}
	if numRotations < 0 {
		return Image{}, fmt.Errorf("squoosh: rotate by %d quarter turns: must not be negative", numRotations)
	}
	r, err := l.NewRotator(ctx)
	if err != nil {
		return Image{}, err
	}
	defer r.Close(ctx)
	return r.Rotate(ctx, img, numRotations)
}

// Rotator is one instance of rotate.wasm. The optimizer made one per call
// (RotateOnce); a Rotator that is kept serves call after call, its memory
// grown only when an image needs more than it has. It is not safe for
// concurrent use.
type Rotator struct{ mod api.Module }

// NewRotator instantiates rotate.wasm.
func (l *Library) NewRotator(ctx context.Context) (*Rotator, error) {
	mod, err := l.rt.InstantiateModule(ctx, l.mods[RotateWasm], wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return nil, fmt.Errorf("squoosh: instantiating %s: %w", RotateWasm, err)
	}
	if mod.Memory() == nil || mod.ExportedFunction("rotate") == nil {
		_ = mod.Close(ctx)
		return nil, fmt.Errorf("squoosh: %s lacks its memory or its rotate export", RotateWasm)
	}
	return &Rotator{mod: mod}, nil
}

// Rotate rotates img clockwise by numRotations quarter turns as codecs.js
// preprocessors.rotate did with its instance: memory grown by
// ceil((2*size - byteLength + 8) / 64 KiB) pages when that is positive,
// the pixels written at address 8, rotate(width, height, degrees), and the
// output read at 8+size.
func (r *Rotator) Rotate(ctx context.Context, img Image, numRotations int) (Image, error) {
	if err := img.check(); err != nil {
		return Image{}, err
	}
	if numRotations < 0 {
		return Image{}, fmt.Errorf("squoosh: rotate by %d quarter turns: must not be negative", numRotations)
	}
	degrees := numRotations * 90 % 360
	size := uint64(len(img.Pix))
	mem := r.mod.Memory()
	if need := int64(2*size) - int64(mem.Size()) + rotateInputOffset; need > 0 {
		pages := (need + wasmPage - 1) / wasmPage
		if _, ok := mem.Grow(uint32(pages)); !ok {
			return Image{}, fmt.Errorf("squoosh: rotate %dx%d: growing memory by %d pages failed", img.Width, img.Height, pages)
		}
	}
	if !mem.Write(rotateInputOffset, img.Pix) {
		return Image{}, fmt.Errorf("squoosh: rotate %dx%d: input outside memory", img.Width, img.Height)
	}
	if _, err := r.mod.ExportedFunction("rotate").Call(ctx, uint64(img.Width), uint64(img.Height), uint64(degrees)); err != nil {
		return Image{}, fmt.Errorf("squoosh: rotate %dx%d by %d degrees: %w", img.Width, img.Height, degrees, err)
	}
	b, ok := mem.Read(uint32(size+rotateInputOffset), uint32(size))
	if !ok {
		return Image{}, fmt.Errorf("squoosh: rotate %dx%d: output outside memory", img.Width, img.Height)
	}
	out := Image{Pix: append([]byte(nil), b...), Width: img.Width, Height: img.Height}
	if degrees == 90 || degrees == 270 {
		out.Width, out.Height = img.Height, img.Width
	}
	return out, nil
}

// Memory is the instance's linear memory (see Resizer.Memory).
func (r *Rotator) Memory() api.Memory { return r.mod.Memory() }

// Closed reports whether the instance is closed, by Close or by its
// Library's.
func (r *Rotator) Closed() bool { return r.mod.IsClosed() }

// Close closes the instance.
func (r *Rotator) Close(ctx context.Context) error { return r.mod.Close(ctx) }
