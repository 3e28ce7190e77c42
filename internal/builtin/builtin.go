// Package builtin is leakbench's own image optimizer (package engine over
// the wasm codecs of package codecs) as a target like any other: bench
// registers it under the name "builtin" through the public package
// harness, and it gets from the harness only what every target gets, a
// target.Config and its Options, and gives back only what every target
// can: request errors, Snapshots and events through the Recorder.
//
// Its Options are the scenario keys of the builtin target (topology,
// lifetime, views, listeners, op_timeout; a preset is resolved to the four
// switches by the scenario before it gets here).
package builtin

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/leakbench/leakbench/internal/codecs"
	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/target"
)

// Name is the builtin target's name in scenario files (target: builtin),
// the default target.
const Name = "builtin"

// Options are the builtin target's settings: the engine's four switches
// and the per-operation deadline.
type Options struct {
	engine.Strategy `yaml:",inline"`
	// OpTimeout is the deadline of each codec call; 0 means none. Setting
	// it makes wasm calls interruptible (wazero's WithCloseOnContextDone),
	// which makes every codec 4-35x slower under wazero 1.12; without it a
	// runaway call is still bounded by the run's wall-clock limit.
	OpTimeout time.Duration `yaml:"op_timeout"`
}

// Validate checks the switches and the deadline.
func (o Options) Validate() error {
	if o.OpTimeout < 0 {
		return fmt.Errorf("op_timeout: must not be negative, got %s", o.OpTimeout)
	}
	for _, sw := range []interface{ MarshalText() ([]byte, error) }{o.Topology, o.Lifetime, o.Views, o.Listeners} {
		if _, err := sw.MarshalText(); err != nil {
			return err
		}
	}
	return nil
}

// optimizer is the builtin target: the codecs compiled once and the engine
// running them.
type optimizer struct {
	lib *codecs.Library
	eng *engine.Engine
	rec target.Recorder
}

// New compiles the codecs (cached in cfg.CacheDir) and starts the engine
// with opts' strategy and cfg.Workers workers (used by the per-worker
// topology). The target it returns is a Snapshotter and a Closer.
func New(ctx context.Context, cfg target.Config, opts Options) (target.Target, error) {
	if cfg.Recorder == nil {
		return nil, errors.New("builtin: no Recorder in the Config")
	}
	var cache string
	if cfg.CacheDir != "" {
		cache = filepath.Join(cfg.CacheDir, "wazero")
	}
	lib, err := codecs.New(ctx, codecs.Options{
		Limits:          codecs.DefaultLimits(),
		CacheDir:        cache,
		Uninterruptible: opts.OpTimeout == 0,
	})
	if err != nil {
		return nil, fmt.Errorf("compiling the codecs: %w", err)
	}
	o := &optimizer{lib: lib, rec: cfg.Recorder}
	o.eng, err = engine.New(ctx, lib, engine.Config{
		Strategy:  opts.Strategy,
		Workers:   max(cfg.Workers, 1),
		OpTimeout: opts.OpTimeout,
		Events:    o.event,
	})
	if err != nil {
		lib.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("starting the engine: %w", err)
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

// Snapshot is the engine's accounting: instances, their linear memory and
// what the leaked glue views and listeners hold.
func (o *optimizer) Snapshot() target.Snapshot {
	s := o.eng.Snapshot()
	return target.Snapshot{
		LiveInstances:  s.LiveInstances,
		TotalInstances: s.TotalInstances,
		LinearMemory:   s.LinearMemory,
		Held: []target.Held{
			{Holder: target.HolderViews, Bytes: s.LeakedViews},
			{Holder: target.HolderListeners, Bytes: s.Listeners, Refs: s.ListenerCount},
		},
	}
}

// Close closes the engine, then the codecs.
func (o *optimizer) Close(ctx context.Context) error {
	return errors.Join(o.eng.Close(ctx), o.lib.Close(ctx))
}

// event forwards an engine event to the Recorder.
func (o *optimizer) event(e engine.Event) {
	in := target.Instance{ID: e.Instance, Name: e.Op.String(), Worker: e.Worker, Memory: e.Memory, Time: e.Time}
	switch e.Kind {
	case engine.InstanceCreated:
		o.rec.InstanceCreated(in)
	case engine.InstanceClosed:
		o.rec.InstanceClosed(in, e.Err)
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
