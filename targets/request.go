package targets

import "github.com/leakbench/leakbench/harness"

// Request is one image request of the workload: the harness's request.
// The targets read its Source, Width, Format, Quality (0 means
// DefaultQuality) and Rotate.
type Request = harness.Request
