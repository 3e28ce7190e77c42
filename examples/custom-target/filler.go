package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/leakbench/leakbench/harness/target"
)

// The bounds of the filler's options.
const (
	defaultMiB = 16
	maxMiB     = 256 // the module's maximum memory
	maxKeep    = 1000
	pageSize   = 64 << 10
)

// options are the filler's settings, a scenario's options: mapping.
type options struct {
	// MiB is the linear memory each request's instance fills, in MiB
	// (1 to 256); 0 means 16.
	MiB int `yaml:"mib"`
	// Keep is how many instances the filler keeps alive after their
	// request, the newest ones, as a pool of warm instances would; the
	// others are closed as soon as they fall out. 0 closes every
	// instance right after its request.
	Keep int `yaml:"keep"`
}

// Validate checks the ranges; the harness reports its error at the
// scenario's options before any run starts.
func (o options) Validate() []error {
	var errs []error
	if o.MiB < 0 || o.MiB > maxMiB {
		errs = append(errs, fmt.Errorf("mib: must be between 1 and %d, got %d", maxMiB, o.MiB))
	}
	if o.Keep < 0 || o.Keep > maxKeep {
		errs = append(errs, fmt.Errorf("keep: must be between 0 and %d, got %d", maxKeep, o.Keep))
	}
	return errs
}

// filler is the example target. Every request instantiates the module,
// fills MiB of fresh linear memory, and keeps the newest Keep instances:
// a known schedule, so that what the filler reports (linear memory of its
// live instances) is what its RSS should do. After the load it holds
// min(Keep, requests) × MiB; nothing changes in the idle phase or the
// settle step; Close frees it all.
type filler struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	rec      target.Recorder
	pages    uint64
	keep     int

	mu   sync.Mutex
	kept []instance // the newest last

	nextID atomic.Int64
	live   atomic.Int64
	total  atomic.Int64
	linear atomic.Int64 // bytes of the live instances' memory
}

// instance is one instantiation of the module.
type instance struct {
	id  int
	mod api.Module
}

// newFiller compiles the module once; instances come per request.
func newFiller(ctx context.Context, cfg target.Config, o options) (target.Target, error) {
	if o.MiB == 0 {
		o.MiB = defaultMiB
	}
	rt := wazero.NewRuntime(ctx)
	compiled, err := rt.CompileModule(ctx, fillerWasm)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("filler: compiling the module: %w", err)
	}
	return &filler{
		rt:       rt,
		compiled: compiled,
		rec:      cfg.Recorder,
		pages:    uint64(o.MiB) << 20 / pageSize,
		keep:     o.Keep,
	}, nil
}

// Do instantiates the module, fills the memory, and keeps the instance
// or closes the oldest kept one.
func (f *filler) Do(ctx context.Context, req target.Request) error {
	mctx := experimental.WithMemoryAllocator(ctx, mmapAllocator{})
	mod, err := f.rt.InstantiateModule(mctx, f.compiled, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return fmt.Errorf("request %d: instantiating: %w", req.ID, err)
	}
	in := instance{id: int(f.nextID.Add(1)), mod: mod}
	f.live.Add(1)
	f.total.Add(1)
	f.rec.InstanceCreated(target.Instance{ID: in.id, Name: "filler"})

	start := time.Now()
	res, err := mod.ExportedFunction("fill").Call(ctx, f.pages)
	if err == nil && int32(res[0]) == -1 {
		err = errors.New("memory.grow failed")
	}
	size := uint64(mod.Memory().Size())
	f.linear.Add(int64(size))
	f.rec.Op(target.Op{Name: "fill", Request: req.ID, Instance: in.id, Duration: time.Since(start), BytesOut: int(size), Memory: size, Err: err})
	if err != nil {
		f.close(ctx, in)
		return fmt.Errorf("request %d: fill: %w", req.ID, err)
	}

	f.mu.Lock()
	f.kept = append(f.kept, in)
	var drop []instance
	if n := len(f.kept) - f.keep; n > 0 {
		drop = append(drop, f.kept[:n]...)
		f.kept = append(f.kept[:0], f.kept[n:]...)
	}
	f.mu.Unlock()
	for _, d := range drop {
		f.close(ctx, d)
	}
	return nil
}

// close closes an instance (its memory is unmapped) and reports it.
func (f *filler) close(ctx context.Context, in instance) {
	size := uint64(in.mod.Memory().Size())
	err := in.mod.Close(context.WithoutCancel(ctx))
	f.linear.Add(-int64(size))
	f.live.Add(-1)
	f.rec.InstanceClosed(target.Instance{ID: in.id, Name: "filler", Memory: size}, err)
}

// Snapshot reports the live instances and their linear memory.
func (f *filler) Snapshot() target.Snapshot {
	return target.Snapshot{
		LiveInstances:  int(f.live.Load()),
		TotalInstances: int(f.total.Load()),
		LinearMemory:   uint64(max(f.linear.Load(), 0)),
	}
}

// Close closes the kept instances and the runtime.
func (f *filler) Close(ctx context.Context) error {
	f.mu.Lock()
	kept := f.kept
	f.kept = nil
	f.mu.Unlock()
	for _, in := range kept {
		f.close(ctx, in)
	}
	return f.rt.Close(ctx)
}
