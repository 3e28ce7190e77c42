package targets

import "github.com/leakbench/leakbench/harness/target"

// Request is one image request of the workload: the harness's request.
// The targets read its Source, Width, Format, Quality (0 means
// DefaultQuality) and Rotate.
type Request = target.Request
