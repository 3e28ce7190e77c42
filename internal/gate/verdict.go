package gate

// Verdict is the outcome of the gate, of one scenario or of one metric.
// Verdicts are ordered: a worse verdict is a larger value.
type Verdict uint8

// The verdicts, from best to worst.
const (
	Pass       Verdict = iota // within thresholds and limits
	Regression                // a measured regression: exit 1
	Error                     // the gate could not judge: exit 2
)

// Exit codes of `bench gate`, one per verdict.
const (
	ExitPass       = 0 // Pass
	ExitRegression = 1 // Regression, including a leaky control that no longer leaks
	ExitError      = 2 // Error: usage, bad baseline, crashed run
)

// String returns "pass", "regression" or "error".
func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case Regression:
		return "regression"
	case Error:
		return "error"
	}
	return "verdict(?)"
}

// ExitCode maps the verdict to the exit status of `bench gate`.
func (v Verdict) ExitCode() int {
	switch v {
	case Pass:
		return ExitPass
	case Regression:
		return ExitRegression
	}
	return ExitError
}

// worse returns the worse of two verdicts.
func worse(a, b Verdict) Verdict {
	if b > a {
		return b
	}
	return a
}
