// Command bench is leakbench's bench command line with the library
// targets of this module registered (webp-decode, webp-encode,
// avif-decode, avif-encode, heic-decode) and the scenarios of
// targets/scenarios shipped in the place of leakbench's builtin ones:
//
//	cd targets
//	go run ./cmd/bench list                                   # the scenarios
//	go run ./cmd/bench run webp-decode-keep                   # one, by name
//	go run ./cmd/bench run webp-decode-stable webp-decode-keep webp-decode-copyout
//	go run ./cmd/bench gate                                   # against reports/baseline.json
//
// The libraries run under wazero only when they find no system shared
// library (libwebp.so, libavif.so, libheif.so); the program refuses to
// start when one loaded, with the way out: build with -tags nodynamic.
package main

import (
	"fmt"
	"os"

	"github.com/leakbench/leakbench/harness"
	"github.com/leakbench/leakbench/targets"
	"github.com/leakbench/leakbench/targets/internal/libcodec"
	"github.com/leakbench/leakbench/targets/scenarios"
)

func main() {
	if err := libcodec.CheckWASM(); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(2)
	}
	h := harness.New()
	targets.Register(h)
	h.Scenarios(scenarios.FS, scenarios.Gate()...)
	h.Main()
}
