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
List the builtin scenarios: name, workload, the four strategy switches
(topology, lifetime, glue views, listeners) and the settings from the
field that are set (recycle_after, pool_size, memory_limit, allocator,
results, cache), workers, rounds and idle time, and the first sentence of
each description (a preset run as it is has the preset's own). Any of them can be run
by name with "bench run NAME"; the files are embedded from scenarios/.`,
	examples: []string{
		"# what can I run?",
		"bench list",
	},
}

func (c cli) doList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("list")
	if status, done := parseFlags(fs, listHelp, args, stdout, stderr); done {
		return status
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "list", "unexpected arguments %q", fs.Args())
	}
	all, err := scenario.LoadAll(c.shipped())
	if err != nil {
		fmt.Fprintf(stderr, "bench list: %v\n", err)
		return statusError
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
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
		fmt.Fprintf(stderr, "bench list: %v\n", err)
		return statusError
	}
	return statusOK
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
