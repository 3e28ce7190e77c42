package engine

import (
	"encoding"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/leakbench/leakbench/internal/casestudy/backingstore"
	"github.com/leakbench/leakbench/internal/casestudy/codecs"
	"github.com/leakbench/leakbench/internal/enum"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// Topology says how requests meet workers: the first published cause.
type Topology uint8

// The topologies.
const (
	// PerWorker runs each whole request (decode, rotate, resize, encode) in
	// whichever of Config.Workers workers is idle, and every worker
	// instantiates each codec it meets: up to Workers×6 instances.
	PerWorker Topology = iota
	// Pipeline has one worker per operation type and routes each step of
	// a request to its operation's worker: at most 6 instances.
	Pipeline
)

// Lifetime says how long an instance lives: the second published cause.
type Lifetime uint8

// The lifetimes.
const (
	// Reuse creates an instance once per codec and worker and keeps it
	// forever, so its linear memory stays at its high-water mark.
	Reuse Lifetime = iota
	// Fresh creates a new instance for every operation and closes it right
	// after.
	Fresh
	// Pool keeps one sync.Pool per codec and worker: an instance goes back
	// into its pool after each operation and is taken out for the next.
	// What the pool drops at a GC is never closed, so it stays linked in
	// wazero's store, with its whole linear memory, until the runtime
	// closes (the engine then runs a runtime of its own, closed by Close).
	Pool
	// Recycle reuses an instance for Strategy.RecycleAfter operations,
	// then closes it and creates a new one, which bounds its memory by the
	// high-water mark of that many operations.
	Recycle
)

// Allocator says what backs an instance's linear memory.
type Allocator uint8

// The allocators.
const (
	// AllocatorGo keeps linear memory in an ordinary Go []byte (wazero's
	// default): Go heap, freed by the GC once nothing references it.
	AllocatorGo Allocator = iota
	// AllocatorMmap backs linear memory with an anonymous mapping outside
	// the Go heap (wazero's experimental.WithMemoryAllocator), reserved at
	// the instance's maximum, committed as it grows and unmapped at Close
	// whatever still points at it. Linux only.
	AllocatorMmap
	// AllocatorV8 backs linear memory with a model of V8's wasm backing
	// store in Node 14 (package backingstore): reserved up front, committed
	// in place as it grows, outside the Go heap; Close only marks it
	// closed, and its pages go back to the OS when the collector finds
	// its owner unreachable; external-memory pressure starts collections.
	// Linux only.
	AllocatorV8
)

// Results says how the results of operations (decoded pixels, encoded
// bytes) leave an instance.
type Results uint8

// The result policies.
const (
	// ResultsCopied copies every result out of linear memory: a result
	// owns its bytes.
	ResultsCopied Results = iota
	// ResultsAliased hands out slices of the instance's linear memory, as
	// a decoder returning api.Memory.Read's slice does: a result keeps its
	// instance's whole linear memory alive for as long as it is
	// referenced, by the caller or the response cache, Close or not.
	ResultsAliased
)

// Views says what wasm-bindgen-style glue does with its module-level
// references after an operation: the third published cause.
type Views uint8

// The view policies.
const (
	// ViewsLeaked keeps the glue's references to the last instance and to
	// a view of its whole memory until the worker next instantiates that
	// codec: one dead instance per bindgen module per worker.
	ViewsLeaked Views = iota
	// ViewsCleared drops them after every operation (the published
	// cleanup()).
	ViewsCleared
)

// Listeners says whether emscripten-style glue registers a process-global
// listener capturing the instance at every instantiation: the fourth
// published cause.
type Listeners uint8

// The listener policies.
const (
	// ListenersLeaked registers a listener per instantiation and never
	// removes it: with Fresh, every instance ever created stays reachable.
	ListenersLeaked Listeners = iota
	// ListenersRemoved registers nothing.
	ListenersRemoved
)

// The switches' names, as scenario files and results spell them.
var (
	topologies    = enum.New[Topology]("topology", "per-worker", "pipeline")
	lifetimes     = enum.New[Lifetime]("lifetime", "reuse", "fresh", "pool", "recycle")
	viewPolicies  = enum.New[Views]("views", "leaked", "cleared")
	listenerKinds = enum.New[Listeners]("listeners", "leaked", "removed")
	allocators    = enum.New[Allocator]("allocator", "go", "mmap", "v8")
	resultKinds   = enum.New[Results]("results", "copied", "aliased")
)

// String returns "per-worker" or "pipeline".
func (t Topology) String() string { return topologies.String(t) }

// String returns "reuse", "fresh", "pool" or "recycle".
func (l Lifetime) String() string { return lifetimes.String(l) }

// String returns "leaked" or "cleared".
func (v Views) String() string { return viewPolicies.String(v) }

// String returns "leaked" or "removed".
func (l Listeners) String() string { return listenerKinds.String(l) }

// String returns "go", "mmap" or "v8".
func (a Allocator) String() string { return allocators.String(a) }

// String returns "copied" or "aliased".
func (r Results) String() string { return resultKinds.String(r) }

// ParseAllocator returns the Allocator named s: "go", "mmap" or "v8".
func ParseAllocator(s string) (Allocator, error) { return allocators.Parse(s) }

// Supported reports whether this platform has the allocator: mmap and v8
// exist on Linux only, and Strategy.Validate refuses them elsewhere.
func (a Allocator) Supported() bool {
	switch a {
	case AllocatorMmap:
		return mmapSupported
	case AllocatorV8:
		return backingstore.Supported
	}
	return true
}

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (t Topology) MarshalText() ([]byte, error) { return topologies.Marshal(t) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (l Lifetime) MarshalText() ([]byte, error) { return lifetimes.Marshal(l) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (v Views) MarshalText() ([]byte, error) { return viewPolicies.Marshal(v) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (l Listeners) MarshalText() ([]byte, error) { return listenerKinds.Marshal(l) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (a Allocator) MarshalText() ([]byte, error) { return allocators.Marshal(a) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (r Results) MarshalText() ([]byte, error) { return resultKinds.Marshal(r) }

// UnmarshalText implements encoding.TextUnmarshaler: an unknown name is
// an error listing the allowed values.
func (a *Allocator) UnmarshalText(b []byte) error { return allocators.Unmarshal(b, a) }

// UnmarshalText implements encoding.TextUnmarshaler: an unknown name is
// an error listing the allowed values.
func (r *Results) UnmarshalText(b []byte) error { return resultKinds.Unmarshal(b, r) }

// UnmarshalText implements encoding.TextUnmarshaler: an unknown name is
// an error listing the allowed values.
func (t *Topology) UnmarshalText(b []byte) error { return topologies.Unmarshal(b, t) }

// UnmarshalText implements encoding.TextUnmarshaler: an unknown name is
// an error listing the allowed values.
func (l *Lifetime) UnmarshalText(b []byte) error { return lifetimes.Unmarshal(b, l) }

// UnmarshalText implements encoding.TextUnmarshaler: an unknown name is
// an error listing the allowed values.
func (v *Views) UnmarshalText(b []byte) error { return viewPolicies.Unmarshal(b, v) }

// UnmarshalText implements encoding.TextUnmarshaler: an unknown name is
// an error listing the allowed values.
func (l *Listeners) UnmarshalText(b []byte) error { return listenerKinds.Unmarshal(b, l) }

// Strategy is one setting of the engine's switches: the four published
// leak causes (Topology, Lifetime's reuse and fresh, Views, Listeners) and
// the patterns from the field (Lifetime's pool and recycle, RecycleAfter,
// PoolSize, MemoryLimit, Allocator, Results, Cache), whose zero values
// leave the published behaviour unchanged, and how the modules allocate
// (Malloc). The zero Strategy is the leakiest published one on wasi-libc's
// malloc: per-worker, reuse, views and listeners leaked (the "before"
// preset, which also sets Malloc original). Validate says which
// combinations are refused.
//
// The fields map one to one onto scenario keys: topology, lifetime, views,
// listeners, recycle_after, pool_size, memory_limit (bytes), allocator,
// reused, results, cache, malloc, codecs, interrupts.
type Strategy struct {
	Topology  Topology  `json:"topology" yaml:"topology"`
	Lifetime  Lifetime  `json:"lifetime" yaml:"lifetime"`
	Views     Views     `json:"views" yaml:"views"`
	Listeners Listeners `json:"listeners" yaml:"listeners"`
	// RecycleAfter is lifetime recycle's N: the operations an instance runs
	// before it is closed and replaced (>= 1). Only for lifetime recycle.
	RecycleAfter int `json:"recycle_after,omitempty" yaml:"recycle_after,omitempty"`
	// PoolSize K, if not 0, bounds the instances of each codec to K for
	// the whole engine, shared by its workers: a worker that needs one
	// while K are busy waits for one to come back. Without it, reuse and
	// recycle keep one instance per codec per worker. Only for lifetimes
	// reuse and recycle under the per-worker topology.
	PoolSize int `json:"pool_size,omitempty" yaml:"pool_size,omitempty"`
	// MemoryLimit, if not 0, caps each instance's linear memory, in bytes
	// (codecs.Limits.MaxMemoryBytes, rounded down to 64 KiB pages): an
	// operation that needs more fails with an error naming the codec, the
	// limit and what it needed; its instance is discarded. The engine then
	// runs a runtime of its own, configured with that cap.
	MemoryLimit metric.Size `json:"memory_limit,omitempty" yaml:"memory_limit,omitempty"`
	// Allocator backs linear memory: go (the default), mmap or v8 (both
	// Linux only).
	Allocator Allocator `json:"allocator,omitempty" yaml:"allocator,omitempty"`
	// Reused says which codecs a lifetime that keeps instances keeps: all
	// (the default) or bindgen (only the wasm-bindgen-style ones; rotate
	// and the emscripten-style ones are fresh per operation, as
	// next@10.1.0 had them). See Reused.
	Reused Reused `json:"reused,omitempty" yaml:"reused,omitempty"`
	// Results says whether results are copied out of linear memory (the
	// default) or aliased to it.
	Results Results `json:"results,omitempty" yaml:"results,omitempty"`
	// Cache, if not 0, keeps a response cache of the last Cache outputs
	// and the last Cache decoded sources (LRU each), as an image server
	// does; a request whose output is cached is answered from it, one
	// whose source is cached skips its decode.
	Cache int `json:"cache,omitempty" yaml:"cache,omitempty"`
	// Malloc says how the codec modules allocate inside linear memory:
	// libc (the default: wasi-libc's malloc, which reuses what was freed)
	// or original (each module as the original codec it stands for; a
	// reused resize instance then grows at every operation as
	// squoosh_resize did under wee_alloc). See codecs.Malloc.
	Malloc codecs.Malloc `json:"malloc,omitempty" yaml:"malloc,omitempty"`
	// Codecs is the codec set: embedded (the default: leakbench's own C
	// modules) or squoosh (next@10.1.0's own modules from the npm
	// install; see squooshSet). The switches apply to both alike.
	Codecs Codecs `json:"codecs,omitempty" yaml:"codecs,omitempty"`
	// Interrupts says where a running wasm call can be stopped for the
	// collector: none (the default) or loops (at every loop header, as
	// V8 does). See Interrupts.
	Interrupts Interrupts `json:"interrupts,omitempty" yaml:"interrupts,omitempty"`
}

// Switches returns s as a run's summary records it (results.Strategy):
// the four switches, then the settings from the field that are not at
// their defaults, each with the text the strategy's description shows
// ("per-worker×15" with workers > 0, "views leaked", "recycle after
// 512", "squoosh codecs"; see results.Strategy.String).
func (s Strategy) Switches(workers int) []results.Switch {
	topology := s.Topology.String()
	if s.Topology == PerWorker && workers > 0 {
		topology = fmt.Sprintf("per-worker×%d", workers)
	}
	out := []results.Switch{
		{Name: "topology", Value: s.Topology.String(), Text: topology},
		{Name: "lifetime", Value: s.Lifetime.String(), Text: s.Lifetime.String()},
		{Name: "views", Value: s.Views.String()},
		{Name: "listeners", Value: s.Listeners.String()},
	}
	set := func(on bool, name string, value any, text string) {
		if on {
			out = append(out, results.Switch{Name: name, Value: fmt.Sprint(value), Text: text})
		}
	}
	set(s.RecycleAfter != 0, "recycle_after", s.RecycleAfter, fmt.Sprintf("recycle after %d", s.RecycleAfter))
	set(s.PoolSize != 0, "pool_size", s.PoolSize, fmt.Sprintf("pool of %d", s.PoolSize))
	set(s.MemoryLimit != 0, "memory_limit", s.MemoryLimit, "memory limit "+s.MemoryLimit.String())
	set(s.Allocator != AllocatorGo, "allocator", s.Allocator, s.Allocator.String())
	set(s.Results != ResultsCopied, "results", s.Results, "")
	set(s.Cache != 0, "cache", s.Cache, "")
	set(s.Reused != ReusedAll, "reused", s.Reused, "")
	set(s.Malloc != codecs.MallocLibc, "malloc", s.Malloc, "")
	set(s.Codecs != CodecsEmbedded, "codecs", s.Codecs, s.Codecs.String()+" codecs")
	set(s.Interrupts != InterruptsNone, "interrupts", s.Interrupts, "interrupts at "+s.Interrupts.String())
	return out
}

// String returns s's switches as scenario keys and values,
// "topology=per-worker lifetime=reuse views=leaked listeners=leaked",
// followed by the settings from the field that are not at their
// defaults, such as " recycle_after=512 memory_limit=384MiB".
func (s Strategy) String() string {
	sws := s.Switches(0)
	parts := make([]string, len(sws))
	for i, sw := range sws {
		parts[i] = sw.Name + "=" + sw.Value
	}
	return strings.Join(parts, " ")
}

// Validate reports every problem of s, joined: a switch holding an
// undefined value, a setting out of range, and each refused combination,
// whose error names both settings (as scenario keys) and why. New calls
// it; the scenario layer calls it at load.
//
// Refused combinations:
//   - recycle_after without lifetime recycle, lifetime recycle without
//     recycle_after >= 1;
//   - pool_size with lifetime fresh (nothing is kept) or pool (each
//     sync.Pool serves one worker, which holds at most one instance of a
//     codec: there is nothing to bound; what grows is what the pool
//     dropped), and with topology pipeline (one worker per codec: never
//     more than one instance to bound);
//   - results aliased with a lifetime other than fresh (an aliased result
//     stays allocated in the guest, so an instance that runs on would pile
//     them up in its own heap) and with allocator mmap (the memory an
//     aliased result points into is unmapped at Close: a later read, of a
//     cached entry or a response, would fault);
//   - allocator mmap or v8 anywhere but Linux;
//   - codecs squoosh with malloc original (which chooses among the
//     embedded modules; the squoosh modules allocate as they were built,
//     the originals' own allocators) and with results aliased (their glue
//     copies every result out of linear memory).
//
// Allocator v8 accepts every combination allocator go does, leaked views
// and results aliased included: it unmaps nothing that is still
// reachable.
//
// Leaked views and listeners are allowed with allocator mmap: the engine
// never reads through a view, and drops the views of an mmap instance
// when it closes (see Snapshot.DeadViews).
func (s Strategy) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("engine: "+format, args...)) }
	for _, v := range []encoding.TextMarshaler{s.Topology, s.Lifetime, s.Views, s.Listeners, s.Allocator, s.Results, s.Interrupts, s.Reused, s.Codecs} {
		if _, err := v.MarshalText(); err != nil { // a value without a name
			errs = append(errs, fmt.Errorf("engine: %w", err))
		}
	}
	if s.Codecs == CodecsSquoosh {
		if s.Malloc != codecs.MallocLibc {
			bad("malloc: %s with codecs: squoosh: malloc chooses among the embedded modules; the squoosh modules are the originals and allocate as they were built (use malloc: libc, the default)", s.Malloc)
		}
		if s.Results == ResultsAliased {
			bad("results: aliased with codecs: squoosh: the squoosh modules' glue copies every result out of linear memory (wasm-bindgen's getArrayU8FromWasm0(...).slice(), embind's Uint8Array), so no result aliases it; use results: copied")
		}
	}
	if s.Reused == ReusedBindgen && s.PoolSize != 0 {
		bad("reused: bindgen with pool_size: %d: the bounded set shares its instances between workers, each codec's or none; use reused: all with pool_size", s.PoolSize)
	}
	switch {
	case s.RecycleAfter < 0:
		bad("recycle_after: %d is negative; want >= 1 with lifetime: recycle", s.RecycleAfter)
	case s.Lifetime == Recycle && s.RecycleAfter == 0:
		bad("lifetime: recycle needs recycle_after: N >= 1, the operations an instance runs before it is replaced")
	case s.Lifetime != Recycle && s.RecycleAfter != 0:
		bad("recycle_after: %d with lifetime: %s: only lifetime recycle replaces an instance after N operations", s.RecycleAfter, s.Lifetime)
	}
	switch {
	case s.PoolSize < 0:
		bad("pool_size: %d is negative; want >= 1, or 0 for no bound", s.PoolSize)
	case s.PoolSize == 0:
	case s.Lifetime == Fresh:
		bad("pool_size: %d with lifetime: fresh: fresh closes every instance after its one operation, so there is no set of instances to bound", s.PoolSize)
	case s.Lifetime == Pool:
		bad("pool_size: %d with lifetime: pool: each sync.Pool serves one worker, which holds at most one instance of a codec at a time, so there is nothing to bound; the instances that pile up are the ones the pool dropped, which only the runtime holds", s.PoolSize)
	case s.Topology == Pipeline:
		bad("pool_size: %d with topology: pipeline: the pipeline runs one worker per codec, which never has more than one instance of it to bound; use topology: per-worker", s.PoolSize)
	}
	if s.MemoryLimit != 0 {
		if err := (codecs.Limits{MaxMemoryBytes: uint64(s.MemoryLimit)}).Validate(); err != nil {
			bad("memory_limit: %w", err)
		}
	}
	if s.Cache < 0 {
		bad("cache: %d is negative; want the number of entries, or 0 for no cache", s.Cache)
	}
	if s.Results == ResultsAliased {
		if s.Lifetime != Fresh && lifetimes.Valid(s.Lifetime) {
			bad("results: aliased with lifetime: %s: an aliased result stays allocated inside its instance's memory while it is referenced, so an instance that runs more operations would pile them up in its own heap; aliased needs lifetime: fresh", s.Lifetime)
		}
		if s.Allocator == AllocatorMmap {
			bad("results: aliased with allocator: mmap: an aliased result points into linear memory that mmap returns to the OS when its instance closes, so reading a cached entry or a response afterwards would fault; use results: copied with mmap")
		}
	}
	if (s.Allocator == AllocatorMmap || s.Allocator == AllocatorV8) && !s.Allocator.Supported() {
		bad("allocator: %s is implemented on linux only, not on %s/%s; use allocator: go", s.Allocator, runtime.GOOS, runtime.GOARCH)
	}
	return errors.Join(errs...)
}
