package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/leakbench/leakbench/internal/target"
	"github.com/leakbench/leakbench/scenarios"
)

// Exit statuses of bench.
const (
	statusOK     = 0 // everything ran and every verdict passed
	statusFailed = 1 // a verdict failed: a scenario limit, an expectation, the RSS cap, the gate
	statusError  = 2 // bad usage, a bad scenario file, a run that crashed or could not be measured
)

// cli is the bench command line of one program: the targets it has
// registered (package harness), which scenarios select with target: NAME
// and the child builds.
type cli struct {
	targets target.Targets
	// scenarios are the scenarios found by name and listed; nil: the
	// builtin ones (package scenarios).
	scenarios fs.FS
	// gate are the scenarios the gate runs when none are named; nil:
	// quick-fixed and quick-leaky.
	gate []string
}

// Program is what a program built on package harness gives the command
// line: its targets, and optionally the scenarios it ships (found by name,
// listed, and the gate's defaults) in the place of the builtin ones.
type Program struct {
	Targets   target.Targets
	Scenarios fs.FS    // *.yaml at its root; nil: the builtin scenarios
	Gate      []string // the gate's scenarios when none are named; nil: quick-fixed and quick-leaky
}

// shipped returns the scenarios found by name.
func (c cli) shipped() fs.FS {
	if c.scenarios == nil {
		return scenarios.FS
	}
	return c.scenarios
}

// command is one subcommand of bench.
type command struct {
	name    string
	summary string
	hidden  bool
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order usage shows them.
func (c cli) commands() []command {
	return []command{
		{name: "run", summary: "run scenarios, each in its own child process, and write their results", run: c.doRun},
		{name: "list", summary: "list the builtin scenarios with their switches", run: c.doList},
		{name: "reproduce", summary: "run the four published stages and compare with the published graphs (default)", run: c.doReproduce},
		{name: "report", summary: "redraw plots and markdown from saved results", run: doReport},
		{name: "compare", summary: "compare scenarios with statistics over repeated runs; the factorial of the four causes", run: c.doCompare},
		{name: "gate", summary: "run the CI memory-regression gate against a baseline", run: c.doGate},
		{name: "version", summary: "print the version of bench and of what it measures with", run: doVersion},
		{name: childCommand, hidden: true, run: c.doChild},
	}
}

// RunProgram is the bench command line of the program p (its targets,
// its own scenarios, its gate's): it runs the command of args
// (os.Args[1:]), writes to stdout and stderr, and returns the exit
// status. It is main without the process.
func RunProgram(ctx context.Context, p Program, args []string, stdout, stderr io.Writer) int {
	return cli{targets: p.Targets, scenarios: p.Scenarios, gate: p.Gate}.run(ctx, args, stdout, stderr)
}

// run is main without the process: it dispatches args to a subcommand and
// returns the exit status. With no arguments it runs reproduce.
func (c cli) run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return c.doReproduce(ctx, nil, stdout, stderr)
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return c.run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		c.usage(stdout)
		return statusOK
	}
	for _, cmd := range c.commands() {
		if cmd.name == name {
			return cmd.run(ctx, args[1:], stdout, stderr)
		}
	}
	if strings.HasPrefix(name, "-") {
		// Flags without a subcommand belong to the default one.
		return c.doReproduce(ctx, args, stdout, stderr)
	}
	fmt.Fprintf(stderr, "bench: unknown command %q\n\n", name)
	c.usage(stderr)
	return statusError
}

// usage writes the top-level help.
func (c cli) usage(w io.Writer) {
	fmt.Fprint(w, `usage: bench <command> [flags] [arguments]

bench measures the memory of WebAssembly image codecs under wazero, one
scenario per child process, and reproduces the leak fixed by the Next.js
pull request 23565. With no command it runs reproduce.

commands:
`)
	for _, cmd := range c.commands() {
		if !cmd.hidden {
			fmt.Fprintf(w, "  %-10s %s\n", cmd.name, cmd.summary)
		}
	}
	fmt.Fprintf(w, "\ntargets (target: NAME in a scenario file): %s\n", c.targets.List())
	fmt.Fprint(w, `
Run "bench <command> --help" for a command's flags and examples.

exit status: 0 ok, 1 a verdict failed (limits, expectations, RSS cap,
gate regression), 2 usage or error (bad scenario, crashed run).
`)
}

// help describes a subcommand for its --help.
type help struct {
	usage       string // "bench run [flags] [scenario|file.yaml]..."
	description string
	examples    []string // command lines, each with a comment line before it (starting "# ")
}

// newFlagSet returns a FlagSet for a subcommand whose errors and help are
// written by parseFlags.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args, with flags before, between or after the
// positional arguments (fs.Args() has the positional ones, in order; "--"
// ends the flags). It returns done with the exit status when the command
// should stop: --help (status 0, help on stdout) or a bad flag (status 2,
// the error and the help on stderr).
func parseFlags(fs *flag.FlagSet, h help, args []string, stdout, stderr io.Writer) (status int, done bool) {
	err := fs.Parse(flagsFirst(fs, args))
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		writeHelp(stdout, fs, h)
		return statusOK, true
	}
	fmt.Fprintf(stderr, "bench %s: %v\n\n", fs.Name(), err)
	writeHelp(stderr, fs, h)
	return statusError, true
}

// flagsFirst reorders args so that the flags come first and the positional
// arguments follow a "--", which is how package flag wants them. A flag
// that is not a boolean takes the next argument as its value unless it is
// written -name=value; unknown flags are left for fs.Parse to report.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			f := fs.Lookup(name)
			if f == nil {
				continue
			}
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
			if i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			positional = append(positional, a)
		}
	}
	return append(append(flags, "--"), positional...)
}

// writeHelp writes a subcommand's help: usage, description, flags,
// examples.
func writeHelp(w io.Writer, fs *flag.FlagSet, h help) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", h.usage, strings.TrimSpace(h.description))
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprint(w, "\nflags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if len(h.examples) > 0 {
		fmt.Fprint(w, "\nexamples:\n")
		for _, e := range h.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// usageError reports bad usage of a subcommand and returns statusError.
func usageError(stderr io.Writer, cmd, format string, args ...any) int {
	fmt.Fprintf(stderr, "bench %s: %s\n(run \"bench %s --help\" for usage)\n", cmd, fmt.Sprintf(format, args...), cmd)
	return statusError
}
