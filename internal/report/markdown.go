package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/texttab"
)

// WriteMarkdown writes the runs as GitHub-flavoured markdown, fit for a
// GitHub Actions job summary ($GITHUB_STEP_SUMMARY): a memory table and a
// work table with one row per run (in the given order), the runs'
// environment, and every warning (load warnings, summary warnings, how a
// run that did not complete ended) listed under the tables. Memory is in
// MiB; "—" marks a figure the run never reached.
func WriteMarkdown(w io.Writer, runs []Run) error {
	bw := bufio.NewWriter(w)
	if len(runs) == 0 {
		fmt.Fprintln(bw, "_No runs._")
		return bw.Flush()
	}

	fmt.Fprintln(bw, "### Memory (MiB)")
	fmt.Fprintln(bw)
	WriteRow(bw, "run", "strategy", "baseline", "peak sampled / HWM", "end of load", "after idle",
		"after settle", "growth", "retained", "settled", "slope MiB/round ± 95% CI", "leaked after settle")
	fmt.Fprintln(bw, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	cut := false
	for _, r := range runs {
		s := r.Summary
		_, end, lb, _ := r.Growth()
		endCell := FormatMiB(end)
		if lb {
			endCell, cut = "≥ "+endCell, true
		}
		st := s.Engine()
		if st == "" {
			st = "—"
		}
		WriteRow(bw, r.Name(), st,
			FormatMiB(s.Baseline),
			FormatMiB(s.Peak)+" / "+FormatMiB(s.PeakHWM),
			endCell,
			FormatMiB(s.AfterIdle),
			FormatMiB(s.AfterSettle),
			fmtGrowth(r, "%+.1f"),
			deltaIf(s.AfterIdle, s.Baseline, s.Retained),
			deltaIf(s.AfterSettle, s.Baseline, s.Settled),
			fmtSlope(s.Slope),
			fmt.Sprintf("%.1f", mib(s.LeakedAfterSettle)),
		)
	}
	fmt.Fprintln(bw)
	if cut {
		fmt.Fprintln(bw, "≥: the run ended during its load phase, so its last sample stands in for the end of load and its growth is a lower bound.")
		fmt.Fprintln(bw)
	}

	var pss []Run
	for _, r := range runs {
		if r.Summary.PSS != nil {
			pss = append(pss, r)
		}
	}
	if len(pss) > 0 {
		fmt.Fprintln(bw, "PSS of the whole process tree of the exec targets (MiB; the table above is the RSS of their main process):")
		fmt.Fprintln(bw)
		WriteRow(bw, "run", "baseline", "peak read", "end of load", "after idle", "after settle", "growth", "retained", "settled", "processes")
		fmt.Fprintln(bw, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, r := range pss {
			f := r.Summary.PSS
			WriteRow(bw, r.Name(), FormatMiB(f.Baseline), FormatMiB(f.Peak), FormatMiB(f.EndOfLoad), FormatMiB(f.AfterIdle), FormatMiB(f.AfterSettle),
				deltaIf(f.EndOfLoad, f.Baseline, f.Growth), deltaIf(f.AfterIdle, f.Baseline, f.Retained), deltaIf(f.AfterSettle, f.Baseline, f.Settled),
				fmt.Sprint(f.PeakProcesses))
		}
		fmt.Fprintln(bw)
	}

	fmt.Fprintln(bw, "### Work")
	fmt.Fprintln(bw)
	WriteRow(bw, "run", "outcome", "rounds", "instances created / peak live", "requests", "errors",
		"throughput req/s", "Go heap live after settle (MiB)", "wall time s")
	fmt.Fprintln(bw, "|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range runs {
		s := r.Summary
		WriteRow(bw, r.Name(), fmtOutcome(s),
			fmt.Sprint(s.Rounds),
			fmt.Sprintf("%d / %d", s.Instances.Created, s.Instances.PeakLive),
			fmt.Sprint(s.Requests),
			fmt.Sprint(s.Errors),
			fmt.Sprintf("%.2f", s.Throughput),
			heapLive(s),
			fmt.Sprintf("%.1f", s.Seconds),
		)
	}
	fmt.Fprintln(bw)

	writeEnv(bw, runs)

	var warns []string
	for _, r := range runs {
		s := r.Summary
		if s.Outcome != "" && s.Outcome != results.OutcomeCompleted {
			msg := fmt.Sprintf("did not complete: %s", s.Outcome)
			if s.Signal != "" {
				msg += ", signal " + s.Signal
			}
			if s.ExitCode != 0 {
				msg += fmt.Sprintf(", exit code %d", s.ExitCode)
			}
			if s.Error != "" {
				msg += ": " + s.Error
			}
			warns = append(warns, fmt.Sprintf("**%s**: %s", r.Name(), oneLine(msg)))
		}
		for _, wn := range r.AllWarnings() {
			warns = append(warns, fmt.Sprintf("**%s**: %s", r.Name(), oneLine(wn)))
		}
	}
	if len(warns) > 0 {
		fmt.Fprintln(bw, "**Warnings**")
		fmt.Fprintln(bw)
		for _, wn := range warns {
			fmt.Fprintln(bw, "- "+wn)
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// writeEnv states where the runs were taken: one line when they share an
// environment, one per run when they do not.
func writeEnv(w io.Writer, runs []Run) {
	envs := map[string][]string{}
	var order []string
	for _, r := range runs {
		e := envText(r.Summary.Env)
		if _, ok := envs[e]; !ok {
			order = append(order, e)
		}
		envs[e] = append(envs[e], r.Name())
	}
	if len(order) == 1 {
		fmt.Fprintf(w, "Environment: %s.\n\n", order[0])
		return
	}
	fmt.Fprintln(w, "Environments differ, so compare these runs with care:")
	fmt.Fprintln(w)
	for _, e := range order {
		fmt.Fprintf(w, "- %s: %s\n", strings.Join(envs[e], ", "), e)
	}
	fmt.Fprintln(w)
}

// envText renders an environment in one line.
func envText(e results.Env) string {
	var parts []string
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, label+v)
		}
	}
	add("", e.GoVersion)
	add("wazero ", e.WazeroVersion)
	if e.GOOS != "" {
		parts = append(parts, e.GOOS+"/"+e.GOARCH)
	}
	if e.CPUs > 0 {
		parts = append(parts, fmt.Sprintf("%d CPUs", e.CPUs))
	}
	add("kernel ", e.Kernel)
	gogc := e.GOGC
	if gogc == "" {
		gogc = "default"
	}
	lim := e.GOMEMLIMIT
	if lim == "" {
		lim = "default"
	}
	parts = append(parts, "GOGC="+gogc, "GOMEMLIMIT="+lim)
	return strings.Join(parts, ", ")
}

// WriteRow writes one markdown table row, each cell made safe by
// texttab.MarkdownCell.
func WriteRow(w io.Writer, cells ...string) {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" ")
		b.WriteString(texttab.MarkdownCell(c))
		b.WriteString(" |")
	}
	fmt.Fprintln(w, b.String())
}

