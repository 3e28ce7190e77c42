package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/leakbench/leakbench/internal/compare/merge"
	"github.com/leakbench/leakbench/internal/results"
)

// writePlan writes dir/compare.json before the first run, so that even a
// folder whose runs were cut short says what it set out to do.
func writePlan(dir string, p comparePlan) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("writing %s: %w", planFile, err)
	}
	if err := os.WriteFile(filepath.Join(dir, planFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", planFile, err)
	}
	return nil
}

// readPlan reads dir/compare.json.
func readPlan(dir string) (comparePlan, error) {
	var p comparePlan
	path := filepath.Join(dir, planFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("%s: not a bench compare folder: %w", dir, err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("%s: %w", path, err)
	}
	if len(p.Scenarios) == 0 || p.Runs < 1 {
		return p, fmt.Errorf("%s: no scenarios or runs", path)
	}
	return p, nil
}

// samePlan reports how b differs from a in what must agree for their runs
// to be pooled: the scenarios, the reference and the factorial design.
// The shard, the seed and R may differ (two machines may each run all R
// repetitions: their runs are pooled as more replicates).
func samePlan(a, b comparePlan) error {
	switch {
	case !slices.Equal(a.Scenarios, b.Scenarios):
		return fmt.Errorf("scenarios differ: %v and %v", a.Scenarios, b.Scenarios)
	case a.Ref != b.Ref:
		return fmt.Errorf("reference differs: %q and %q", a.Ref, b.Ref)
	case (a.Factorial == nil) != (b.Factorial == nil):
		return errors.New("one is a factorial, the other is not")
	case a.Factorial != nil && (a.Factorial.Base != b.Factorial.Base || a.Factorial.Workers != b.Factorial.Workers ||
		!slices.Equal(a.Factorial.Switches, b.Factorial.Switches)):
		return fmt.Errorf("factorial designs differ: %+v and %+v", *a.Factorial, *b.Factorial)
	}
	return nil
}

// mergeFolders is `bench compare --merge DIR...`: it pools the runs of
// several compare folders (shards, or whole comparisons from several
// machines) into one report in a new folder, refusing folders whose
// environments differ unless --allow-mixed.
func (c compareCmd) mergeFolders(f compareFlags) int {
	fail := func(err error) int {
		fmt.Fprintf(c.stderr, "%s compare --merge: %v\n", c.prog, err)
		return StatusError
	}
	var (
		merged  comparePlan
		runs    []compareRun
		sources []merge.Source
		notes   []string
	)
	for i, dir := range f.args {
		p, err := readPlan(dir)
		if err != nil {
			return fail(err)
		}
		if i == 0 {
			merged = comparePlan{Scenarios: p.Scenarios, Ref: p.Ref, Seed: p.Seed, Factorial: p.Factorial, Shard: "merged"}
		} else if err := samePlan(merged, p); err != nil {
			return fail(fmt.Errorf("%s and %s do not belong to one comparison: %w", f.args[0], dir, err))
		}
		merged.Runs = max(merged.Runs, p.Runs)
		var env *results.Env
		for _, cell := range p.Cells {
			r := compareRun{cell: cell, dir: filepath.Join(dir, cell.Dir)}
			r.summary, r.err = results.ReadSummary(r.dir)
			if r.err == nil && r.summary.Outcome != results.OutcomeCompleted {
				r.err = fmt.Errorf("%s: %s", r.summary.Outcome, r.summary.Error)
			}
			if r.err == nil && env == nil {
				env = &r.summary.Env
			}
			r.cell.Dir = r.dir
			runs = append(runs, r)
			merged.Cells = append(merged.Cells, r.cell)
		}
		if env == nil {
			notes = append(notes, dir+": no completed run")
			continue
		}
		sources = append(sources, merge.Source{Dir: dir, Env: *env})
		notes = append(notes, fmt.Sprintf("merged %s: shard %s of R = %d, %d run(s)", dir, p.Shard, p.Runs, len(p.Cells)))
	}
	if len(sources) > 0 {
		mismatches, err := merge.Check(sources, f.allowMixed)
		if err != nil {
			return fail(err)
		}
		for _, m := range mismatches {
			notes = append(notes, "mixed environments (--allow-mixed): "+m.String())
		}
	}
	notes = append(notes, missingCells(merged, runs)...)
	dir, err := invocationDir(f.run.out, "compare-merge", c.now())
	if err != nil {
		return fail(fmt.Errorf("output folder: %w", err))
	}
	if err := writePlan(dir, merged); err != nil {
		return fail(err)
	}
	status := StatusOK
	for _, r := range runs {
		if r.err != nil {
			status = StatusError
		}
	}
	return max(status, c.report(dir, merged, runs, notes))
}

// missingCells names the (scenario, repetition) cells of 1..R that no
// merged folder ran: a shard that was not merged, or one cut short.
func missingCells(p comparePlan, runs []compareRun) []string {
	have := map[plannedCell]bool{}
	for _, r := range runs {
		have[plannedCell{Scenario: r.cell.Scenario, Rep: r.cell.Rep}] = true
	}
	var missing int
	var first string
	for _, s := range p.Scenarios {
		for rep := 1; rep <= p.Runs; rep++ {
			if !have[plannedCell{Scenario: s, Rep: rep}] {
				if missing == 0 {
					first = fmt.Sprintf("%s repetition %d", s, rep)
				}
				missing++
			}
		}
	}
	if missing == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d of %d cells not in the merged folders (the first: %s): a shard missing?", missing, len(p.Scenarios)*p.Runs, first)}
}
