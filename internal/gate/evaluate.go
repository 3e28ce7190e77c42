package gate

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/leakbench/leakbench/internal/metric"
	"github.com/leakbench/leakbench/internal/results"
)

// Config tells Evaluate how to judge.
type Config struct {
	Thresholds Thresholds
	// BaselineName names the baseline in messages (its path).
	BaselineName string
	// Updating means the measurements are about to replace the baseline:
	// comparisons with the old one are shown but advisory, and a missing
	// baseline or scenario is not an error. Run failures, scenario limits
	// and the leaky control still count, so a bad baseline is never written.
	Updating bool
	// UpdateCommand is the command that rewrites the baseline, as the
	// user would type it, for the hints; "" says "bench gate
	// --update-baseline".
	UpdateCommand string
}

// Report is the gate's verdict with everything that led to it, as data:
// the renderers (WriteText, WriteMarkdown, WriteJUnit) only lay it out.
type Report struct {
	Verdict      Verdict
	BaselineName string
	Baseline     *BaselineInfo // nil without a baseline
	Env          results.Env   // where the runs were measured now
	Updating     bool
	Thresholds   Thresholds
	Scenarios    []ScenarioReport
	Warnings     []string // gate-wide warnings (environment differs, few runs)
}

// BaselineInfo is what the report says about the baseline it compared with.
type BaselineInfo struct {
	Created time.Time
	Env     results.Env
	Runs    int
}

// ScenarioReport is the verdict on one scenario.
type ScenarioReport struct {
	Name     string
	Expect   metric.Expect
	Runs     int // runs that produced a summary
	Verdict  Verdict
	Rows     []Row   // one per metric
	Checks   []Check // scenario-level checks: runs, baseline, leak control
	Warnings []string
	Dirs     []string // run directories, when known
	// Profiles are the diffs of pprof profiles that explain its
	// regressions, when the caller found them (the baseline's kept
	// profiles against this run's); Evaluate leaves it empty.
	Profiles []results.ProfileDiff

	// Calibration is the baseline's calibration of the scenario, whose
	// thresholds judged it; nil when the defaults did (power.go says
	// what the gate can see either way).
	Calibration *Calibration
	// Injected is the leak the runs had injected per request, bytes; 0
	// for runs of the code as it is.
	Injected uint64
}

// Row is one metric of one scenario: the line of the table and the JUnit
// test case.
type Row struct {
	Metric   metric.Metric
	Baseline *Stat // nil when the baseline has no value for it
	Now      Stat
	Worse    float64 // how much worse now is than the baseline (positive = worse), metric unit
	Change   float64 // signed relative change (now-baseline)/|baseline|; NaN without a baseline or for a zero baseline
	Limit    string  // thresholds and scenario limits, as text
	Verdict  Verdict
	Warn     bool     // an advisory breach: shown, not failed
	Reasons  []string // why the row failed or warns
}

// Check is a scenario-level check: every run completed, the baseline knows
// the scenario, the leaky control leaks.
type Check struct {
	Name    string // "runs", "baseline", "leak control"
	Verdict Verdict
	Message string
}

// Failures returns one line per failed row or check, "scenario: reason",
// in report order.
func (r *Report) Failures() []string {
	var out []string
	for _, s := range r.Scenarios {
		for _, c := range s.Checks {
			if c.Verdict != Pass {
				out = append(out, s.Name+": "+c.Message)
			}
		}
		for _, row := range s.Rows {
			if row.Verdict != Pass {
				for _, why := range row.Reasons {
					out = append(out, s.Name+": "+why)
				}
			}
		}
	}
	return out
}

// AllWarnings returns the gate-wide warnings followed by every scenario's
// warnings and advisory breaches, prefixed with the scenario name.
func (r *Report) AllWarnings() []string {
	out := slices.Clone(r.Warnings)
	for _, s := range r.Scenarios {
		for _, row := range s.Rows {
			if row.Warn {
				for _, why := range row.Reasons {
					out = append(out, s.Name+": "+why)
				}
			}
		}
		for _, w := range s.Warnings {
			out = append(out, s.Name+": "+w)
		}
	}
	return out
}

