// Command bench is leakbench's command line with the Next.js case study
// (package casestudy): the builtin engine registered as the target
// "builtin" (the default target of every scenario), the scenarios that
// ship with leakbench, and the reproduce command, its default. A program
// built on package harness has the same command line without the case
// study. See package internal/cli for the commands.
package main

import (
	"github.com/leakbench/leakbench/internal/casestudy"
	"github.com/leakbench/leakbench/internal/cli"
)

func main() { cli.Main(casestudy.Program()) }
