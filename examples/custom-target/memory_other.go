//go:build !unix

package main

import "github.com/tetratelabs/wazero/experimental"

// mmapAllocator is a Go-slice allocator where there is no mmap: closed
// instances' memory then leaves the RSS only after a GC.
type mmapAllocator struct{}

// Allocate returns a Go slice.
func (mmapAllocator) Allocate(cap, max uint64) experimental.LinearMemory { return &sliceMemory{} }