// Evaluate judges the measurements against the baseline (nil: none) and
// returns the report. It never fails: every problem becomes a check, a row
// verdict or a warning in the report.
func Evaluate(base *Baseline, ms []Measurement, cfg Config) *Report {
	th := cfg.Thresholds
	rep := &Report{BaselineName: cfg.BaselineName, Updating: cfg.Updating, Thresholds: th}
	if rep.BaselineName == "" {
		rep.BaselineName = "the baseline"
	}
	if base != nil {
		rep.Baseline = &BaselineInfo{Created: base.Created, Env: base.Env, Runs: base.Runs}
	}
	for _, m := range ms {
		if len(m.Runs) > 0 {
			rep.Env = m.Runs[0].Env
			break
		}
	}
	for _, err := range th.Validate() {
		rep.Warnings = append(rep.Warnings, err.Error())
	}
	if base != nil {
		rep.Warnings = append(rep.Warnings, envWarnings(base.Env, rep.Env)...)
	}
	minRuns := math.MaxInt
	for _, m := range ms {
		minRuns = min(minRuns, len(m.Runs))
	}
	if minRuns < 3 && len(ms) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("only %d run(s) per scenario: the median is barely more robust than a single run; use --runs 3 or more", minRuns))
	}

	for _, m := range ms {
		rep.Scenarios = append(rep.Scenarios, evaluateScenario(base, m, cfg))
	}
	checkControls(rep, base, ms, cfg)

	for i := range rep.Scenarios {
		s := &rep.Scenarios[i]
		for _, c := range s.Checks {
			s.Verdict = worse(s.Verdict, c.Verdict)
		}
		for _, row := range s.Rows {
			s.Verdict = worse(s.Verdict, row.Verdict)
		}
		rep.Verdict = worse(rep.Verdict, s.Verdict)
	}
	if len(ms) == 0 {
		rep.Verdict = Error
		rep.Warnings = append(rep.Warnings, "no scenarios were measured")
	}
	return rep
}

// evaluateScenario builds one scenario's report, without the cross-scenario
// leak-control check.
func evaluateScenario(base *Baseline, m Measurement, cfg Config) ScenarioReport {
	sr := ScenarioReport{Name: m.Scenario, Expect: m.Expect, Runs: len(m.Runs), Dirs: m.Dirs, Injected: m.Injected}
	sr.checkRuns(m)
	if len(m.Runs) == 0 {
		return sr
	}
	sb, th := sr.checkBaseline(base, m, cfg)
	for _, met := range metric.Gated() {
		sr.Rows = append(sr.Rows, sr.row(met, m, sb, th, cfg))
	}
	// Limits on one of the gate's metrics judge that metric's row; limits
	// on other figures of the summary are checks of their own.
	for _, l := range m.Limits {
		c := checkLimit(l, m.Runs)
		row := slices.IndexFunc(sr.Rows, func(r Row) bool { return r.Metric == l.Metric })
		if row < 0 {
			sr.Checks = append(sr.Checks, c)
			continue
		}
		if c.Verdict != Pass {
			r := &sr.Rows[row]
			r.Verdict = worse(r.Verdict, c.Verdict)
			r.Warn = false
			r.Reasons = append(r.Reasons, c.Message)
		}
	}
	return sr
}

