package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/leakbench/leakbench/internal/factory"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/scenario"
	"github.com/leakbench/leakbench/internal/texttab"
)

// Exit statuses of a command, the program's exit status.
const (
	StatusOK     = 0 // everything ran and every verdict passed
	StatusFailed = 1 // a verdict failed: a scenario limit, an expectation, the RSS cap, the gate
	StatusError  = 2 // bad usage, a bad scenario file, a run that crashed or could not be measured
)

// cli is the command line of one program: its name, its scenario
// catalog (its targets, which scenarios select with target: NAME and the
// child builds, its default target and the scenarios it ships), and what
// it adds to the core's commands.
type cli struct {
	// name is the program's name in its help and errors.
	name    progName
	catalog scenario.Catalog
	// find resolves a shipped scenario's name or a scenario file
	// (scenario.Catalog.Finder: the shipped scenarios are parsed once,
	// not once per name) for the program's targets: the target must be
	// registered, and its settings (the default target's top-level keys,
	// another target's options: mapping) are decoded strictly into the
	// target's options type by its Factory. Every problem of the file is
	// reported at once, at its file, line and column.
	find func(nameOrPath string) (scenario.Scenario, error)
	// runs and gate are the scenarios run and gate take when none are
	// named.
	runs, gate   []string
	added        []Command
	about        string
	factorial    *Factorial
	reproduction func(runs []report.Run) (Analysis, string)
}

// Program is what a program gives the command line: its name, its
// targets and scenarios, and the commands and analyses it adds to the
// core's (leakbench's bench adds the Next.js case study's this way,
// package casestudy; a program built on package harness adds none).
type Program struct {
	Name    string // in help and errors; "": the base of os.Args[0] under Main, "bench" under RunProgram
	Targets factory.Targets
	// DefaultTarget is the target of a scenario without a target key,
	// whose settings are then top-level keys (scenario.Catalog.Default);
	// "": every scenario names its target.
	DefaultTarget string
	Scenarios     fs.FS    // *.yaml at its root, found by name and listed; nil: none
	ScenarioOrder []string // the shipped scenarios list shows first, in this order; the rest by name
	Run           []string // the scenarios run takes when none are named; nil: Gate's
	Gate          []string // the scenarios gate takes when none are named; nil: none
	// About is the paragraph of the program's usage under its usage
	// line; "": a sentence saying it measures its targets with leakbench.
	About string
	// Commands are the program's own commands, after the core's run and
	// list in its usage; one of them may be Default.
	Commands []Command
	// Factorial, when set, is the design `compare --factorial` builds
	// its cells with; nil: the program has no factorial.
	Factorial *Factorial
	// Reproduction, when set, recognises a set of runs that reproduces a
	// published result (report redraws them as such): its analysis and
	// the title of its reports, or nil for any other set.
	Reproduction func(runs []report.Run) (Analysis, string)
}

// Analysis is what a program adds to an invocation's reports when its
// runs make one (bench: the reproduction of the published stages, package
// reproduction): the runs its plots show, a grid of them, and a markdown
// section above the runs' own summaries.
type Analysis interface {
	// Representatives returns the runs the overlay and the grid show,
	// one per panel, in order.
	Representatives() []report.Run
	// PlotGrid draws runs (Representatives') as base+".png" and
	// base+".svg" under title.
	PlotGrid(runs []report.Run, title, base string) error
	// Write writes the analysis as markdown.
	Write(w io.Writer) error
}

// Catalog is the program's scenario catalog: its targets, its default
// target and the scenarios it ships, in their order.
func (p Program) Catalog() scenario.Catalog {
	return scenario.Catalog{Targets: p.Targets, Default: p.DefaultTarget, Shipped: p.Scenarios, First: p.ScenarioOrder}
}

// newCLI is the command line of the program p.
func newCLI(p Program) cli {
	runs := p.Run
	if runs == nil {
		runs = p.Gate
	}
	cat := p.Catalog()
	return cli{
		name:    progName(p.Name),
		catalog: cat,
		find:    cat.Finder(),
		runs:    runs, gate: p.Gate, added: p.Commands,
		about: p.About, factorial: p.Factorial, reproduction: p.Reproduction,
	}
}

