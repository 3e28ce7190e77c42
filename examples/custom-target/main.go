// Command custom-target is leakbench's bench CLI measuring an engine of
// its own instead of the builtin one: a tiny wazero target, "filler",
// registered through the public package harness. Every request
// instantiates a 100-byte wasm module that fills a known amount of linear
// memory, and the newest instances are kept, so the memory it should hold
// at each phase is known in advance.
//
//	go run ./examples/custom-target run examples/custom-target/filler.yaml
//	go run ./examples/custom-target gate --update-baseline --baseline /tmp/filler.json examples/custom-target/filler.yaml
//	go run ./examples/custom-target gate --baseline /tmp/filler.json examples/custom-target/filler.yaml
//
// Every other command and flag of bench works too (--help).
package main

import "github.com/leakbench/leakbench/harness"

func main() {
	h := harness.New()
	harness.Register(h, "filler", newFiller)
	h.Main()
}
