// Package builtin is leakbench's own image optimizer (package engine over
// the wasm codecs of package codecs) as a target like any other: bench
// registers it under the name "builtin" through the public package
// harness, and it gets from the harness only what every target gets, a
// target.Config and its Options, and gives back only what every target
// can: request errors, Snapshots and events through the Recorder.
//
// Its Options are the scenario keys of the builtin target (preset,
// topology, lifetime, views, listeners, the settings from the field
// recycle_after, pool_size, memory_limit, allocator, reused, results,
// cache, malloc, codecs and interrupts, then op_timeout and idle_gc; see
// Fields), one typed config decoded and validated by its Factory
// (options.go). Its Snapshot reports the engine's holders (views,
// listeners, pool and cache: engine.HolderViews, ...), and the memory
// outside the Go heap as OffHeap.
package builtin

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/casestudy/idlegc"
	"github.com/leakbench/leakbench/internal/memprofile"
)

// Name is the builtin target's name in scenario files (target: builtin),
// the default target.
const Name = "builtin"

// optimizer is the builtin target: the engine, which compiles the codecs
// it runs once.
type optimizer struct {
	eng     *engine.Engine
	rec     target.Recorder
	results engine.Results // how results leave an instance, which says what the cache holds

	book *memprofile.Book // the engine's instances and their holders
}

// reducing is the builtin target under idle_gc: v8: its idle phase
// (target.Idler) runs V8's memory reducer (idlegc.RunV8), each of its
// collections reported as an idle collection. Under idle_gc: go the
// target is no Idler, and its idle phase is the process left alone, as
// for any target.
type reducing struct{ *optimizer }

// Idle runs V8's memory reducer for d.
func (r reducing) Idle(ctx context.Context, d time.Duration) error {
	return idlegc.RunV8(ctx, d, func(g idlegc.GC) {
		target.ReportGC(r.rec, target.GC{N: g.N, Start: g.Start, Duration: g.Duration, Memory: uint64(max(g.Freed, 0)), Idle: true})
	})
}

// LinearMemories lists the engine's linear memories and their holders,
// for the linear memory profile: it makes the target a target.LinearMemories.
func (o *optimizer) LinearMemories() []target.LinearMemory { return o.book.LinearMemories() }

// New starts the engine with opts' strategy, the codecs it runs compiled
// once (cached in cfg.CacheDir; under codecs: squoosh only the squoosh
// modules), and cfg.Workers workers (used by the per-worker topology). The target it returns is a Snapshotter and a Closer, and under
// idle_gc: v8 an Idler (reducing).
func New(ctx context.Context, cfg target.Config, opts Options) (target.Target, error) {
	if cfg.Recorder == nil {
		return nil, errors.New("builtin: no Recorder in the Config")
	}
	o := &optimizer{rec: cfg.Recorder, results: opts.Results, book: memprofile.NewBook()}
	var err error
	o.eng, err = engine.New(ctx, nil, engine.Config{
		Strategy:  opts.Strategy,
		Workers:   max(cfg.Workers, 1),
		OpTimeout: opts.OpTimeout,
		Events:    o.event,
		Memories:  o.book,
		Library:   libraryOptions(cfg, opts),
	})
	if err != nil {
		return nil, fmt.Errorf("starting the engine: %w", err)
	}
	if opts.IdleGC == idlegc.V8 {
		return reducing{o}, nil
	}
	return o, nil
}

// Do reads the request's source and runs it through the engine.
func (o *optimizer) Do(ctx context.Context, req target.Request) error {
	src, err := req.Data()
	if err != nil {
		return err
	}
	format, err := codecs.ParseFormat(req.Format)
	if err != nil {
		return fmt.Errorf("request %d: %w", req.ID, err)
	}
	_, err = o.eng.Do(ctx, engine.Request{
		ID:      req.ID,
		Source:  src,
		Rotate:  req.Rotate,
		Width:   req.Width,
		Format:  format,
		Quality: req.Quality,
	})
	return err
}