// oneLine folds line breaks into spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// deltaIf formats a difference in MiB when its end figure was reached.
func deltaIf(end, base uint64, d int64) string {
	if end == 0 || base == 0 {
		return "—"
	}
	return FormatDelta(d)
}

// fmtSlope formats the leak slope with the half-width of its 95% CI;
// an unbounded interval (fewer than three rounds) says so.
func fmtSlope(s results.Slope) string {
	if s.Rounds == 0 && s.MiBPerRound == 0 {
		return "—"
	}
	if s.Rounds == 1 {
		return "— (1 round: no slope)"
	}
	v := fmt.Sprintf("%.2f", s.MiBPerRound)
	if !s.Bounded() {
		return fmt.Sprintf("%s (CI unbounded, %d rounds)", v, s.Rounds)
	}
	return fmt.Sprintf("%s ± %.2f", v, (s.CIHigh-s.CILow)/2)
}

// fmtOutcome renders how a run ended; anything but completed is flagged.
func fmtOutcome(s results.Summary) string {
	switch s.Outcome {
	case "":
		return "unknown"
	case results.OutcomeCompleted:
		return string(s.Outcome)
	}
	return "⚠ **" + string(s.Outcome) + "**"
}

// heapLive is the Go heap live after settle in MiB, or "n/a" for a run
// whose target reports no heap (results.Summary.HeapReported).
func heapLive(s results.Summary) string {
	if !s.HeapReported() {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", mib(s.HeapLiveAfterSettle))
}