// checkRuns adds the runs check: every run must have completed. A stable
// run killed at its RSS cap is a memory regression; any other way of
// dying is an error.
func (sr *ScenarioReport) checkRuns(m Measurement) {
	total := len(m.Runs) + len(m.Failures)
	var problems []string
	verdict := Pass
	for i, err := range m.Failures {
		problems = append(problems, fmt.Sprintf("run %d of %d failed: %v", len(m.Runs)+i+1, total, err))
		verdict = Error
	}
	for i, s := range m.Runs {
		switch s.Outcome {
		case results.OutcomeCompleted:
		case results.OutcomeRSSCap:
			if m.Expect == metric.ExpectLeak {
				sr.Warnings = append(sr.Warnings, fmt.Sprintf("run %d of %d hit its RSS cap (the control leaks, its figures are truncated)", i+1, total))
				continue
			}
			problems = append(problems, fmt.Sprintf("run %d of %d was killed at its RSS cap", i+1, total))
			verdict = worse(verdict, Regression)
		default:
			msg := fmt.Sprintf("run %d of %d ended %s", i+1, total, outcomeText(s))
			problems = append(problems, msg)
			verdict = Error
		}
	}
	if len(m.Runs) == 0 && len(m.Failures) == 0 {
		problems = append(problems, "no runs")
		verdict = Error
	}
	runsMsg := fmt.Sprintf("%d of %d runs completed", countCompleted(m.Runs), total)
	if len(problems) > 0 {
		runsMsg = strings.Join(problems, "; ")
	}
	sr.Checks = append(sr.Checks, Check{Name: "runs", Verdict: verdict, Message: runsMsg})
	sr.Warnings = append(sr.Warnings, runWarnings(m.Runs)...)
}

// checkBaseline adds the baseline check and returns the scenario's
// baseline entry (nil without one) and the thresholds that judge it: a
// calibrated scenario's own, else cfg's.
func (sr *ScenarioReport) checkBaseline(base *Baseline, m Measurement, cfg Config) (*ScenarioBaseline, Thresholds) {
	th := cfg.Thresholds
	var sb *ScenarioBaseline
	if base != nil {
		if e, ok := base.Scenarios[m.Scenario]; ok {
			sb = &e
		}
	}
	switch {
	case sb == nil && cfg.Updating:
		sr.Checks = append(sr.Checks, Check{Name: "baseline", Verdict: Pass, Message: "no baseline yet: this run creates it"})
	case sb == nil && base == nil:
		sr.Checks = append(sr.Checks, Check{Name: "baseline", Verdict: Error, Message: "no baseline to compare with"})
	case sb == nil:
		sr.Checks = append(sr.Checks, Check{Name: "baseline", Verdict: Error, Message: missingMessage(base, m.Scenario, cfg)})
	default:
		// A calibrated scenario is judged by its own thresholds.
		th = sb.Calibration.Thresholds(th)
		sr.Calibration = sb.Calibration
		// A baseline of another workload, strategy or request count can't
		// be compared with: improvements would pass and regressions hide.
		if diffs := shapeDiffs(*sb, m.baseline()); len(diffs) > 0 && !cfg.Updating {
			sr.Checks = append(sr.Checks, Check{Name: "baseline", Verdict: Error, Message: shapeMessage(diffs, cfg)})
		} else {
			sr.Checks = append(sr.Checks, Check{Name: "baseline", Verdict: Pass, Message: fmt.Sprintf("compared with %d baseline run(s)", sb.Runs)})
			for _, d := range diffs {
				sr.Warnings = append(sr.Warnings, d+" (the baseline is being replaced)")
			}
		}
	}
	return sb, th
}

