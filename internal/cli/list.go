package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/leakbench/leakbench/internal/scenario"
)

var listHelp = help{
	usage: "bench list",
	description: `
List the scenarios this program ships, each with its name, workload,
target, workers, rounds, idle time, expectation and the first sentence of
its description; any of them runs by name with "bench run NAME". Targets
whose settings show as columns of their own (in bench, the builtin
engine's four switches, the settings from the field that are set and the
idle model) add them after the target; a preset run as it is has the
preset's own description.`,
	examples: []string{
		"# what can I run?",
		"bench list",
	},
}

func (c cli) doList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if status, done := c.noArguments("list", listHelp, args, stdout, stderr); done {
		return status
	}
	all, err := c.catalog.All()
	if err != nil {
		fmt.Fprintf(stderr, "%s list: %v\n", c.name, err)
		return StatusError
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	writeList(tw, all)
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "%s list: %v\n", c.name, err)
		return StatusError
	}
	return StatusOK
}

// columnar is implemented by settings shown in list as columns of their
// own: their names (upper-case headers) and this scenario's values.
type columnar interface {
	ListColumns() (names, values []string)
}

// writeList writes the table of scenarios: name, workload, target, the
// columns of their settings (columnar; "-" where a scenario's settings
// have none of a column), workers, rounds, idle, expectation and
// description.
func writeList(tw io.Writer, all []scenario.Scenario) {
	var extra []string
	for _, sc := range all {
		if col, ok := sc.Settings.(columnar); ok && len(sc.Exec) == 0 {
			names, _ := col.ListColumns()
			for _, n := range names {
				if !slices.Contains(extra, n) {
					extra = append(extra, n)
				}
			}
		}
	}
	head := append(append([]string{"NAME", "WORKLOAD", "TARGET"}, extra...), "WORKERS", "ROUNDS", "IDLE", "EXPECT", "DESCRIPTION")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, sc := range all {
		workers := "auto"
		if sc.Workers > 0 {
			workers = fmt.Sprint(sc.Workers)
		}
		name, values := sc.Target, map[string]string{}
		if len(sc.Exec) > 0 { // an exec target has no settings: its program stands in for them
			name = "exec " + filepath.Base(sc.Exec[0])
		} else if col, ok := sc.Settings.(columnar); ok {
			names, vals := col.ListColumns()
			for i, n := range names {
				values[n] = vals[i]
			}
		}
		row := []string{sc.Name, sc.Workload, name}
		for _, n := range extra {
			row = append(row, cmp.Or(values[n], "-"))
		}
		row = append(row, workers, fmt.Sprint(sc.Rounds), sc.Idle.String(), sc.Expect.String(), firstSentence(sc.Description))
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
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
