// Command bench is leakbench's command line: the public harness with the
// builtin engine registered as the target "builtin", the default target
// of every scenario. See package internal/cli for its commands.
package main

import (
	"github.com/leakbench/leakbench/harness"
	"github.com/leakbench/leakbench/internal/builtin"
)

func main() {
	h := harness.New()
	harness.Register(h, builtin.Name, builtin.New)
	h.Main()
}
