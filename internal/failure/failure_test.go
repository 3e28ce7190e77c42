package failure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/results"
)

func TestClassify(t *testing.T) {
	_, readErr := os.ReadFile(filepath.Join(t.TempDir(), "missing.png"))
	// A guest out of memory may wrap both ErrOutOfMemory and ErrLimit, as
	// the codecs' errors do.
	oom := fmt.Errorf("decode: %w", errors.Join(target.ErrOutOfMemory, target.ErrLimit))
	tests := []struct {
		name string
		err  error
		want results.ErrorClass
	}{
		{"nil", nil, ""},
		{"corrupt", fmt.Errorf("engine: request 3: decode: %w: bad CRC", target.ErrCorrupt), results.ClassCorrupt},
		{"limit", fmt.Errorf("%w: decode: input is 2 GiB", target.ErrLimit), results.ClassLimit},
		{"out of memory before limit", oom, results.ClassOutOfMemory},
		{"invalid", fmt.Errorf("%w: width -1", target.ErrInvalid), results.ClassInvalid},
		{"trap", fmt.Errorf("%w: unreachable", target.ErrTrap), results.ClassTrap},
		{"deadline before trap", errors.Join(target.ErrTrap, context.DeadlineExceeded), results.ClassTimeout},
		{"canceled", fmt.Errorf("waiting for a worker: %w", context.Canceled), results.ClassCanceled},
		{"unreadable file", readErr, results.ClassUnreadable},
		{"permission", fmt.Errorf("open: %w", fs.ErrPermission), results.ClassUnreadable},
		{"other", errors.New("the target said no"), results.ClassOther},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("%s: Classify(%v) = %q, want %q", tt.name, tt.err, got, tt.want)
		}
	}
}