// row judges one metric against the baseline entry sb (nil: none) with
// the thresholds th: a regression past both of its thresholds (only a
// warning for an advisory metric, the leaky control or a baseline being
// replaced), its limits' text, and a warning when its runs are noisy.
func (sr *ScenarioReport) row(met metric.Metric, m Measurement, sb *ScenarioBaseline, th Thresholds, cfg Config) Row {
	row := Row{Metric: met, Now: m.stat(met), Change: math.NaN(), Worse: math.NaN()}
	t := th.For(met)
	var limitText []string
	if sb != nil {
		limitText = append(limitText, t.describe(met))
		if bst, ok := sb.Metrics[met]; ok {
			row.Baseline = &bst
		} else if row.Now.N() > 0 {
			sr.Warnings = append(sr.Warnings, fmt.Sprintf("%s: the baseline has no value: not compared", met))
		}
	}
	if row.Baseline != nil && row.Now.N() > 0 {
		b, n := row.Baseline.Median, row.Now.Median
		if b != 0 {
			row.Change = (n - b) / math.Abs(b)
		}
		exceeded, w := t.Exceeded(met, b, n)
		row.Worse = w
		if exceeded {
			exceeds := "exceeds both thresholds"
			if t.Relative == 0 {
				exceeds = "exceeds its threshold"
			}
			why := fmt.Sprintf("%s: %s -> %s (%s, %s) %s (%s)",
				met, met.Format(b), met.Format(n), met.FormatDelta(n-b), pct(row.Change), exceeds, t.describe(met))
			advisory := t.Advisory || m.Expect == metric.ExpectLeak || cfg.Updating
			if advisory {
				row.Warn = true
				switch {
				case cfg.Updating:
					why += " [baseline being replaced]"
				case m.Expect == metric.ExpectLeak && !t.Advisory:
					why += " [leaky control: compared for information only]"
				}
			} else {
				row.Verdict = Regression
			}
			row.Reasons = append(row.Reasons, why)
		}
	}
	for _, l := range m.Limits {
		if l.Metric == met {
			limitText = append(limitText, l.String())
		}
	}
	row.Limit = strings.Join(limitText, "; ")
	if !t.Advisory && row.Now.N() > 1 && row.Now.Spread() > th.MaxSpread && row.Now.Range() > t.Absolute {
		sr.Warnings = append(sr.Warnings, fmt.Sprintf("%s is noisy: %s..%s over %d runs (spread %.0f%% of the median)",
			met, met.Format(row.Now.Min), met.Format(row.Now.Max), row.Now.N(), 100*row.Now.Spread()))
	}
	return row
}

// checkLimit checks one absolute limit on the median of the runs.
func checkLimit(l metric.Limit, runs []results.Summary) Check {
	c := Check{Name: "limit " + l.String()}
	if !l.Valid() {
		c.Verdict, c.Message = Error, fmt.Sprintf("limit %q was not parsed", l.String())
		return c
	}
	st := Measurement{Runs: runs}.stat(l.Metric)
	switch {
	case st.N() == 0:
		c.Verdict, c.Message = Error, fmt.Sprintf("%s: no run has a value to check the limit %s against", l.Name(), l)
	case !l.Holds(st.Median):
		c.Verdict, c.Message = Regression, fmt.Sprintf("%s: median %s breaks the scenario limit %s", l.Name(), l.Format(st.Median), l)
	default:
		c.Message = fmt.Sprintf("%s: median %s within %s", l.Name(), l.Format(st.Median), l)
	}
	return c
}

