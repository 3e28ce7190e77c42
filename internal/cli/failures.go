package cli

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/runner"
)

// printFailures prints what a run could not do: its failed requests by
// class and, per source file, the first of them with the operation and
// the error as the target gave it; the requests still running when it
// ended (the stuck ones of a run killed at its time limit); and the files
// of the images directory it skipped.
func printFailures(w io.Writer, s results.Summary) {
	if s.Errors > 0 || s.Total > s.Requests {
		fmt.Fprintf(w, "  requests: %d of %d done, %d ok, %d failed", s.Requests, max(s.Total, s.Requests), s.Requests-s.Errors, s.Errors)
		if len(s.ErrorClasses) > 0 {
			fmt.Fprintf(w, " (%s)", classCounts(s.ErrorClasses))
		}
		if n := s.Total - s.Requests; n > 0 {
			fmt.Fprintf(w, ", %d not done", n)
		}
		fmt.Fprintln(w)
	}
	for _, f := range s.FailedSources {
		// The first failure on the file's own line, so that a grep for
		// the file finds why.
		fmt.Fprintf(w, "  failed: %s: %d request(s) (%s)", f.Source, f.Failed, classCounts(f.Classes))
		for i, r := range f.First {
			if i == 0 {
				fmt.Fprint(w, "; ")
			} else {
				fmt.Fprint(w, "    ")
			}
			fmt.Fprintf(w, "request %d, %s, %s: %s\n", r.Request, cmp.Or(r.Op, "op unknown"), r.Class, r.Err)
		}
		if n := f.Failed - len(f.First); n > 0 {
			fmt.Fprintf(w, "    ... and %d more\n", n)
		}
	}
	for _, u := range s.Unfinished {
		op := "between operations"
		if u.Op != "" {
			op = "in " + u.Op
		}
		fmt.Fprintf(w, "  unfinished: request %d of %s, %s for %.1fs when the run ended\n", u.Request, cmp.Or(u.Source, "an unknown file"), op, u.Seconds)
	}
	for _, sk := range s.Skipped {
		fmt.Fprintf(w, "  skipped: %s: %s\n", sk.Path, sk.Reason)
	}
}

// classCounts renders counts by class, largest first: "corrupt 3, limit 1".
func classCounts(m map[results.ErrorClass]int) string {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b results.ErrorClass) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// printSourceProblems prints the files of a prepared workload's images
// directory that were skipped or rejected, one line each with its reason,
// as soon as the workload is ready: before any run, so that a user sees
// at once which files will not be measured.
func printSourceProblems(w io.Writer, wp runner.WorkloadProgress) {
	for _, s := range wp.Rejected {
		fmt.Fprintf(w, "workload %s: rejected %s (%s; its requests will fail): %s\n", wp.Workload, s.Path, s.Class, s.Problem)
	}
	for _, sk := range wp.Skipped {
		fmt.Fprintf(w, "workload %s: skipped %s: %s\n", wp.Workload, sk.Path, sk.Reason)
	}
}
