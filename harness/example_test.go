package harness_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/leakbench/leakbench/harness"
	"github.com/leakbench/leakbench/harness/target"
)

// cacheOptions are the options of the cache target: a scenario's
// options: {keep: N}.
type cacheOptions struct {
	Keep int `yaml:"keep"` // thumbnails kept, the newest
}

// Validate rejects a negative keep before any child starts.
func (o cacheOptions) Validate() []error {
	if o.Keep < 0 {
		return []error{fmt.Errorf("keep: must not be negative, got %d", o.Keep)}
	}
	return nil
}

// cache makes a thumbnail per request and keeps the last Keep of them, as
// a thumbnail cache would: what it keeps is memory held through its own
// references, reported as the holder "cache".
type cache struct {
	rec  target.Recorder
	keep int

	mu   sync.Mutex
	kept [][]byte
}

func newCache(ctx context.Context, cfg target.Config, opts cacheOptions) (target.Target, error) {
	return &cache{rec: cfg.Recorder, keep: opts.Keep}, nil
}

func (c *cache) Do(ctx context.Context, req target.Request) error {
	start := time.Now()
	thumb := make([]byte, req.Width*req.Width) // one byte per pixel
	c.mu.Lock()
	c.kept = append(c.kept, thumb)
	if len(c.kept) > c.keep {
		c.kept = c.kept[len(c.kept)-c.keep:]
	}
	c.mu.Unlock()
	c.rec.Op(target.Op{Name: "thumbnail", Request: req.ID, Duration: time.Since(start), BytesOut: len(thumb)})
	return nil
}

func (c *cache) Snapshot() target.Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n uint64
	for _, t := range c.kept {
		n += uint64(len(t))
	}
	return target.Snapshot{Held: []target.Held{{Holder: "cache", Bytes: n, Refs: len(c.kept)}}}
}

// printer is a Recorder that prints, as a test of a target might use.
type printer struct{}

func (printer) Op(op target.Op) {
	fmt.Printf("op %s, request %d: %d bytes out\n", op.Name, op.Request, op.BytesOut)
}
func (printer) InstanceCreated(in target.Instance)         {}
func (printer) InstanceClosed(in target.Instance, _ error) {}

// A program registers its targets and hands over to Main, which is the
// whole bench CLI: "go run . run cache.yaml" would then run a scenario
// with target: cache and options: {keep: 2} in a child process and
// measure it. Here the target is driven by hand, as that child drives it.
func Example() {
	h := harness.New()
	harness.Register(h, "cache", newCache)
	// h.Main() // never returns

	ctx := context.Background()
	t, err := newCache(ctx, target.Config{Workers: 1, InFlight: 1, Recorder: printer{}}, cacheOptions{Keep: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, width := range []int{64, 128, 256} {
		t.Do(ctx, target.Request{ID: i + 1, Round: 1, Width: width, Format: "webp"})
	}
	fmt.Printf("%+v\n", t.(target.Snapshotter).Snapshot())
	// Output:
	// op thumbnail, request 1: 4096 bytes out
	// op thumbnail, request 2: 16384 bytes out
	// op thumbnail, request 3: 65536 bytes out
	// {LiveInstances:0 TotalInstances:0 LinearMemory:0 Held:[{Holder:cache Bytes:81920 Refs:2}] OffHeap:0 OffHeapUnreleased:0}
}
