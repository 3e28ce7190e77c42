package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/leakbench/leakbench/internal/engine"
	"github.com/leakbench/leakbench/internal/scenario"
)

var listHelp = help{
	usage: "bench list",
	description: `
List the scenarios this program ships, each with its name, workload,
target, workers, rounds, idle time, expectation and the first sentence of
its description; any of them runs by name with "bench run NAME". In
bench, these are the builtin scenarios (embedded from scenarios/), shown
with the builtin engine's four switches (topology, lifetime, glue views,
listeners), the settings from the field that are set (recycle_after,
pool_size, memory_limit, allocator, results, cache) and the idle model; a
preset run as it is has the preset's own description.`,
	examples: []string{
		"# what can I run?",
		"bench list",
	},
}

func (c cli) doList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("list")
	if status, done := parseFlags(c.name, fs, listHelp, args, stdout, stderr); done {
		return status
	}
	if fs.NArg() > 0 {
		return usageError(stderr, c.name, "list", "unexpected arguments %q", fs.Args())
	}
	all, err := scenario.LoadAll(c.shipped())
	if err != nil {
		fmt.Fprintf(stderr, "%s list: %v\n", c.name, err)
		return statusError
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	c.writeList(tw, all)
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "%s list: %v\n", c.name, err)
		return statusError
	}
	return statusOK
}

// writeList writes the table of scenarios: name, workload, target,
// workers, rounds, idle, expectation and description, and in the case
// study the builtin engine's four switches, its settings from the field
// and its idle model (a "-" where a scenario runs another target).
func (c cli) writeList(tw io.Writer, all []scenario.Scenario) {
	head := []string{"NAME", "WORKLOAD", "TARGET"}
	if c.study {
		head = append(head, "TOPOLOGY", "LIFETIME", "VIEWS", "LISTENERS", "FIELD")
	}
	head = append(head, "WORKERS", "ROUNDS", "IDLE")
	if c.study {
		head = append(head, "IDLE_GC")
	}
	fmt.Fprintln(tw, strings.Join(append(head, "EXPECT", "DESCRIPTION"), "\t"))
	for _, sc := range all {
		workers := "auto"
		if sc.Workers > 0 {
			workers = fmt.Sprint(sc.Workers)
		}
		name, switches := sc.Target, []string{"-", "-", "-", "-", "-"}
		switch st := sc.Strategy; {
		case len(sc.Exec) > 0: // an exec target has no switches: its program stands in for them
			name = "exec " + filepath.Base(sc.Exec[0])
		case sc.Builtin():
			name = scenario.DefaultTarget
			switches = []string{st.Topology.String(), st.Lifetime.String(), st.Views.String(), st.Listeners.String(), fieldSettings(st)}
		}
		row := []string{sc.Name, sc.Workload, name}
		if c.study {
			row = append(row, switches...)
		}
		row = append(row, workers, fmt.Sprint(sc.Rounds), sc.Idle.String())
		if c.study {
			row = append(row, sc.IdleGC.String())
		}
		fmt.Fprintln(tw, strings.Join(append(row, sc.Expect.String(), firstSentence(sc.Description)), "\t"))
	}
}

// fieldSettings returns the settings from the field of st that are set,
// as the engine's Strategy.String writes them after the four switches
// ("recycle_after=512"), or "-" for none.
func fieldSettings(st engine.Strategy) string {
	four := engine.Strategy{Topology: st.Topology, Lifetime: st.Lifetime, Views: st.Views, Listeners: st.Listeners}
	if rest := strings.TrimSpace(strings.TrimPrefix(st.String(), four.String())); rest != "" {
		return rest
	}
	return "-"
}

// firstSentence returns the text up to its first ". " (or all of it), on
// one line.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
