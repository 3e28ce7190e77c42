package casestudy

import (
	"github.com/leakbench/leakbench/internal/casestudy/builtin"
	"github.com/leakbench/leakbench/internal/scenario"
)

// opts returns the builtin target's settings of sc (the zero Options for
// a scenario of another target).
func opts(sc scenario.Scenario) builtin.Options {
	o, _ := sc.Settings.(builtin.Options)
	return o
}

// canLeak reports whether sc's settings can retain memory (the rule
// expect: leak relies on).
func canLeak(sc scenario.Scenario) bool {
	ok, _ := opts(sc).CanLeak()
	return ok
}