// checkControls adds the leak-control check to every scenario expected to
// leak: its medians must meet the leak rule (Thresholds.Control, a
// metric.LeakRule) against every stable scenario of the same gate run. A stable scenario is represented by
// its baseline medians when the baseline has them (so that a stable
// scenario that starts leaking as much as the control fails on its own
// instead of making the control look blind), else by its current medians.
func checkControls(rep *Report, base *Baseline, ms []Measurement, cfg Config) {
	rule := cfg.Thresholds.Control
	stableMax := map[metric.Metric]float64{}
	var stableNames []string
	for _, m := range ms {
		if m.Expect != metric.ExpectStable || len(m.Runs) == 0 {
			continue
		}
		var sb *ScenarioBaseline
		if base != nil && !cfg.Updating {
			if e, ok := base.Scenarios[m.Scenario]; ok {
				sb = &e
			}
		}
		name := m.Scenario
		if sb != nil {
			name += " (baseline)"
		}
		stableNames = append(stableNames, name)
		for _, met := range metric.LeakSignals() {
			st := m.stat(met)
			if sb != nil {
				if bst, ok := sb.Metrics[met]; ok {
					st = bst
				}
			}
			if st.N() > 0 {
				if cur, ok := stableMax[met]; !ok || st.Median > cur {
					stableMax[met] = st.Median
				}
			}
		}
	}
	for i, m := range ms {
		if m.Expect != metric.ExpectLeak {
			continue
		}
		sr := &rep.Scenarios[i]
		if len(m.Runs) == 0 {
			sr.Checks = append(sr.Checks, Check{Name: "leak control", Verdict: Error, Message: "no runs to check the leak with"})
			continue
		}
		if len(stableNames) == 0 {
			sr.Warnings = append(sr.Warnings, "no stable scenario in this gate run: the control is only checked against the noise floor")
		}
		capped := false
		for _, s := range m.Runs {
			capped = capped || s.Outcome == results.OutcomeRSSCap
		}
		medians := map[metric.Metric]float64{}
		var descs []string
		for _, met := range metric.LeakSignals() {
			st := m.stat(met)
			if st.N() == 0 {
				continue
			}
			medians[met] = st.Median
			desc := fmt.Sprintf("%s %s", met, met.Format(st.Median))
			if _, ok := stableMax[met]; ok {
				desc += fmt.Sprintf(" vs %s in %s", met.Format(stableMax[met]), strings.Join(stableNames, ", "))
			}
			descs = append(descs, desc)
		}
		switch {
		case rule.Seen(medians, stableMax):
			sr.Checks = append(sr.Checks, Check{Name: "leak control", Verdict: Pass, Message: "leaks as expected: " + strings.Join(descs, "; ")})
		case capped:
			sr.Checks = append(sr.Checks, Check{Name: "leak control", Verdict: Pass, Message: "leaks as expected: hit its RSS cap"})
		default:
			sr.Checks = append(sr.Checks, Check{Name: "leak control", Verdict: Regression,
				Message: fmt.Sprintf("the leaky control %s no longer leaks: the harness cannot see leaks, so a pass would mean nothing (%s; needs settled %s above zero and the stable scenarios, or retained %s and slope %s above them)",
					m.Scenario, strings.Join(descs, "; "), metric.Settled.Format(rule.Memory), metric.Retained.Format(rule.Memory), metric.Slope.Format(rule.Slope))})
		}
	}
}

// envWarnings says where the baseline and the current runs were measured
// differently. The host name is not compared: CI runners change every run.
func envWarnings(base, now results.Env) []string {
	var w []string
	diff := func(what, b, n string) {
		if b != n && b != "" && n != "" {
			w = append(w, fmt.Sprintf("%s differs from the baseline's: %s now, %s in the baseline", what, n, b))
		}
	}
	diff("Go version", base.GoVersion, now.GoVersion)
	diff("wazero version", base.WazeroVersion, now.WazeroVersion)
	diff("platform", base.GOOS+"/"+base.GOARCH, now.GOOS+"/"+now.GOARCH)
	if base.CPUs != now.CPUs && base.CPUs != 0 && now.CPUs != 0 {
		diff("CPU count", fmt.Sprint(base.CPUs), fmt.Sprint(now.CPUs))
	}
	diff("GOGC", base.GOGC, now.GOGC)
	diff("GOMEMLIMIT", base.GOMEMLIMIT, now.GOMEMLIMIT)
	return w
}

// updateCommand is the hint's command that rewrites the baseline.
func (c Config) updateCommand() string {
	if c.UpdateCommand == "" {
		return "bench gate --update-baseline"
	}
	return c.UpdateCommand
}

// missingMessage says that the scenario is missing from the baseline.
func missingMessage(base *Baseline, name string, cfg Config) string {
	return fmt.Sprintf("scenario %s is missing from %s (it has %s): add it with `%s`",
		name, cfg.BaselineName, strings.Join(base.Names(), ", "), cfg.updateCommand())
}

// shapeMessage says that the scenario runs another shape than the
// baseline measured.
func shapeMessage(diffs []string, cfg Config) string {
	return fmt.Sprintf("the scenario no longer runs what %s measured (%s): update the baseline with `%s`",
		cfg.BaselineName, strings.Join(diffs, "; "), cfg.updateCommand())
}

