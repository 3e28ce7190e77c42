package harness

import (
	"context"
	"fmt"
	"io/fs"
	"slices"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/cli"
	"github.com/leakbench/leakbench/internal/factory"
)

// Harness is a set of registered targets and the CLI that runs them. Make
// one with New.
type Harness struct {
	targets   factory.Targets
	scenarios fs.FS
	gate      []string
}

// New returns a Harness with no targets.
func New() *Harness {
	return &Harness{targets: factory.Targets{}}
}

// Register adds the target name, built by f, to h: scenarios select it
// with target: name. A scenario's options: mapping is decoded strictly
// into a new O (keys by the fields' yaml tags, or their lower-cased
// names; every unknown key and wrong type an error at its line and
// column), checked with Validate when O is a Validator, and given to f
// in the child; a scenario without options gives f the zero O. A target
// without options uses struct{}. f runs in the child, during start-up,
// before the baseline is taken; an error from it ends the run.
//
// Register is a function, not a method, because the options type is a
// type parameter (Go methods can't have one), and the parent needs that
// type to check a scenario's options before it starts any child.
//
// It panics if name is not lower-case letters, digits and + . _ -
// (starting with a letter or digit), or is already registered: both are
// mistakes of the program, not of its input.
func Register[O any](h *Harness, name string, f func(ctx context.Context, cfg target.Config, opts O) (target.Target, error)) {
	if !factory.ValidName(name) {
		panic(fmt.Sprintf("harness: Register(%q): a target's name must be lower-case letters, digits and + . _ -", name))
	}
	if _, dup := h.targets[name]; dup {
		panic(fmt.Sprintf("harness: Register(%q): registered twice", name))
	}
	if f == nil {
		panic(fmt.Sprintf("harness: Register(%q): nil factory", name))
	}
	h.targets[name] = factory.New(f)
}

// Scenarios makes fsys (its *.yaml files at the root, typically an
// embed.FS) the scenarios the program ships (without it, it ships none:
// leakbench's builtin scenarios are its case study's, not yours): run NAME
// and gate NAME find them by name (a path of a .yaml file works as
// always), list lists them, and run and gate without names run the
// scenarios named by gate (a stable one and a leaky control, say). Every file is
// parsed when it is first looked up; a bad one is reported with its
// position then.
func (h *Harness) Scenarios(fsys fs.FS, gate ...string) {
	h.scenarios = fsys
	h.gate = slices.Clone(gate)
}

// Main runs the command line with the registered targets on os.Args and
// exits with its status: 0 ok, 1 a verdict failed (a limit, an
// expectation, the RSS cap, a gate regression), 2 usage or error. The
// program calls itself by the name it was started with (os.Args[0]) in
// its help and errors; run it with --help for its commands (run, list,
// report, compare, gate, version) and flags. Interrupt and SIGTERM stop
// the running child and keep what was measured. Main never returns. The
// program is its own child process, so Main must be reached on every
// start of the program, before it does work of its own.
func (h *Harness) Main() {
	targets := make(factory.Targets, len(h.targets))
	for n, f := range h.targets {
		targets[n] = f
	}
	cli.Main(cli.Program{Targets: targets, Scenarios: h.scenarios, Gate: h.gate})
}
