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
// # The leaks are real
//
// Nothing is simulated. wazero keeps linear memory in an ordinary Go
// []byte that stays reachable while anything references the instance or a
// slice of its memory. The leaky strategies keep such references exactly
// where the original JavaScript glue did: per-worker, per-codec glue
// structs (wasm-bindgen's module-level `wasm` and `cachegetUint8Memory0`)
// and a process-global registry of listener closures (emscripten's
// process.on handlers), the one deliberate piece of global state, emptied
// only by ResetListeners. Snapshot reports what those references hold, by
// the counting rules documented on Snapshot; the Go heap figures it
// carries show the same memory from the runtime's side.
//
// # Failures
//
// An operation that fails (corrupt input, a limit, a trap, an expired
// Config.OpTimeout, a done context) fails its request with the codecs
// error wrapped with the request id and operation; the instance is closed
// and never reused. Request.TrapAt injects a trap for tests.
//
// # What it owns
//
// Workers, instances and their lifetimes, the glue's references, the
// listener registry and the accounting of what they hold. It leaves the
// codecs' guest calls and limits to package codecs, the request list and
// the phases of a run to the child driver, and every measurement from
// outside (RSS, the summary) to the runner and package results.
package engine