// Refuse reports, before any run, why the baseline can't judge a
// scenario that will run as planned (its requests per run may be 0, not
// yet known): it is missing from the baseline, or it runs another
// expectation, workload, strategy or number of rounds. cfg names the
// baseline and the command that updates it. nil: usable.
func (b *Baseline) Refuse(name string, planned ScenarioBaseline, cfg Config) error {
	if cfg.BaselineName == "" {
		cfg.BaselineName = "the baseline"
	}
	sb, ok := b.Scenarios[name]
	if !ok {
		return fmt.Errorf("%w: %s", ErrBaseline, missingMessage(b, name, cfg))
	}
	if diffs := shapeDiffs(sb, planned); len(diffs) > 0 {
		return fmt.Errorf("%w: scenario %s: %s", ErrBaseline, name, shapeMessage(diffs, cfg))
	}
	return nil
}

// shapeDiffs lists what a scenario runs now differently from its
// baseline: expectation, workload, strategy, rounds, requests per run
// (not compared when now.Requests is 0: not known before the runs).
func shapeDiffs(sb, now ScenarioBaseline) []string {
	var d []string
	if sb.Expect != now.Expect {
		d = append(d, fmt.Sprintf("expect %s now, %s in the baseline", now.Expect, sb.Expect))
	}
	if sb.Workload != now.Workload {
		d = append(d, fmt.Sprintf("workload %q now, %q in the baseline", now.Workload, sb.Workload))
	}
	if !sb.Strategy.Same(now.Strategy) {
		d = append(d, fmt.Sprintf("strategy %q now, %q in the baseline", now.Strategy.String(), sb.Strategy.String()))
	}
	if sb.Rounds != now.Rounds {
		d = append(d, fmt.Sprintf("%d rounds now, %d in the baseline", now.Rounds, sb.Rounds))
	}
	if now.Requests != 0 && now.Requests != sb.Requests {
		d = append(d, fmt.Sprintf("%d requests per run now, %d in the baseline", now.Requests, sb.Requests))
	}
	return d
}

// runWarnings collects the runs' own warnings, once each, and notes
// failed requests.
func runWarnings(runs []results.Summary) []string {
	var w []string
	seen := map[string]bool{}
	for i, s := range runs {
		for _, msg := range s.Warnings {
			if !seen[msg] {
				seen[msg] = true
				w = append(w, "run: "+msg)
			}
		}
		if s.Errors > 0 {
			w = append(w, fmt.Sprintf("run %d: %d of %d requests failed", i+1, s.Errors, s.Requests))
		}
	}
	return w
}

// outcomeText describes a run's end: "crashed (exit 2: out of memory)".
func outcomeText(s results.Summary) string {
	txt := string(s.Outcome)
	if txt == "" {
		txt = "without an outcome"
	}
	var detail []string
	if s.ExitCode != 0 {
		detail = append(detail, fmt.Sprintf("exit %d", s.ExitCode))
	}
	if s.Signal != "" {
		detail = append(detail, "signal "+s.Signal)
	}
	if s.Error != "" {
		detail = append(detail, s.Error)
	}
	if len(detail) > 0 {
		txt += " (" + strings.Join(detail, ": ") + ")"
	}
	return txt
}

// countCompleted counts the runs that completed.
func countCompleted(runs []results.Summary) int {
	n := 0
	for _, s := range runs {
		if s.Outcome == results.OutcomeCompleted {
			n++
		}
	}
	return n
}

// pct renders a relative change as "+12.3%", or as a factor ("×19")
// from +1000% on; "n/a" when undefined.
func pct(c float64) string {
	switch {
	case !finite(c):
		return "n/a"
	case c >= 9.995:
		return fmt.Sprintf("×%.0f", c+1)
	}
	return fmt.Sprintf("%+.1f%%", 100*c)
}
