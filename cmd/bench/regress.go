//go:build leakbench_regress_listeners

package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/casestudy/engine"
	"github.com/leakbench/leakbench/internal/driver"
	"github.com/leakbench/leakbench/internal/runner"
)

// This file is compiled only into a bench built with
// -tags leakbench_regress_listeners: a deliberately broken build, the
// "base" that the tests of the A/B gate (bench gate --base-bin) compare
// with a correct one. Its child runs every scenario with the fourth
// published cause put back (listeners leaked) whatever its spec says, as
// a change that broke the listener fix in the engine would. The summary
// records the strategy the child reports it ran (listeners leaked), not
// the one the parent asked for.
// It rewrites the spec line on the child's stdin before the driver reads
// it (the builtin target's options, builtin.Options as YAML text, with
// listeners: leaked; a spec of another target passes unchanged), and
// passes the rest of stdin (the parent's phase acknowledgements) through
// unchanged. A default build contains none of this.
//
// Replacing os.Stdin is global state, deliberately: it models a broken
// build, in a process that is about to become a child and nothing else.
func init() {
	if len(os.Args) < 2 || os.Args[1] != runner.ChildCommand {
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
		if b, err := leakListeners(line); err == nil {
			line = b
		}
		if _, err := w.Write(line); err != nil {
			return
		}
		io.Copy(w, in)
	}()
}

// leakListeners returns the spec line with the builtin target's listeners
// switch set to leaked. Any error leaves the line to the caller as it was:
// the child then runs unbroken, and the test that needs the break fails.
func leakListeners(line []byte) ([]byte, error) {
	var sp driver.Spec
	if err := json.Unmarshal(line, &sp); err != nil {
		return nil, err
	}
	if sp.Target != builtin.Name {
		return line, nil
	}
	var opts builtin.Options
	if err := yaml.Unmarshal([]byte(sp.Options), &opts); err != nil {
		return nil, err
	}
	opts.Listeners = engine.ListenersLeaked
	b, err := yaml.Marshal(opts)
	if err != nil {
		return nil, err
	}
	sp.Options = string(b)
	return driver.EncodeSpec(sp)
}
