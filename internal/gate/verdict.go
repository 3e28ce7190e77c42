package gate

import "github.com/leakbench/leakbench/internal/enum"

// Verdict is the outcome of the gate, of one scenario or of one metric.
// Verdicts are ordered: a worse verdict is a larger value. cmd/bench maps
// them to its exit statuses 0, 1 and 2.
type Verdict uint8

// The verdicts, from best to worst.
const (
	Pass       Verdict = iota // within thresholds and limits
	Regression                // a measured regression, including a leaky control that no longer leaks
	Error                     // the gate could not judge: bad baseline, crashed run
)

var verdicts = enum.New[Verdict]("verdict", "pass", "regression", "error")

// String returns "pass", "regression" or "error".
func (v Verdict) String() string { return verdicts.String(v) }

// worse returns the worse of two verdicts.
func worse(a, b Verdict) Verdict {
	if b > a {
		return b
	}
	return a
}
