// Package squoosh runs the image codecs the Next.js 10.1.0 image optimizer
// shipped (next/dist/next-server/server/lib/squoosh) under wazero: the very
// .wasm files of the npm package, byte for byte, loaded at run time from the
// install that examples/nextjs/install.sh makes (they are never committed).
//
// Three kinds of module are there, and each gets the host its own glue gave
// it in Node, written here in Go:
//
//   - wasm-bindgen modules (resize, png, oxipng): __wbindgen_malloc and
//     __wbindgen_free exports, results through a return pointer, and one or
//     no imports (bindgen.go);
//   - a plain module (rotate) that the optimizer instantiated afresh at each
//     call (rotate.go);
//   - emscripten modules with embind (mozjpeg and webp, encoder and
//     decoder), whose minified imports a small embind host serves
//     (embind.go).
//
// A Library compiles every module once and hands out instances (NewResizer,
// NewPNGCodec, NewOxipng, NewEmscripten, or RotateOnce's fresh one); an
// Optimizer runs the operations with the lifetimes next's impl.js gave
// them, and Optimizer.Process is a whole request (processBuffer).
//
// Every output equals Node's byte for byte on the goldens that
// tools/squoosh-golden/golden.js makes (docs/squoosh.md).
package squoosh

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tetratelabs/wazero"
)

// Version is the next release whose squoosh modules this package runs.
const Version = "10.1.0"

// InstallCommand is the command that installs the modules.
const InstallCommand = "bash examples/nextjs/install.sh " + Version

// modulesPath is where next@10.1.0 keeps its squoosh folder, relative to the
// install root that install.sh prints.
const modulesPath = "node_modules/next/dist/next-server/server/lib/squoosh"

// ErrNotInstalled is returned by New when the npm install is missing.
var ErrNotInstalled = errors.New("squoosh: next@" + Version + " is not installed (run `" + InstallCommand + "`)")

// DefaultRoot returns the folder install.sh installs next@10.1.0 into by
// default: $XDG_CACHE_HOME, else ~/.cache, then leakbench/nextjs/10.1.0.
func DefaultRoot() (string, error) {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("squoosh: locating the npm install: %w", err)
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "leakbench", "nextjs", Version), nil
}

// Module names one of the squoosh .wasm files.
type Module uint8

// The eight modules, in the order of Modules.
const (
	ResizeWasm Module = iota
	PNGWasm
	OxipngWasm
	RotateWasm
	MozJPEGDecWasm
	MozJPEGEncWasm
	WebPDecWasm
	WebPEncWasm
	numModules
)

// file is each module's path inside the squoosh folder.
var file = [numModules]string{
	ResizeWasm:     "resize/squoosh_resize_bg.wasm",
	PNGWasm:        "png/squoosh_png_bg.wasm",
	OxipngWasm:     "png/squoosh_oxipng_bg.wasm",
	RotateWasm:     "rotate/rotate.wasm",
	MozJPEGDecWasm: "mozjpeg/mozjpeg_node_dec.wasm",
	MozJPEGEncWasm: "mozjpeg/mozjpeg_node_enc.wasm",
	WebPDecWasm:    "webp/webp_node_dec.wasm",
	WebPEncWasm:    "webp/webp_node_enc.wasm",
}

// String returns the module's file path inside the squoosh folder.
func (m Module) String() string {
	if m >= numModules {
		return fmt.Sprintf("Module(%d)", uint8(m))
	}
	return file[m]
}

// CheckInstalled reports whether the npm install under root (empty:
// DefaultRoot) has the eight modules, without reading them: nil, or an
// error wrapping ErrNotInstalled that names the first missing file, the
// error New would fail with. It lets a program that runs New in other
// processes fail before starting them.
func CheckInstalled(root string) error {
	dir, err := modulesDir(root)
	if err != nil {
		return err
	}
	for m := range numModules {
		p := filepath.Join(dir, file[m])
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			return missingModule(p)
		} else if err != nil {
			return fmt.Errorf("squoosh: %w", err)
		}
	}
	return nil
}

// missingModule is the error for the module file p that the install
// lacks, the one CheckInstalled and New both fail with.
func missingModule(p string) error { return fmt.Errorf("%w: %s is missing", ErrNotInstalled, p) }

// modulesDir is the squoosh folder of the install under root (empty:
// DefaultRoot).
func modulesDir(root string) (string, error) {
	if root == "" {
		var err error
		if root, err = DefaultRoot(); err != nil {
			return "", err
		}
	}
	return filepath.Join(root, modulesPath), nil
}

// Options configures a Library.
type Options struct {
	// Root is the folder install.sh installed next@10.1.0 into; empty means
	// DefaultRoot.
	Root string
	// RuntimeConfig is the wazero configuration; nil means
	// wazero.NewRuntimeConfig() (the compiler where supported).
	RuntimeConfig wazero.RuntimeConfig
}

// Library holds the compiled squoosh modules in one wazero.Runtime. Its
// methods may be called from several goroutines; each instance it hands out
// may not.
type Library struct {
	rt   wazero.Runtime
	mods [numModules]wazero.CompiledModule

	emscripten *emscriptenHost
}

// New reads and compiles the eight squoosh modules from the npm install.
// A missing install fails with an error wrapping ErrNotInstalled that names
// the missing file.
func New(ctx context.Context, opts Options) (_ *Library, err error) {
	dir, err := modulesDir(opts.Root)
	if err != nil {
		return nil, err
	}
	var bins [numModules][]byte
	for m := range numModules {
		p := filepath.Join(dir, file[m])
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			return nil, missingModule(p)
		}
		if err != nil {
			return nil, fmt.Errorf("squoosh: reading %s: %w", p, err)
		}
		bins[m] = b
	}
	cfg := opts.RuntimeConfig
	if cfg == nil {
		cfg = wazero.NewRuntimeConfig()
	}
	l := &Library{rt: wazero.NewRuntimeWithConfig(ctx, cfg)}
	defer func() {
		if err != nil {
			_ = l.rt.Close(ctx)
		}
	}()
	for m := range numModules {
		cm, err := l.rt.CompileModule(ctx, bins[m])
		if err != nil {
			return nil, fmt.Errorf("squoosh: compiling %s: %w", filepath.Join(dir, file[m]), err)
		}
		l.mods[m] = cm
	}
	if err := instantiateBindgenHost(ctx, l.rt); err != nil {
		return nil, err
	}
	if l.emscripten, err = newEmscriptenHost(ctx, l.rt, l.mods); err != nil {
		return nil, err
	}
	return l, nil
}

// Close closes the runtime and every instance made from it.
func (l *Library) Close(ctx context.Context) error { return l.rt.Close(ctx) }

// Image is an RGBA image: 4 bytes a pixel, rows top to bottom, as the
// modules' ImageData.
type Image struct {
	Pix           []byte
	Width, Height int
}

// check reports whether Pix holds exactly Width*Height RGBA pixels.
func (im Image) check() error {
	if im.Width <= 0 || im.Height <= 0 || len(im.Pix) != 4*im.Width*im.Height {
		return fmt.Errorf("squoosh: image %dx%d with %d bytes of pixels (want %d)", im.Width, im.Height, len(im.Pix), 4*im.Width*im.Height)
	}
	return nil
}
