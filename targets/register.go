package targets

import (
	"context"

	"github.com/leakbench/leakbench/harness"
	"github.com/leakbench/leakbench/harness/target"
)

// Register registers every target of this module with h, under its name
// (Names): the decode targets with Options, the encode targets with
// EncodeOptions. In the child each target is built with the harness's
// Config: its cache directory for the decode targets' sources (unless the
// scenario sets cache_dir), its Recorder for the steps of every request
// (decode, rotate, resize, encode-FORMAT), and the workload's sources,
// which it prepares (Prepare) before the baseline is taken.
func Register(h *harness.Harness) {
	for _, c := range catalog {
		f := c.f
		if c.decode {
			harness.Register(h, c.name, func(ctx context.Context, cfg target.Config, o Options) (target.Target, error) {
				return start(ctx, cfg, f, o)
			})
			continue
		}
		harness.Register(h, c.name, func(ctx context.Context, cfg target.Config, o EncodeOptions) (target.Target, error) {
			return start(ctx, cfg, f, Options{Keep: o.Keep})
		})
	}
}

// start builds a target with f and the harness's Config and prepares it.
func start(ctx context.Context, cfg target.Config, f Factory, o Options) (target.Target, error) {
	if o.CacheDir == "" {
		o.CacheDir = cfg.CacheDir
	}
	t, err := f(ctx, o)
	if err != nil {
		return nil, err
	}
	t.rec = cfg.Recorder
	if err := t.Prepare(ctx, cfg.Sources); err != nil {
		return nil, err
	}
	return t, nil
}
