package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/leakbench/leakbench/internal/compare/factorial"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/scenario"
)

// Command is a command a program adds to the core's (the case study's
// reproduce): its name, its line in the program's usage, its --help,
// and Main.
type Command struct {
	Name    string // one word
	Summary string // its line in the program's usage
	Help    Help
	// Default makes it the command of the program run with no command,
	// or with flags only.
	Default bool
	// Main registers the command's own flags on inv.Flags (the shared
	// run flags are there already) and returns what runs once they are
	// parsed and checked: the positional arguments are inv.Flags.Args();
	// it returns the exit status.
	Main func(inv *Invocation) func(ctx context.Context) int
}

// Help describes a command for its --help: the usage line, a
// description, and examples, each a command line with a comment line
// ("# ...") before it. They are written for bench: a program of another
// name shows its own wherever they name bench.
type Help struct {
	Usage       string
	Description string
	Examples    []string
}

// Invocation is one run of a Command as it sees the program: its flags,
// its scenarios and the core's way of running them and writing their
// reports.
type Invocation struct {
	Flags          *flag.FlagSet
	Stdout, Stderr io.Writer

	c       cli
	command string
	run     runFlags
}

// Catalog returns the program's scenario catalog (its targets, default
// target and shipped scenarios).
func (inv *Invocation) Catalog() scenario.Catalog { return inv.c.catalog }

// Find resolves a shipped scenario's name or a scenario file, as run
// does.
func (inv *Invocation) Find(nameOrPath string) (scenario.Scenario, error) {
	return inv.c.find(nameOrPath)
}

// Apply sets the fields of sc the shared run flags override (--images,
// --workers, --rounds) and validates it again.
func (inv *Invocation) Apply(sc *scenario.Scenario) error { return inv.run.apply(sc) }

// Run runs the scenarios in order, each in its own child, into a new
// invocation folder (--out, or reports/<UTC time>-<command>), with
// progress on Stderr unless --quiet: the folder ("" when nothing could
// run), the runs, and the exit status so far.
func (inv *Invocation) Run(ctx context.Context, scs []scenario.Scenario) (string, []report.Run, int) {
	return runAll(inv.c.name, ctx, inv.command, scs, inv.run, inv.Stdout, inv.Stderr)
}

// WriteReports writes the plots and markdown of runs into the folder
// dir, with the analysis rep when it is not nil, under title.
func (inv *Invocation) WriteReports(dir string, runs []report.Run, rep Analysis, title string) error {
	return writeReports(dir, runs, rep, title)
}

// UsageError reports bad usage of the command on Stderr and returns
// StatusError.
func (inv *Invocation) UsageError(format string, args ...any) int {
	return usageError(inv.Stderr, inv.c.name, inv.command, format, args...)
}

// Errorf reports an error of the command on Stderr, after the program's
// and the command's names, and returns StatusError.
func (inv *Invocation) Errorf(format string, args ...any) int {
	fmt.Fprintf(inv.Stderr, "%s %s: %s\n", inv.c.name, inv.command, fmt.Sprintf(format, args...))
	return StatusError
}

// added1 is the subcommand that runs the program's command a: its flags
// (the shared run flags and its own) parsed and checked, then its Main.
func (c cli) added1(a Command) func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		inv := &Invocation{Flags: newFlagSet(a.Name), Stdout: stdout, Stderr: stderr, c: c, command: a.Name}
		inv.run.register(inv.Flags)
		main := a.Main(inv)
		h := help{usage: a.Help.Usage, description: a.Help.Description, examples: a.Help.Examples}
		if status, done := parseFlags(c.name, inv.Flags, h, args, stdout, stderr); done {
			return status
		}
		if err := inv.run.check(); err != nil {
			return inv.UsageError("%v", err)
		}
		return main(ctx)
	}
}

// Factorial is a program's design for `compare --factorial`: settings
// of its default target, each a two-level switch, and the base scenario
// the cells are built from.
type Factorial struct {
	// Of names what the switches are, for the usage line ("the four
	// causes").
	Of string
	// Switches are the settings keys varied (factorial.Switch.Name is
	// the key, Low and High its two values, High the leaky one), in
	// design order; --switches picks some of them.
	Switches []factorial.Switch
	// Base is the scenario the cells are built from unless --base
	// names another.
	Base string
	// Workers is every cell's worker count unless --workers says
	// otherwise.
	Workers int
	// WorkersKey and WorkersLevel name the setting whose level makes the
	// worker count matter (the builtin's topology: per-worker): the
	// report states the cells' worker count when that key is switched
	// or a run had that level.
	WorkersKey, WorkersLevel string
}
