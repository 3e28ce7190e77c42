// Package engine is leakbench's image optimizer: it runs the wasm codecs
// of package codecs the way the Next.js image optimizer ran the Squoosh
// codecs before and after pull request 23565, leaks included.
//
// A Strategy sets four independent switches, one per published cause:
//
//	Topology   per-worker: N workers, whole requests, ≤ N×6 instances | pipeline: one worker per op, ≤ 6
//	Lifetime   reuse: an instance per codec per worker, kept forever  | fresh: one per operation
//	Views      leaked: bindgen glue keeps the last instance and a view of its memory | cleared
//	Listeners  leaked: emscripten glue registers a global listener per instantiation | removed
//
// Preset names the four published stages ("before", "fix1", "fix1+2",
// "fixed"); any of the 16 combinations runs.
//
// # Patterns from the field
//
// Strategy also carries the ways Go programs hold wasm memory today
// (issue 12), combinable with the switches above where that makes sense
// (Strategy.Validate names what it refuses, and why):
//
//	Lifetime pool       a sync.Pool per codec and worker; what it drops at a GC is never closed and stays in the runtime
//	Lifetime recycle    reuse for RecycleAfter operations, then close and replace
//	PoolSize            at most K instances per codec, shared by the workers (reuse, recycle)
//	MemoryLimit         a per-instance cap: an operation that needs more fails and its instance goes
//	Allocator mmap      linear memory outside the Go heap, unmapped at Close (Linux)
//	Allocator v8        V8's wasm backing store: outside the Go heap, committed in place, released
//	                    when the collector finds its instance unreachable; external-memory pressure
//	                    starts collections (package backingstore; Linux)
//	Results aliased     results are slices of linear memory, keeping it alive
//	Cache               an LRU of the last N outputs and decoded sources
//
// FieldPresets names one preset per pattern ("pool-unclosed",
// "pool-bounded-capped", "recycle-512", "mmap-fixed", "aliased-cache").
// Pool, a MemoryLimit and mmap need a wazero runtime the engine owns; New
// makes one (see New).
//
// # Codec sets
//
// Strategy.Codecs chooses the modules the operations run on: the
// embedded ones of package codecs (the default), or next@10.1.0's own
// squoosh modules (package squoosh, read from the npm install at New),
// each operation on the module(s) the published optimizer used, with its
// options (squooshset.go). The engine reaches both through one seam
// (codecset.go: a codecSet makes codecInstances), so the switches and
// the accounting apply to both alike.
//
// # The leaks are real
//
// Nothing is simulated. wazero keeps linear memory in an ordinary Go
// []byte that stays reachable while anything references the instance or a
// slice of its memory. The leaky strategies keep such references exactly
// where the original JavaScript glue did: per-worker, per-codec glue
// structs (wasm-bindgen's module-level `wasm` and `cachegetUint8Memory0`)
// and a process-global registry of listener closures (emscripten's
// process.on handlers), the one deliberate piece of global state, emptied
// only by ResetListeners. The field patterns hold memory just as really:
// wazero's store links every module until it is closed, a sync.Pool drops
// what it holds at GCs, aliased results and cache entries are slices of
// linear memory, and the mmap and v8 allocators map and unmap real pages
// (v8 when the collector finds the instance's memory unreachable).
// Snapshot reports what those references hold, by the counting rules
// documented on Snapshot; the Go heap figures it carries show the same
// memory from the runtime's side.
//
// # Failures
//
// An operation that fails (corrupt input, a limit, a trap, an expired
// Config.OpTimeout, a done context) fails its request with the codecs
// error wrapped with the request id and operation; the instance is closed
// and never reused. The package's own tests inject traps, through an
// unexported Request field.
//
// # What it owns
//
// Workers, instances and their lifetimes, the glue's references, the
// listener registry and the accounting of what they hold. It leaves the
// codecs' guest calls and limits to package codecs, the request list and
// the phases of a run to the child driver, and every measurement from
// outside (RSS, the summary) to the runner and package results.
package engine
