// Package metric is leakbench's vocabulary of measured figures: which
// figures of a run's results.Summary have names (Metric), in what unit
// each is (Unit), how its values and sizes are written and read, what a
// scenario expects of a run (Expect), the absolute limits a scenario sets
// on a figure (Limit, parsed once by ParseLimit into a typed comparison),
// the noise floor of memory figures (NoiseFloor) and the rule by which a
// leaky control is seen to leak (LeakRule).
//
// One figure has one name and one unit everywhere: memory in bytes, the
// leak slope in bytes per round (results.Slope keeps MiB per round on
// disk; Metric.Value converts), counts as counts, throughput in requests
// per second. Names are matched loosely (case, "-" for "_") and the
// spellings older files use stay parseable: "instances_peak" (scenario
// limits) and "instances" (baselines) are the same figure.
//
// The package owns definitions only. It runs nothing and judges no
// baseline: internal/scenario reads limits and expectations from files,
// internal/gate compares figures with a baseline under its thresholds,
// cmd/bench checks single runs, and internal/report draws them.
package metric
