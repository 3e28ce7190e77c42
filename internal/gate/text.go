package gate

import (
	"fmt"
	"io"
	"strings"

	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/texttab"
)

// headline is the one-line verdict: "PASS", "REGRESSION (exit 1)".
func (r *Report) headline() string {
	switch r.Verdict {
	case Pass:
		return "PASS (exit 0)"
	case Regression:
		return "REGRESSION (exit 1)"
	}
	return "ERROR (exit 2)"
}

// envText renders an environment on one line.
func envText(e results.Env) string {
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	add(e.GoVersion)
	if e.WazeroVersion != "" {
		add("wazero " + e.WazeroVersion)
	}
	if e.GOOS != "" {
		add(e.GOOS + "/" + e.GOARCH)
	}
	if e.CPUs > 0 {
		add(fmt.Sprintf("%d CPUs", e.CPUs))
	}
	if e.Hostname != "" {
		add("host " + e.Hostname)
	}
	if len(parts) == 0 {
		return "environment unknown"
	}
	return strings.Join(parts, ", ")
}

// scenarioKind says what a scenario is: "stable" or "leak control".
func scenarioKind(e metric.Expect) string {
	if e == metric.ExpectLeak {
		return "leak control"
	}
	return "stable"
}

// cells returns the table cells of a row: metric, baseline, now, change,
// spread, limit, verdict.
func (row Row) cells() []string {
	m := row.Metric
	base, change := "—", "—"
	if row.Baseline != nil {
		base = m.Format(row.Baseline.Median)
		if row.Now.N() > 0 {
			change = pct(row.Change)
			if !finite(row.Change) {
				change = m.FormatDelta(row.Now.Median - row.Baseline.Median)
			}
		}
	}
	now := m.Format(row.Now.Median)
	spread := "—"
	if row.Now.N() > 1 {
		if sp := row.Now.Spread(); finite(sp) {
			spread = fmt.Sprintf("%.0f%%", 100*sp)
		} else {
			spread = m.Format(row.Now.Min) + ".." + m.Format(row.Now.Max)
		}
	}
	limit := row.Limit
	if limit == "" {
		limit = "—"
	}
	return []string{m.String(), base, now, change, spread, limit, row.verdictText()}
}

// verdictText is the verdict cell: "ok", "warn", "FAIL", "ERROR".
func (row Row) verdictText() string {
	switch {
	case row.Verdict == Error:
		return "ERROR"
	case row.Verdict == Regression:
		return "FAIL"
	case row.Warn:
		return "warn"
	}
	return "ok"
}

// WriteText writes the report as a plain-text table a reviewer can read in
// ten seconds: the verdict first, then per scenario one line per metric,
// then the reasons and warnings.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "memory gate: %s\n", r.headline())
	if r.Baseline != nil {
		fmt.Fprintf(&b, "baseline: %s, %s, %s, %d run(s) per scenario\n",
			r.BaselineName, r.Baseline.Created.UTC().Format("2006-01-02 15:04 UTC"), envText(r.Baseline.Env), r.Baseline.Runs)
	} else {
		fmt.Fprintf(&b, "baseline: none (%s)\n", r.BaselineName)
	}
	fmt.Fprintf(&b, "now:      %s\n", envText(r.Env))
	if r.Updating {
		b.WriteString("updating the baseline: comparisons below are for information\n")
	}
	if p, ok := r.FalseAlarm(); ok && len(r.Scenarios) > 0 {
		fmt.Fprintf(&b, "calibrated: false alarms %s per gate run on unchanged code\n", oneIn(p))
	}
	for _, s := range r.Scenarios {
		fmt.Fprintf(&b, "\n%s: %s (%s, %d run(s))\n", s.Name, strings.ToUpper(s.Verdict.String()), scenarioKind(s.Expect), s.Runs)
		if sees := s.Sees(); sees != "" {
			fmt.Fprintf(&b, "  sees: %s\n", sees)
		}
		if inj := s.InjectedVerdict(); inj != "" {
			fmt.Fprintf(&b, "  %s\n", inj)
		}
		if len(s.Rows) > 0 {
			table := [][]string{{"metric", "baseline", "now", "change", "spread", "limit", "verdict"}}
			for _, row := range s.Rows {
				table = append(table, row.cells())
			}
			texttab.Layout(&b, "  ", table, []bool{false, true, true, true, true, false, false})
		}
		for _, c := range s.Checks {
			mark := map[Verdict]string{Pass: "ok", Regression: "FAIL", Error: "ERROR"}[c.Verdict]
			if c.Verdict != Pass || c.Name == "leak control" || strings.HasPrefix(c.Name, "limit ") {
				fmt.Fprintf(&b, "  [%s] %s: %s\n", mark, c.Name, c.Message)
			}
		}
		for _, row := range s.Rows {
			tag := row.verdictText()
			for _, why := range row.Reasons {
				fmt.Fprintf(&b, "  [%s] %s\n", tag, why)
			}
		}
		for _, d := range s.Profiles {
			fmt.Fprintf(&b, "  [pprof] %s\n", d)
		}
		for _, wmsg := range s.Warnings {
			fmt.Fprintf(&b, "  [warn] %s\n", wmsg)
		}
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\nwarnings:\n")
		for _, wmsg := range r.Warnings {
			fmt.Fprintf(&b, "  - %s\n", wmsg)
		}
	}
	if f := r.Failures(); len(f) > 0 {
		fmt.Fprintf(&b, "\n%s: %d problem(s):\n", r.headline(), len(f))
		for _, msg := range f {
			fmt.Fprintf(&b, "  - %s\n", msg)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
