//go:build leakbench_regress_listeners

package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"

	"github.com/leakbench/leakbench/internal/driver"
	"github.com/leakbench/leakbench/internal/engine"
)

// This file is compiled only into a bench built with
// -tags leakbench_regress_listeners: a deliberately broken build, the
// "base" that the tests of the A/B gate (bench gate --base-bin) compare
// with a correct one. Its child runs every scenario with the fourth
// published cause put back (listeners leaked) whatever its spec says, as
// a change that broke the listener fix in the engine would: the parent,
// which resolves the scenario, still records the strategy it asked for.
// It rewrites the spec line on the child's stdin before the driver reads
// it, and passes the rest of stdin (the parent's phase acknowledgements)
// through unchanged. A default build contains none of this.
//
// Replacing os.Stdin is global state, deliberately: it models a broken
// build, in a process that is about to become a child and nothing else.
func init() {
	if len(os.Args) < 2 || os.Args[1] != childCommand {
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		return // the child runs unbroken; the test that needs the break fails
	}
	in := bufio.NewReader(os.Stdin)
	os.Stdin = r
	go func() {
		defer w.Close()
		line, err := in.ReadBytes('\n')
		if err != nil {
			return
		}
		var sp driver.Spec
		if err := json.Unmarshal(line, &sp); err == nil {
			sp.Strategy.Listeners = engine.ListenersLeaked
			if b, err := driver.EncodeSpec(sp); err == nil {
				line = b
			}
		}
		if _, err := w.Write(line); err != nil {
			return
		}
		io.Copy(w, in)
	}()
}
