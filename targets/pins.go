package targets

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sync"

	"github.com/leakbench/leakbench/targets/internal/memprobe"
)

// replay is one library's decode replayed by memprobe.
type replay func(p *memprobe.Prober, ctx context.Context, data []byte) (memprobe.Result, error)

// pinning accounts for what a kept image of a library's decoder keeps
// reachable: its pixels are a view of the decoder instance's linear
// memory, so it keeps the whole Go array behind that memory, which the
// image does not show (the view's capacity is clipped to the view). The
// array's size is read from a replay of the same decode (memprobe), whose
// memory grows exactly as the library's instance's did, once per source
// file: the same file always decodes into the same memory.
type pinning struct {
	replay replay

	mu     sync.Mutex
	byFile map[string]memprobe.Result // Out dropped
}

// measure replays the decode of every file not yet measured, with one
// Prober (one compilation of the library's module), closed after.
func (p *pinning) measure(ctx context.Context, files []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byFile == nil {
		p.byFile = map[string]memprobe.Result{}
	}
	var todo []string
	for _, f := range files {
		if _, ok := p.byFile[f]; !ok {
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	pr := memprobe.New(ctx)
	defer pr.Close(ctx)
	for _, f := range todo {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		res, err := p.replay(pr, ctx, data)
		if err != nil {
			return fmt.Errorf("measuring the decoder's memory for %s: %w", filepath.Base(f), err)
		}
		res.Out = nil
		p.byFile[f] = res
	}
	return nil
}

// result returns the replay of file's decode, measuring it first if need
// be.
func (p *pinning) result(ctx context.Context, file string) (memprobe.Result, error) {
	p.mu.Lock()
	res, ok := p.byFile[file]
	p.mu.Unlock()
	if ok {
		return res, nil
	}
	if err := p.measure(ctx, []string{file}); err != nil {
		return memprobe.Result{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byFile[file], nil
}

// pins is a flow.Flow's Pins: the backing array a decoded image of file
// keeps reachable.
func (p *pinning) pins(ctx context.Context, file string, _ image.Image) (uint64, error) {
	res, err := p.result(ctx, file)
	return res.BufferCap, err
}

// has reports whether file was measured.
func (p *pinning) has(file string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.byFile[file]
	return ok
}
