package gate

import (
	"fmt"
	"io"
	"strings"

	"github.com/leakbench/leakbench/internal/texttab"
)

// WriteMarkdown writes the report as GitHub-flavoured markdown, fit for a
// CI job summary ($GITHUB_STEP_SUMMARY): the verdict, one table per
// scenario, then the reasons and warnings as lists.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	icon := map[Verdict]string{Pass: "✅", Regression: "❌", Error: "⚠️"}[r.Verdict]
	fmt.Fprintf(&b, "## %s Memory gate: %s\n\n", icon, r.headline())
	if r.Baseline != nil {
		fmt.Fprintf(&b, "Baseline `%s` from %s (%s, %d run(s) per scenario). Now: %s.\n\n",
			r.BaselineName, r.Baseline.Created.UTC().Format("2006-01-02 15:04 UTC"), envText(r.Baseline.Env), r.Baseline.Runs, envText(r.Env))
	} else {
		fmt.Fprintf(&b, "No baseline (`%s`). Now: %s.\n\n", r.BaselineName, envText(r.Env))
	}
	if r.Updating {
		b.WriteString("Updating the baseline: comparisons are for information.\n\n")
	}
	if p, ok := r.FalseAlarm(); ok && len(r.Scenarios) > 0 {
		fmt.Fprintf(&b, "Calibrated: false alarms %s per gate run on unchanged code.\n\n", oneIn(p))
	}
	if f := r.Failures(); len(f) > 0 {
		b.WriteString("**Why:**\n\n")
		for _, msg := range f {
			fmt.Fprintf(&b, "- %s\n", texttab.MarkdownCell(msg))
		}
		b.WriteString("\n")
	}
	for _, s := range r.Scenarios {
		fmt.Fprintf(&b, "### %s: %s\n\n%s, %d run(s); medians, spread = (max−min)/median of the runs.\n\n",
			texttab.MarkdownCell(s.Name), strings.ToUpper(s.Verdict.String()), scenarioKind(s.Expect), s.Runs)
		if sees := s.Sees(); sees != "" {
			fmt.Fprintf(&b, "What it sees: %s.\n\n", texttab.MarkdownCell(sees))
		}
		if inj := s.InjectedVerdict(); inj != "" {
			fmt.Fprintf(&b, "%s.\n\n", texttab.MarkdownCell(inj))
		}
		if len(s.Rows) > 0 {
			b.WriteString("| metric | baseline | now | change | spread | limit | verdict |\n")
			b.WriteString("|---|---:|---:|---:|---:|---|---|\n")
			for _, row := range s.Rows {
				c := row.cells()
				if row.Verdict != Pass {
					c[6] = "**" + c[6] + "**"
				}
				for i := range c {
					c[i] = texttab.MarkdownCell(c[i])
				}
				fmt.Fprintf(&b, "| %s |\n", strings.Join(c, " | "))
			}
			b.WriteString("\n")
		}
		for _, c := range s.Checks {
			if c.Verdict != Pass || c.Name == "leak control" || strings.HasPrefix(c.Name, "limit ") {
				mark := "✅"
				if c.Verdict != Pass {
					mark = "❌"
				}
				fmt.Fprintf(&b, "- %s %s: %s\n", mark, c.Name, texttab.MarkdownCell(c.Message))
			}
		}
		for _, d := range s.Profiles {
			fmt.Fprintf(&b, "- pprof %s: `%s`\n", d.Title(), d.Command)
		}
		for _, wmsg := range s.Warnings {
			fmt.Fprintf(&b, "- ⚠️ %s\n", texttab.MarkdownCell(wmsg))
		}
		for _, row := range s.Rows {
			if row.Warn {
				for _, why := range row.Reasons {
					fmt.Fprintf(&b, "- ⚠️ %s\n", texttab.MarkdownCell(why))
				}
			}
		}
		b.WriteString("\n")
	}
	if len(r.Warnings) > 0 {
		b.WriteString("**Warnings:**\n\n")
		for _, wmsg := range r.Warnings {
			fmt.Fprintf(&b, "- %s\n", texttab.MarkdownCell(wmsg))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "<sub>Thresholds: %s. A metric regresses only when it exceeds both its relative threshold and its absolute floor.</sub>\n", texttab.MarkdownCell(r.Thresholds.String()))
	_, err := io.WriteString(w, b.String())
	return err
}
