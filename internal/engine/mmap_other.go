//go:build !linux

package engine

import "github.com/tetratelabs/wazero/experimental"

// mmapSupported reports whether allocator mmap exists on this platform:
// Strategy.Validate refuses it elsewhere.
const mmapSupported = false

// Allocate is never called off Linux (Validate refuses allocator mmap);
// it returns a memory that cannot grow, so instantiation fails.
func (a *mmapAllocator) Allocate(_, _ uint64) experimental.LinearMemory { return noMemory{} }

// noMemory is a linear memory that cannot be allocated.
type noMemory struct{}

func (noMemory) Reallocate(uint64) []byte { return nil }
func (noMemory) Free()                    {}
