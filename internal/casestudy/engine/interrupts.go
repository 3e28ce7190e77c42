package engine

import "github.com/leakbench/leakbench/internal/enum"

// Interrupts says where a running wasm call can be stopped for the
// collector: nowhere until it returns (wazero's default), or at every
// loop header, as V8 stops it.
//
// V8 compiles a stack check into every wasm loop header (Liftoff's
// LiftoffCompiler::Loop, "Execute a stack check in the loop header",
// src/wasm/baseline/liftoff-compiler.cc; TurboFan's graph builder
// likewise, src/wasm/graph-builder-interface.cc), and its StackGuard
// serves interrupts there, a GC request among them: a collection in
// Node waits at most one loop iteration of the wasm running on its
// thread, and each worker thread is its own isolate with its own heap.
//
// Go's collector must stop every goroutine at a safe point, and code that
// wazero compiled has none: the preemption signal finds no Go function at
// the interrupted PC and gives up, so a runtime.GC waits for every wasm
// call in flight to return (0.55 to 0.70 s median, up to 2.5 s, measured
// on the published stages under allocator v8). Compiled with
// WithCloseOnContextDone, wazero v1.12 calls its checkModuleExitCode
// trampoline at every loop header (frontend/lower.go, OpcodeLoop under
// ensureTermination), which returns to Go (call_engine.go,
// ExitCodeCheckModuleExitCode: "native code cannot be preempted"): a
// safe point per loop iteration, V8's. It costs codec speed (4-35x on
// the embedded codecs).
type Interrupts uint8

// The interrupt points.
const (
	// InterruptsNone leaves wasm calls uninterruptible (the default, unless
	// op_timeout makes them interruptible to enforce itself).
	InterruptsNone Interrupts = iota
	// InterruptsLoops compiles the codecs with a return to Go at every loop
	// header: the collector stops a running call within one iteration, as
	// V8's does.
	InterruptsLoops
)

var interruptPoints = enum.New[Interrupts]("interrupts", "none", "loops")

// String returns "none" or "loops".
func (i Interrupts) String() string { return interruptPoints.String(i) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (i Interrupts) MarshalText() ([]byte, error) { return interruptPoints.Marshal(i) }

// UnmarshalText implements encoding.TextUnmarshaler: an unknown name is
// an error listing the allowed values.
func (i *Interrupts) UnmarshalText(b []byte) error { return interruptPoints.Unmarshal(b, i) }
