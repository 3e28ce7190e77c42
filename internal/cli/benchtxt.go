package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/leakbench/leakbench/internal/compare/gobench"
	"github.com/leakbench/leakbench/internal/gate"
	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/report"
	"github.com/leakbench/leakbench/internal/results"
)

// benchFile is the file of every invocation that runs scenarios (run,
// compare, gate) with each run's figures in Go's benchmark format, for
// benchstat.
const benchFile = "bench.txt"

// benchMetrics are the figures bench.txt carries of each run: those bench
// compare shows and those the gate compares, in table order.
func benchMetrics() []metric.Metric {
	var out []metric.Metric
	compared := metric.Compared()
	for _, m := range metric.All() {
		if m.Gated() || slices.Contains(compared, m) {
			out = append(out, m)
		}
	}
	return out
}

// benchRun is one run as a benchmark line: BenchmarkLeak/scenario=…/
// then, for a target other than the default one, target=…, then the
// switches of the run's strategy in its order (the builtin engine's:
// topology=…/lifetime=…/views=…/listeners=…, and its settings from the
// field that are set) -<cpus>, with the configuration lines goos, goarch,
// cpu, wazero and workload.
func benchRun(s results.Summary, ms []metric.Metric) gobench.Run {
	part := func(k, v string) gobench.KV {
		if v == "" {
			v = "unknown"
		}
		return gobench.KV{Key: k, Value: v}
	}
	r := gobench.Run{Name: "Leak", Parts: []gobench.KV{part("scenario", s.Scenario)}, Procs: s.Env.CPUs}
	if s.Target != "" {
		r.Parts = append(r.Parts, part("target", s.Target))
	}
	for _, sw := range s.Strategy.Switches {
		r.Parts = append(r.Parts, part(sw.Name, sw.Value))
	}
	workload := s.Workload
	if s.Env.WorkloadHash != "" {
		workload += " sha256:" + s.Env.WorkloadHash[:min(12, len(s.Env.WorkloadHash))]
	}
	for _, c := range []gobench.KV{{Key: "goos", Value: s.Env.GOOS}, {Key: "goarch", Value: s.Env.GOARCH},
		{Key: "cpu", Value: s.Env.CPUModel}, {Key: "wazero", Value: s.Env.WazeroVersion}, {Key: "workload", Value: workload}} {
		if c.Value != "" {
			r.Config = append(r.Config, c)
		}
	}
	for _, m := range ms {
		r.Values = append(r.Values, gobench.Value{Unit: m.BenchUnit(), Value: m.Value(s)})
	}
	return r
}

// writeBenchTxt writes dir/bench.txt with one benchmark line per run that
// completed, in the order given; it is the one writer of bench.txt, which
// bench run, bench compare and bench gate all call. Runs that did not
// complete have no figures to give and are left out.
func writeBenchTxt(dir string, runs []results.Summary) error {
	ms := benchMetrics()
	units := make([]gobench.Unit, 0, len(ms))
	for _, m := range ms {
		units = append(units, gobench.Unit{Name: m.BenchUnit(), HigherIsBetter: m.HigherIsBetter()})
	}
	var lines []gobench.Run
	for _, s := range runs {
		if s.Outcome == results.OutcomeCompleted {
			lines = append(lines, benchRun(s, ms))
		}
	}
	path := filepath.Join(dir, benchFile)
	var buf bytes.Buffer
	if len(lines) > 0 {
		if err := gobench.Write(&buf, units, lines); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// gateSummaries are the gate's runs in the order measured per scenario.
func gateSummaries(ms []gate.Measurement) []results.Summary {
	var out []results.Summary
	for _, m := range ms {
		out = append(out, m.Runs...)
	}
	return out
}

// runSummaries are the summaries of bench run's runs, in order.
func runSummaries(runs []report.Run) []results.Summary {
	out := make([]results.Summary, len(runs))
	for i, r := range runs {
		out[i] = r.Summary
	}
	return out
}
