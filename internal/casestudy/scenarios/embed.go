// Package scenarios holds the scenario files that ship with leakbench:
// the four published stages of the Next.js image-optimizer fix (before,
// fix1, fix1+2, fixed) and the quick variants the CI gate runs. It is
// data only; internal/scenario parses it.
package scenarios

import "embed"

// FS holds every *.yaml file of this directory.
//
//go:embed *.yaml
var FS embed.FS
