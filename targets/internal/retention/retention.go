// Package retention measures what a target's kept images hold: the Go heap
// live after a garbage collection with N decoded images kept, minus the
// same with none kept, per kept image.
package retention

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"

	"github.com/leakbench/leakbench/targets"
)

// Result is one measurement.
type Result struct {
	Source   string // the file the target decoded
	N        int    // images kept
	LiveNone uint64 // heap live bytes after GC, target with keep 0 after N requests
	LiveKept uint64 // heap live bytes after GC, target with keep N after the same N requests
}

// PerImage returns the heap retained per kept image, in bytes:
// (LiveKept - LiveNone) / N. It may be negative when nothing is retained
// and the heap shrank between the two runs.
func (r Result) PerImage() float64 {
	return (float64(r.LiveKept) - float64(r.LiveNone)) / float64(r.N)
}

// Measure makes the target name twice, with opts.Keep = 0 and then N,
// sends each the same N requests req (their IDs numbered from 1), and reads
// the live heap after a GC while each target is still alive. A warm-up
// request first lets the libraries compile their modules (package-level
// state they keep for good), so neither measurement pays for it.
func Measure(ctx context.Context, name string, opts targets.Options, req targets.Request, n int) (Result, error) {
	if n < 1 {
		return Result{}, fmt.Errorf("retention: n is %d, want at least 1", n)
	}
	f, ok := targets.Factories()[name]
	if !ok {
		return Result{}, fmt.Errorf("retention: unknown target %q", name)
	}
	var source string
	run := func(keep, requests int) (uint64, error) {
		o := opts
		o.Keep = keep
		t, err := f(ctx, o)
		if err != nil {
			return 0, err
		}
		defer t.Close(ctx)
		if source, err = t.SourceFile(ctx, req.Source); err != nil {
			return 0, err
		}
		for i := range requests {
			r := req
			r.ID = i + 1
			if err := t.Do(ctx, r); err != nil {
				return 0, err
			}
		}
		if got := t.Kept(); got != min(keep, requests) {
			return 0, fmt.Errorf("retention: %s keeps %d images, want %d", name, got, min(keep, requests))
		}
		live := LiveHeap()
		runtime.KeepAlive(t)
		return live, nil
	}
	if _, err := run(0, 1); err != nil { // also makes the source
		return Result{}, err
	}
	none, err := run(0, n)
	if err != nil {
		return Result{}, err
	}
	kept, err := run(n, n)
	if err != nil {
		return Result{}, err
	}
	return Result{Source: source, N: n, LiveNone: none, LiveKept: kept}, nil
}

// LiveHeap runs two garbage collections (the second frees what the first
// found unreachable but could not free yet, e.g. finalizers' objects) and
// returns /gc/heap/live:bytes, the heap memory of objects the last GC
// marked live.
func LiveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