// progName is a program's name in its help and errors; "" is "bench".
type progName string

// String returns the name, "bench" for "".
func (p progName) String() string {
	if p == "" {
		return "bench"
	}
	return string(p)
}

// command is one subcommand of bench.
type command struct {
	name    string
	summary string
	hidden  bool
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order usage shows them: run and
// list, the program's own, then the core's others.
func (c cli) commands() []command {
	compare := "compare scenarios with statistics over repeated runs"
	if c.factorial != nil {
		compare += "; the factorial of " + c.factorial.Of
	}
	cmds := []command{
		{name: "run", summary: "run scenarios, each in its own child process, and write their results", run: c.doRun},
		{name: "list", summary: "list the scenarios this program ships", run: c.doList},
	}
	for _, a := range c.added {
		cmds = append(cmds, command{name: a.Name, summary: a.Summary, run: c.added1(a)})
	}
	return append(cmds,
		command{name: "report", summary: "redraw plots and markdown from saved results", run: c.doReport},
		command{name: "compare", summary: compare, run: c.doCompare},
		command{name: "gate", summary: "run the CI memory-regression gate against a baseline", run: c.doGate},
		command{name: "version", summary: "print the version of " + c.name.String() + " and of what it measures with", run: c.doVersion},
		command{name: childCommand, hidden: true, run: c.doChild},
	)
}

// defaultCommand returns the program's Default command, if it has one.
func (c cli) defaultCommand() (Command, bool) {
	for _, a := range c.added {
		if a.Default {
			return a, true
		}
	}
	return Command{}, false
}

// RunProgram is the command line of the program p (its name, its
// targets, its own scenarios, its gate's): it runs the command of args
// (os.Args[1:]), writes to stdout and stderr, and returns the exit
// status. It is main without the process.
func RunProgram(ctx context.Context, p Program, args []string, stdout, stderr io.Writer) int {
	return newCLI(p).run(ctx, args, stdout, stderr)
}

// Main is RunProgram on the process: os.Args, standard output and
// error, with interrupt and SIGTERM stopping the running child (what it
// measured is kept); it exits with the status and never returns.
func Main(p Program) {
	if p.Name == "" {
		p.Name = filepath.Base(os.Args[0])
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := RunProgram(ctx, p, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it dispatches args to a subcommand and
// returns the exit status. With no arguments (or flags only) it runs the
// program's Default command; a program without one prints its usage and
// returns StatusError.
func (c cli) run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	def, hasDefault := c.defaultCommand()
	if len(args) == 0 {
		if !hasDefault {
			c.usage(stderr)
			return StatusError
		}
		return c.added1(def)(ctx, nil, stdout, stderr)
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return c.run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		c.usage(stdout)
		return StatusOK
	}
	for _, cmd := range c.commands() {
		if cmd.name == name {
			return cmd.run(ctx, args[1:], stdout, stderr)
		}
	}
	if strings.HasPrefix(name, "-") && hasDefault {
		// Flags without a subcommand belong to the default one.
		return c.added1(def)(ctx, args, stdout, stderr)
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n\n", c.name, name)
	c.usage(stderr)
	return StatusError
}

// usage writes the top-level help.
func (c cli) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s <command> [flags] [arguments]\n\n", c.name)
	if c.about != "" {
		fmt.Fprintln(w, strings.TrimSpace(c.about))
	} else {
		fmt.Fprintln(w, texttab.Wrap(c.name.String()+" measures the memory of its targets with leakbench, one scenario per child process sampled from outside.", 74))
	}
	fmt.Fprint(w, "\ncommands:\n")
	for _, cmd := range c.commands() {
		if !cmd.hidden {
			fmt.Fprintf(w, "  %-10s %s\n", cmd.name, cmd.summary)
		}
	}
	fmt.Fprintf(w, "\ntargets (target: NAME in a scenario file): %s\n", c.catalog.Targets.List())
	fmt.Fprintf(w, `
Run "%s <command> --help" for a command's flags and examples.
`, c.name)
	fmt.Fprint(w, `
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
func parseFlags(prog progName, fs *flag.FlagSet, h help, args []string, stdout, stderr io.Writer) (status int, done bool) {
	err := fs.Parse(flagsFirst(fs, args))
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		writeHelp(stdout, fs, h.of(prog))
		return StatusOK, true
	}
	fmt.Fprintf(stderr, "%s %s: %v\n\n", prog, fs.Name(), err)
	writeHelp(stderr, fs, h.of(prog))
	return StatusError, true
}

// noArguments parses the arguments of a command that takes none but
// --help: done with the status when it should stop (its help, or a usage
// error for any argument).
func (c cli) noArguments(cmd string, h help, args []string, stdout, stderr io.Writer) (status int, done bool) {
	fs := newFlagSet(cmd)
	if status, done := parseFlags(c.name, fs, h, args, stdout, stderr); done {
		return status, true
	}
	if fs.NArg() > 0 {
		return usageError(stderr, c.name, cmd, "unexpected arguments %q", fs.Args()), true
	}
	return 0, false
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

// commandWord matches the word "bench" where a help text names the
// program: at the start of a command line or after a space, quote or
// parenthesis, followed by a space ("bench list", "(see \"bench gate
// --help\")"), not in bench.txt or benchstat.
var commandWord = regexp.MustCompile(`(^|[\s"(])bench( )`)

// of returns h as the program prog shows it: its usage, description and
// examples, written for bench, name prog wherever they name the program.
func (h help) of(prog progName) help {
	if prog.String() == "bench" {
		return h
	}
	sub := func(s string) string { return commandWord.ReplaceAllString(s, "${1}"+prog.String()+"${2}") }
	out := help{usage: sub(h.usage), description: sub(h.description)}
	for _, e := range h.examples {
		out.examples = append(out.examples, sub(e))
	}
	return out
}

// exampleScenarios are the scenarios the help's examples name: gate's (a
// stable one and a leaky control, by convention), else run's.
func (c cli) exampleScenarios() []string {
	if len(c.gate) > 0 {
		return c.gate
	}
	return c.runs
}

// Tokens of the examples that name a program's scenarios (withScenarios).
const (
	stableToken = "{stable}"
	leakyToken  = "{leaky}"
)

// withScenarios returns h with its examples' {stable} and {leaky} set to
// the first two of names, the scenarios a program's gate takes (a stable
// one and a leaky control, by convention), and without each example (a
// command and the comment line before it) that names one the program
// does not have: a program's help shows commands it can run.
func (h help) withScenarios(names []string) help {
	fill := strings.NewReplacer(stableToken, at(names, 0, stableToken), leakyToken, at(names, 1, leakyToken))
	var out []string
	for i := 0; i < len(h.examples); i++ {
		e := fill.Replace(h.examples[i])
		comment := strings.HasPrefix(e, "#") && i+1 < len(h.examples)
		if comment {
			i++
			next := fill.Replace(h.examples[i])
			if !strings.Contains(next, stableToken) && !strings.Contains(next, leakyToken) {
				out = append(out, e, next)
			}
			continue
		}
		if !strings.Contains(e, stableToken) && !strings.Contains(e, leakyToken) {
			out = append(out, e)
		}
	}
	h.examples = out
	return h
}

// at returns names[i], or missing when names has no such element.
func at(names []string, i int, missing string) string {
	if i < len(names) {
		return names[i]
	}
	return missing
}

// defaults returns h with the word token of its description replaced by
// the scenarios a command takes when none are named ("quick-fixed and
// quick-leaky"), or by a request to name them when there are none.
func (h help) defaults(token string, names []string) help {
	text := "none: name the scenarios to run (this program names none by default)"
	switch n := len(names); {
	case n == 1:
		text = names[0]
	case n > 1:
		text = strings.Join(names[:n-1], ", ") + " and " + names[n-1]
	}
	h.description = strings.ReplaceAll(h.description, token, text)
	return h
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

// usageError reports bad usage of a subcommand and returns StatusError.
func usageError(stderr io.Writer, prog progName, cmd, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s %s: %s\n(run \"%s %s --help\" for usage)\n", prog, cmd, fmt.Sprintf(format, args...), prog, cmd)
	return StatusError
}
