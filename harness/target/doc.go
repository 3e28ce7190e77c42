// Package target is the contract between leakbench's harness and the
// engine under test: the Target a program registers (harness.Register)
// and the Request the harness sends it, the Config it is built with, the
// Recorder it reports its operations, instances and collections to, the
// optional interfaces it may implement (Snapshotter, LinearMemories,
// Idler, Closer, and Validator for its options type), and the failure
// classes (ErrCorrupt, ErrLimit, ...) its errors wrap.
//
// Both sides use these types and nothing else: a user's target, the
// child process that drives it (which imports this package and not
// package harness, whose Main is the whole command line), and leakbench's
// own builtin engine, registered by its case study exactly as a user's
// target is. The package imports nothing of leakbench.
package target
