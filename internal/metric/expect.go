package metric

import "github.com/leakbench/leakbench/internal/enum"

// Expect says what a scenario is for: what its runs are expected to show.
type Expect uint8

// The expectations a scenario can declare.
const (
	// ExpectStable is the normal case: memory stays within the limits and
	// the baseline.
	ExpectStable Expect = iota
	// ExpectLeak marks a leaky control: the harness must still see it
	// leak (LeakRule), or a pass would mean nothing.
	ExpectLeak
)

var expectations = enum.New[Expect]("expectation", "stable", "leak")

// ExpectNames returns the expectations' names, in order.
func ExpectNames() []string { return expectations.Names() }

// String returns "stable" or "leak".
func (e Expect) String() string { return expectations.String(e) }

// Valid reports whether e is ExpectStable or ExpectLeak.
func (e Expect) Valid() bool { return expectations.Valid(e) }

// MarshalText implements encoding.TextMarshaler; an undefined value is an
// error.
func (e Expect) MarshalText() ([]byte, error) { return expectations.Marshal(e) }

// UnmarshalText implements encoding.TextUnmarshaler: "stable" or "leak"; the
// error lists the allowed values.
func (e *Expect) UnmarshalText(b []byte) error { return expectations.Unmarshal(b, e) }
