// Package leakbench is the root of the leakbench module: a memory-leak
// benchmark for WebAssembly image codecs under wazero. The commands live in
// cmd/bench; this package only embeds the workload definitions of
// testdata/workloads, which internal/workload reads.
package leakbench

import "embed"

// Workloads holds the workload definitions, testdata/workloads/*.yaml:
// seeds, image sizes and request-list parameters. The images themselves
// are generated from them on first use and cached outside the repository.
//
//go:embed testdata/workloads/*.yaml
var Workloads embed.FS
