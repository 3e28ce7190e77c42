package codecs

import (
	"testing"

	"github.com/leakbench/leakbench/internal/workload"
)

// TestDefaultMaxInputBytes_IsTheWorkloads: the workload refuses a source
// over its input limit before any child starts, in place of the decode
// that would refuse it with this package's default limit. The two must
// agree: a lower workload limit would refuse files the codecs take, a
// higher one would send the child files it reads whole only to fail.
func TestDefaultMaxInputBytes_IsTheWorkloads(t *testing.T) {
	if DefaultMaxInputBytes != workload.MaxSourceBytes {
		t.Errorf("codecs.DefaultMaxInputBytes = %d, workload.MaxSourceBytes = %d: want them equal", DefaultMaxInputBytes, workload.MaxSourceBytes)
	}
}
