// Package target is the contract between the harness and the engine under
// test: the Request the child sends, the Target that serves it, the
// optional Snapshotter and Closer, the Recorder a target reports its
// operations and instances to, the Config a target is built with, the
// Factory that builds it from a scenario's options, and the failure
// classes (ErrCorrupt, ErrLimit, ...) that its errors wrap.
//
// The public package harness re-exports these types as aliases, so that a
// user's target and the builtin engine implement one and the same
// interface. They live here, not in harness, because the dependencies run
// one way: harness.Main is the whole CLI, the CLI starts the runner, the
// runner the child, and the child (package driver) calls the target. If
// the driver imported harness, harness → cli → runner → driver → harness
// would be a cycle; with the contract in this leaf package, harness and
// driver both import it and neither imports the other.
//
// It imports nothing of leakbench: it is below the driver and beside
// package results.
package target