// Snapshot is the engine's accounting in the harness's terms, every byte
// counted once:
//   - LiveInstances and LinearMemory are the instances in use or ready
//     for reuse (idle in a pool included): the engine's live instances
//     less those a sync.Pool dropped, which are no longer the engine's to
//     use and are reported under engine.HolderPool instead;
//   - Held: the leaked glue views and listeners of closed instances, the
//     dropped instances (engine.HolderPool) and the response cache (engine.HolderCache);
//   - OffHeap is the linear memory allocator mmap or v8 has committed
//     (live and dropped instances, and under v8 closed ones not yet
//     released), outside the Go heap; OffHeapUnreleased is v8's closed
//     but unreleased part of it. It is not a holder: that
//     memory is already counted in LinearMemory or under engine.HolderPool, so it
//     stays out of Held and so out of Snapshot.Leaked, and the results
//     record it in a column of its own (off_heap).
//
// One overlap is not resolved: under results aliased with leaked views
// or listeners, an instance both a cached entry and a view keep is
// counted under both (the engine's snapshot does not say which
// instances they share), so held is then an upper bound.
func (o *optimizer) Snapshot() target.Snapshot { return harnessSnapshot(o.eng.Snapshot(), o.results) }

// harnessSnapshot is Snapshot's mapping of the engine's figures, for an
// engine whose results leave its instances as r says.
func harnessSnapshot(s engine.Snapshot, r engine.Results) target.Snapshot {
	cache := s.CacheBytes
	if r == engine.ResultsAliased {
		cache = s.CachePinned
	}
	return target.Snapshot{
		LiveInstances:  s.LiveInstances - s.DroppedInstances,
		TotalInstances: s.TotalInstances,
		LinearMemory:   s.LinearMemory - min(s.DroppedMemory, s.LinearMemory),
		Held: []target.Held{
			{Holder: engine.HolderViews, Bytes: s.LeakedViews},
			{Holder: engine.HolderListeners, Bytes: s.Listeners, Refs: s.ListenerCount},
			{Holder: engine.HolderPool, Bytes: s.DroppedMemory, Refs: s.DroppedInstances},
			{Holder: engine.HolderCache, Bytes: cache, Refs: s.CacheEntries},
		},
		OffHeap:           s.MappedMemory,
		OffHeapUnreleased: s.UnreleasedMemory,
	}
}

// Close closes the engine, and with it the codecs.
func (o *optimizer) Close(ctx context.Context) error { return o.eng.Close(ctx) }

// libraryOptions are the codecs' settings under cfg and opts: the default
// limits, wazero's compilation cache under cfg.CacheDir, and calls that
// return to Go at every loop header only where something must stop them
// (interrupts: loops, or an op_timeout to enforce).
func libraryOptions(cfg target.Config, opts Options) codecs.Options {
	var cache string
	if cfg.CacheDir != "" {
		cache = filepath.Join(cfg.CacheDir, "wazero")
	}
	return codecs.Options{
		Limits:          codecs.DefaultLimits(),
		CacheDir:        cache,
		Uninterruptible: opts.OpTimeout == 0 && opts.Interrupts == engine.InterruptsNone,
	}
}

// event forwards an engine event to the Recorder. An InstanceDropped
// event has no counterpart there (target.Recorder reports instances
// created and closed only), so it is not forwarded: the dropped
// instances are in every Snapshot instead, under engine.HolderPool with their
// count as Refs, and each one's InstanceClosed follows at the engine's
// Close.
func (o *optimizer) event(e engine.Event) {
	in := target.Instance{ID: e.Instance, Name: e.Op.String(), Worker: e.Worker, Memory: e.Memory, Time: e.Time}
	switch e.Kind {
	case engine.InstanceCreated:
		o.rec.InstanceCreated(in)
	case engine.InstanceClosed:
		o.rec.InstanceClosed(in, e.Err)
	case engine.ExternalGC:
		target.ReportGC(o.rec, target.GC{N: e.GC, Start: e.Time, Duration: e.Duration, Memory: e.Memory})
	case engine.OpStarted:
		target.StartOp(o.rec, target.Op{Name: e.Op.String(), Request: e.Request, Worker: e.Worker, Instance: e.Instance, Memory: e.Memory})
	case engine.OpDone:
		o.rec.Op(target.Op{
			Name:     e.Op.String(),
			Request:  e.Request,
			Worker:   e.Worker,
			Instance: e.Instance,
			End:      e.Time,
			Duration: e.Duration,
			BytesIn:  e.BytesIn,
			BytesOut: e.BytesOut,
			Memory:   e.Memory,
			Err:      e.Err,
		})
	}
}
