package failure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/leakbench/leakbench/internal/codecs"
	"github.com/leakbench/leakbench/internal/results"
)

func TestClassify(t *testing.T) {
	_, readErr := os.ReadFile(filepath.Join(t.TempDir(), "missing.png"))
	// A guest out of memory wraps both ErrOutOfMemory and ErrLimit, as
	// codecs' errors do (errors.go).
	oom := fmt.Errorf("codecs: decode: %w", errors.Join(codecs.ErrOutOfMemory, codecs.ErrLimit))
	tests := []struct {
		name string
		err  error
		want results.ErrorClass
	}{
		{"nil", nil, ""},
		{"corrupt", fmt.Errorf("engine: request 3: decode: %w: bad CRC", codecs.ErrCorrupt), results.ClassCorrupt},
		{"limit", fmt.Errorf("%w: decode: input is 2 GiB", codecs.ErrLimit), results.ClassLimit},
		{"out of memory before limit", oom, results.ClassOutOfMemory},
		{"invalid", fmt.Errorf("%w: width -1", codecs.ErrInvalid), results.ClassInvalid},
		{"trap", fmt.Errorf("%w: unreachable", codecs.ErrTrap), results.ClassTrap},
		{"deadline before trap", errors.Join(codecs.ErrTrap, context.DeadlineExceeded), results.ClassTimeout},
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
