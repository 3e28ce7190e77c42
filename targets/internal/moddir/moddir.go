// Package moddir finds the directory of a dependency module in the Go
// module cache at run time, so that the targets can read files the
// gen2brain modules ship (their test images, their wasm binaries) without
// copying them into this repository.
package moddir

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"golang.org/x/mod/module"
)

// Module is a dependency module as this binary was built with it.
type Module struct {
	Path    string // module path, e.g. github.com/gen2brain/heic
	Version string // e.g. v0.4.5; "" for a directory replacement
	Dir     string // its files
}

// Find returns the module modulePath as this binary uses it. The version
// comes from the binary's build information when it has it (a program
// built by go build or go run); test binaries record no dependencies, so
// then it asks `go list -m`, run in the current directory (go test runs a
// test in its package's directory, inside the module). The directory is
// <GOMODCACHE>/<path>@<version>, or the replacement directory.
func Find(ctx context.Context, modulePath string) (Module, error) {
	if m, ok := fromBuildInfo(modulePath); ok {
		if m.Dir == "" {
			cache, err := modCache(ctx)
			if err != nil {
				return Module{}, err
			}
			ep, err := module.EscapePath(m.Path)
			if err != nil {
				return Module{}, fmt.Errorf("moddir: %w", err)
			}
			ev, err := module.EscapeVersion(m.Version)
			if err != nil {
				return Module{}, fmt.Errorf("moddir: %s: %w", m.Path, err)
			}
			m.Dir = filepath.Join(cache, filepath.FromSlash(ep)+"@"+ev)
		}
		return check(m)
	}
	m, err := fromGoList(ctx, modulePath)
	if err != nil {
		return Module{}, err
	}
	return check(m)
}

// File returns the path of name (slash-separated, relative to the module
// root) inside module modulePath, and the module.
func File(ctx context.Context, modulePath, name string) (string, Module, error) {
	m, err := Find(ctx, modulePath)
	if err != nil {
		return "", Module{}, err
	}
	p := filepath.Join(m.Dir, filepath.FromSlash(name))
	if _, err := os.Stat(p); err != nil {
		return "", Module{}, fmt.Errorf("moddir: %s %s has no %s: %w", m.Path, m.Version, name, err)
	}
	return p, m, nil
}

func fromBuildInfo(modulePath string) (Module, bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Module{}, false
	}
	for _, d := range bi.Deps {
		if d.Path != modulePath {
			continue
		}
		if r := d.Replace; r != nil {
			if r.Version == "" { // a directory replacement
				return Module{Path: modulePath, Dir: r.Path}, true
			}
			return Module{Path: r.Path, Version: r.Version}, true
		}
		return Module{Path: d.Path, Version: d.Version}, true
	}
	return Module{}, false
}

func fromGoList(ctx context.Context, modulePath string) (Module, error) {
	out, err := goCmd(ctx, "list", "-m", "-json", modulePath)
	if err != nil {
		return Module{}, fmt.Errorf("moddir: %s is not in this binary's build information and `go list -m` failed (run inside the targets module, with the go command on PATH): %w", modulePath, err)
	}
	var m struct {
		Path, Version, Dir string
		Replace            *struct{ Path, Version, Dir string }
		Error              *struct{ Err string }
	}
	if err := json.Unmarshal(out, &m); err != nil {
		return Module{}, fmt.Errorf("moddir: go list -m %s: %w", modulePath, err)
	}
	if m.Error != nil {
		return Module{}, fmt.Errorf("moddir: go list -m %s: %s", modulePath, m.Error.Err)
	}
	if r := m.Replace; r != nil {
		return Module{Path: modulePath, Version: r.Version, Dir: r.Dir}, nil
	}
	if m.Dir == "" {
		return Module{}, fmt.Errorf("moddir: %s %s is not in the module cache; run `go mod download %s`", modulePath, m.Version, modulePath)
	}
	return Module{Path: m.Path, Version: m.Version, Dir: m.Dir}, nil
}

// modCache returns GOMODCACHE: from the environment, else from `go env`,
// else the default GOPATH's pkg/mod.
func modCache(ctx context.Context) (string, error) {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c, nil
	}
	if out, err := goCmd(ctx, "env", "GOMODCACHE"); err == nil {
		if c := strings.TrimSpace(string(out)); c != "" {
			return c, nil
		}
	}
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.Join(filepath.SplitList(p)[0], "pkg", "mod"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("moddir: no GOMODCACHE, GOPATH or home directory: %w", err)
	}
	return filepath.Join(home, "go", "pkg", "mod"), nil
}

func goCmd(ctx context.Context, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%w: %s", err, msg)
		}
		return nil, err
	}
	return out, nil
}

func check(m Module) (Module, error) {
	st, err := os.Stat(m.Dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Module{}, fmt.Errorf("moddir: %s %s is not in the module cache (%s); run `go mod download %s`", m.Path, m.Version, m.Dir, m.Path)
	case err != nil:
		return Module{}, fmt.Errorf("moddir: %s: %w", m.Dir, err)
	case !st.IsDir():
		return Module{}, fmt.Errorf("moddir: %s: not a directory", m.Dir)
	}
	return m, nil
}
