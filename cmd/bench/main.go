// Command bench is leakbench's command line with the Next.js case study:
// the builtin engine registered as the target "builtin" (the default
// target of every scenario), the builtin scenarios, and the reproduce
// command, its default. A program built on package harness has the same
// command line without the case study. See package internal/cli for the
// commands.
package main

import (
	"github.com/leakbench/leakbench/internal/builtin"
	"github.com/leakbench/leakbench/internal/cli"
	"github.com/leakbench/leakbench/internal/target"
)

func main() {
	cli.Main(cli.Program{
		Targets:   target.Targets{builtin.Name: builtin.Factory()},
		CaseStudy: true,
	})
}
