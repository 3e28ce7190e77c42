// Package gate is the logic of the CI memory-regression gate: it turns R
// runs per scenario (results.Summary) into medians, compares them with a
// committed baseline under per-metric thresholds and the scenarios' own
// absolute limits, checks that the leaky control still leaks, and renders
// the verdict as a text table, GitHub markdown and JUnit XML.
//
// The package owns the judgement and its files: Evaluate, the Thresholds
// it judges by, the baseline file (Baseline, Load, Write) and the three
// renderings of a Report; and the A/B gate's judgement of two builds
// measured side by side (EvaluateAB, ABPowers), which bench gate
// --base-bin renders. It measures nothing and starts no process:
// cmd/bench runs the scenarios, hands the summaries to Evaluate, applies
// the update policy and maps the verdict to its exit status. What a
// figure is called, its unit, how a limit is parsed and what "the control
// leaks" means are internal/metric's; the gate compares the figures
// metric.Gated marks and evaluates the scenarios' metric.Limit values as
// they are.
//
// # Verdicts and exit statuses of bench gate
//
//	Pass        0  every metric within its thresholds and limits
//	Regression  1  a metric worsened past BOTH its relative threshold and its
//	               absolute noise floor, broke a scenario limit, a stable run
//	               hit its RSS cap, or the leaky control stopped leaking
//	Error       2  the gate could not judge: no or bad baseline, a scenario
//	               missing from it, a baseline that measured another workload,
//	               strategy, round or request count (update it), a run that
//	               crashed or produced nothing
//
// A regression only counts when both thresholds are exceeded: the relative
// one keeps big numbers honest, the absolute floor keeps small numbers
// (a retained figure near zero, a slope of 0.1 MiB/round) from failing on
// noise. Breaches of advisory metrics (throughput by default, and every
// comparison of a scenario expected to leak) are warnings, not failures.
// DefaultThresholds documents the measured run-to-run spread the defaults
// are set against.
//
// # Calibration
//
// A scenario whose baseline entry has a Calibration (bench gate
// --calibrate: CalibrateNoise, then Calibration.MeasurePower) is judged
// by its own thresholds for the memory metrics (CalibratedMetrics),
// absolute only, chosen from resampled unchanged runs for a gate-wide
// false-alarm target; the defaults judge a scenario never calibrated.
// The reports say per scenario what the gate can see (ScenarioReport.Sees)
// and whether an injected leak is within that power; Trials judges every
// choice of k of a gate's runs, to check both on fresh runs.
//
// # The leaky control
//
// A scenario with Expect = metric.ExpectLeak is a control: the harness
// must still see its leak by metric.LeakRule, in RSS-derived figures
// (settled, or retained and slope together, clearly above the noise floor
// and above every stable scenario of the same gate run, taken at its
// baseline medians when the baseline has them). If it doesn't, the verdict is Regression (exit 1) with the message
// "the leaky control <name> no longer leaks: ...": a pass would mean
// nothing.
//
// # Medians
//
// Every metric is the median of the R runs by the harness's one median
// rule, compare.Median (benchmath's, as benchstat and bench compare show
// it: the middle value for odd R, the mean of the two middle values for
// even R); the spread (min, max and (max-min)/|median|) is reported beside
// it and a wide spread is a warning. A baseline's medians are those of its
// values by the same rule, whatever wrote the file (Decode recomputes
// them), so a baseline and this gate's runs are always judged alike. The
// rule is the same for the gate and for bench compare and the A/B gate,
// which need benchmath's median for its interval and test: the gate judges
// a median against thresholds and never needs it to be a value some run
// produced; where a run must stand for it (profiles, plots), the run
// nearest it stands (compare.MedianIndex).
package gate
