// Package scenarios holds the scenario files of the library targets, one
// set per target: a stable one (keep: 0), a retention one (keep: N) and,
// for the decoders, its copy-out variant (copy_out: true); and the gate's
// pair. cmd/bench ships them: they are found by name.
package scenarios

import "embed"

// FS holds every *.yaml file of this directory.
//
//go:embed *.yaml
var FS embed.FS

// Gate returns the scenarios `bench gate` runs when none are named: a
// stable one and its leaky control (expect: leak).
func Gate() []string { return []string{"gate-stable", "gate-leaky"} }
