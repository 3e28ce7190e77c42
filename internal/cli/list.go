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
	if !c.study {
		listOwn(tw, all)
		if err := tw.Flush(); err != nil {
			fmt.Fprintf(stderr, "%s list: %v\n", c.name, err)
			return statusError
		}
		return statusOK
	}
	fmt.Fprintln(tw, "NAME\tWORKLOAD\tTARGET\tTOPOLOGY\tLIFETIME\tVIEWS\tLISTENERS\tFIELD\tWORKERS\tROUNDS\tIDLE\tIDLE_GC\tEXPECT\tDESCRIPTION")
	for _, sc := range all {
		workers := "auto"
		if sc.Workers > 0 {
			workers = fmt.Sprint(sc.Workers)
		}
		st := sc.Strategy
		name, switches := scenario.DefaultTarget, []any{st.Topology, st.Lifetime, st.Views, st.Listeners, fieldSettings(st)}
		switch {
		case len(sc.Exec) > 0: // an exec target has no switches: its program stands in for them
			name, switches = "exec "+filepath.Base(sc.Exec[0]), []any{"-", "-", "-", "-", "-"}
		case !sc.Builtin(): // the switches are the builtin engine's
			name, switches = sc.Target, []any{"-", "-", "-", "-", "-"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%v\t%s\t%s\t%s\n", append(append([]any{sc.Name, sc.Workload, name}, switches...),
			workers, sc.Rounds, sc.Idle, sc.IdleGC, sc.Expect, firstSentence(sc.Description))...)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "%s list: %v\n", c.name, err)
		return statusError
	}
	return statusOK
}

// listOwn writes the table of a program built on harness: its scenarios
// with their target, not the builtin engine's switches or idle model.
func listOwn(tw io.Writer, all []scenario.Scenario) {
	fmt.Fprintln(tw, "NAME\tWORKLOAD\tTARGET\tWORKERS\tROUNDS\tIDLE\tEXPECT\tDESCRIPTION")
	for _, sc := range all {
		workers := "auto"
		if sc.Workers > 0 {
			workers = fmt.Sprint(sc.Workers)
		}
		name := sc.Target
		if len(sc.Exec) > 0 {
			name = "exec " + filepath.Base(sc.Exec[0])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%v\t%s\t%s\n", sc.Name, sc.Workload, name, workers, sc.Rounds, sc.Idle, sc.Expect, firstSentence(sc.Description))
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
