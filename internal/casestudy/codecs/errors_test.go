package codecs

import (
	"errors"
	"fmt"
	"testing"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/failure"
	"github.com/leakbench/leakbench/internal/results"
)

// TestErrors_AreTheHarnessClasses: each sentinel that names a failure
// class is that class for errors.Is and for failure.Classify, through a
// wrapped error as the codecs return them, and keeps its own text.
func TestErrors_AreTheHarnessClasses(t *testing.T) {
	tests := []struct {
		err   error
		class error
		want  results.ErrorClass
		text  string
	}{
		{ErrCorrupt, target.ErrCorrupt, results.ClassCorrupt, "codecs: corrupt or unsupported input"},
		{ErrLimit, target.ErrLimit, results.ClassLimit, "codecs: limit exceeded"},
		{ErrOutOfMemory, target.ErrOutOfMemory, results.ClassOutOfMemory, "codecs: out of memory"},
		{ErrTrap, target.ErrTrap, results.ClassTrap, "codecs: wasm trap"},
		{ErrInvalid, target.ErrInvalid, results.ClassInvalid, "codecs: invalid argument"},
	}
	for _, tt := range tests {
		wrapped := fmt.Errorf("decode: %w: at byte 12", tt.err)
		if got := wrapped.Error(); got != "decode: "+tt.text+": at byte 12" {
			t.Errorf("text %q, want the codecs' own %q inside", got, tt.text)
		}
		if !errors.Is(wrapped, tt.err) || !errors.Is(wrapped, tt.class) {
			t.Errorf("%q: errors.Is its sentinel %v, its class %v: want both", wrapped, errors.Is(wrapped, tt.err), errors.Is(wrapped, tt.class))
		}
		if got := failure.Classify(wrapped); got != tt.want {
			t.Errorf("Classify(%q) = %q, want %q", wrapped, got, tt.want)
		}
	}
	// A guest out of memory is both, and classed out-of-memory first.
	oom := alsoIs(fmt.Errorf("%w: malloc(1 GiB)", ErrOutOfMemory), ErrLimit)
	if got := failure.Classify(oom); got != results.ClassOutOfMemory || !errors.Is(oom, target.ErrLimit) {
		t.Errorf("Classify(%q) = %q (is limit: %v), want out-of-memory that is also a limit", oom, got, errors.Is(oom, target.ErrLimit))
	}
	// The sentinels of no class stay out of every class.
	for _, err := range []error{ErrClosed, ErrWrongOp, ErrBadModule} {
		if got := failure.Classify(err); got != results.ClassOther {
			t.Errorf("Classify(%q) = %q, want other", err, got)
		}
	}
}
