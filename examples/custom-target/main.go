// Command custom-target is leakbench's bench CLI measuring an engine of
// its own instead of the builtin one: a tiny wazero target, "filler",
// registered through the public package harness. Every request
// instantiates a 100-byte wasm module that fills a known amount of linear
// memory, and the newest instances are kept, so the memory it should hold
// at each phase is known in advance.
//
// It ships its scenario, filler.yaml, so that run, list and gate find it
// by name and take it when none is named:
//
//	go run ./examples/custom-target list
//	go run ./examples/custom-target run
//	go run ./examples/custom-target gate --update-baseline --baseline /tmp/filler.json
//	go run ./examples/custom-target gate --baseline /tmp/filler.json
//
// Every other command and flag works too (--help); the program calls
// itself by its own name, custom-target, and has no reproduce, which
// belongs to leakbench's own case study.
package main

import (
	"embed"

	"github.com/leakbench/leakbench/harness"
)

// shipped is the program's scenarios: filler.yaml.
//
//go:embed filler.yaml
var shipped embed.FS

func main() {
	h := harness.New()
	harness.Register(h, "filler", newFiller)
	h.Scenarios(shipped, "filler")
	h.Main()
}
