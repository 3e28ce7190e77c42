//go:build unix

package main

import (
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// mmapAllocator backs each instance's linear memory with its own
// anonymous mapping instead of a Go slice, through wazero's experimental
// MemoryAllocator. Closing the instance unmaps it, so its pages leave the
// RSS at once: a Go slice would stay in the RSS until a GC found it dead
// and the scavenger returned it, which would blur the schedule this
// example exists to make checkable.
type mmapAllocator struct{}

// Allocate reserves max bytes of address space; pages are backed only
// when written. It falls back to a Go slice when the mapping fails.
func (mmapAllocator) Allocate(cap, max uint64) experimental.LinearMemory {
	if max == 0 {
		return &sliceMemory{}
	}
	b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return &sliceMemory{}
	}
	return &mmapMemory{buf: b}
}

// mmapMemory is one instance's mapping.
type mmapMemory struct{ buf []byte }

// Reallocate returns the first size bytes of the mapping; nil past its
// end, which memory.grow reports as -1.
func (m *mmapMemory) Reallocate(size uint64) []byte {
	if size > uint64(len(m.buf)) {
		return nil
	}
	return m.buf[:size]
}

// Free unmaps the memory; wazero calls it when the instance is closed.
func (m *mmapMemory) Free() {
	if m.buf != nil {
		syscall.Munmap(m.buf)
		m.buf = nil
	}
}
