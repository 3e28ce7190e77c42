package main

// sliceMemory is linear memory in a Go slice: the fallback of
// mmapAllocator.
type sliceMemory struct{ buf []byte }

// Reallocate grows the slice to size bytes.
func (m *sliceMemory) Reallocate(size uint64) []byte {
	if n := uint64(len(m.buf)); size > n {
		m.buf = append(m.buf, make([]byte, size-n)...)
	}
	return m.buf[:size]
}

// Free drops the slice.
func (m *sliceMemory) Free() { m.buf = nil }
