package engine

import "github.com/leakbench/leakbench/internal/casestudy/codecs"

// namedPreset is a named strategy with its one-line description.
type namedPreset struct {
	name        string
	description string
	strategy    Strategy
}

// fixedStrategy is the published "fixed" stage: the base of the field
// presets, each of which changes one thing about it (or, for
// pool-bounded-capped, starts from the per-worker topology).
var fixedStrategy = Strategy{Topology: Pipeline, Lifetime: Fresh, Views: ViewsCleared, Listeners: ListenersRemoved}

// published are the four published stages of pr23565, in order: which
// stages there are and the strategy of each. Their published figures are
// package published's (published.Stages), which reads this list.
var published = []namedPreset{
	{"before", "all four published causes: per-worker instances of every codec, reused forever, glue views and listeners leaked",
		Strategy{Topology: PerWorker, Lifetime: Reuse, Views: ViewsLeaked, Listeners: ListenersLeaked}},
	{"fix1", "first fix: one pipeline worker per operation, so at most one instance per codec",
		Strategy{Topology: Pipeline, Lifetime: Reuse, Views: ViewsLeaked, Listeners: ListenersLeaked}},
	{"fix1+2", "first two fixes: pipeline and a fresh instance per operation; glue views and listeners still leak",
		Strategy{Topology: Pipeline, Lifetime: Fresh, Views: ViewsLeaked, Listeners: ListenersLeaked}},
	{"fixed", "all four fixes: pipeline, fresh instances, glue views cleared, no listeners",
		fixedStrategy},
}

// fromTheField are the patterns from the field (issue 12), each on the published
// fixes so that only the pattern differs.
var fromTheField = []namedPreset{
	{"pool-unclosed", "fixed, but instances live in a sync.Pool per codec and worker, and what the pool drops at a GC is never closed: it stays in the runtime until the engine closes",
		with(fixedStrategy, func(s *Strategy) { s.Lifetime = Pool })},
	{"pool-bounded-capped", "15 workers share a bounded pool of 4 reused instances per codec, each capped at 384 MiB of linear memory: an oversized image fails instead of growing",
		Strategy{Topology: PerWorker, Lifetime: Reuse, Views: ViewsCleared, Listeners: ListenersRemoved, PoolSize: 4, MemoryLimit: 384 << 20}},
	{"recycle-512", "fixed, but each codec's instance is reused for 512 operations, then closed and replaced",
		with(fixedStrategy, func(s *Strategy) { s.Lifetime, s.RecycleAfter = Recycle, 512 })},
	{"mmap-fixed", "fixed, with linear memory in mmap-backed mappings outside the Go heap, unmapped at each instance's Close",
		with(fixedStrategy, func(s *Strategy) { s.Allocator = AllocatorMmap })},
	{"aliased-cache", "fixed, plus an LRU cache of the last 8 outputs and decoded sources whose results alias linear memory: each entry keeps its whole instance alive",
		with(fixedStrategy, func(s *Strategy) { s.Results, s.Cache = ResultsAliased, 8 })},
}

// with returns s changed by f.
func with(s Strategy, f func(*Strategy)) Strategy {
	f(&s)
	return s
}

// Preset returns the strategy of a named preset: a published stage
// ("before", "fix1", "fix1+2", "fixed", see Presets) or a pattern from the
// field ("pool-unclosed", "pool-bounded-capped", "recycle-512",
// "mmap-fixed", "aliased-cache", see FieldPresets). ok is false for any
// other name.
func Preset(name string) (s Strategy, ok bool) {
	if p, ok := findPreset(name); ok {
		return p.strategy, true
	}
	return Strategy{}, false
}

// PresetDescription returns a preset's one-line description, for lists
// such as `bench list`; ok is false for an unknown name.
func PresetDescription(name string) (description string, ok bool) {
	if p, ok := findPreset(name); ok {
		return p.description, true
	}
	return "", false
}

func findPreset(name string) (namedPreset, bool) {
	for _, list := range [][]namedPreset{published, fromTheField} {
		for _, p := range list {
			if p.name == name {
				return p, true
			}
		}
	}
	return namedPreset{}, false
}

// Presets returns the published stages in publication order: "before",
// "fix1", "fix1+2", "fixed". The field presets are not among them (see
// FieldPresets): this list is what reproduces the published experiment.
func Presets() []string { return names(published) }

// FieldPresets returns the patterns from the field: "pool-unclosed",
// "pool-bounded-capped", "recycle-512", "mmap-fixed", "aliased-cache".
// mmap-fixed is refused off Linux by Strategy.Validate.
func FieldPresets() []string { return names(fromTheField) }

func names(ps []namedPreset) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.name
	}
	return out
}

// AsNode returns s on the mechanism that produced the published graphs,
// Node 14 running next@10.1.0: linear memory in V8-like backing stores,
// off-heap and released by the collection that finds them unreachable
// (allocator v8); modules that allocate as the originals, a reused resize
// growing at every image as squoosh_resize did under wee_alloc (malloc
// original); and instances kept only where next@10.1.0 kept them, the
// wasm-bindgen modules (reused bindgen). On codecs squoosh the modules are
// the originals: malloc stays as it is. The four switches and the
// settings from the field are s's. `bench reproduce --as-node` runs the
// published stages through it; without it they run on wazero's defaults
// (Go-heap memory, wasi-libc's malloc, every codec reused), as a wazero
// user's engine would.
func AsNode(s Strategy) Strategy {
	s.Allocator, s.Reused, s.Interrupts = AllocatorV8, ReusedBindgen, InterruptsLoops
	if s.Codecs == CodecsEmbedded {
		s.Malloc = codecs.MallocOriginal
	}
	return s
}
