//go:build linux

package engine

import (
	"math"

	"github.com/tetratelabs/wazero/experimental"
	"golang.org/x/sys/unix"
)

// mmapSupported reports whether allocator mmap exists on this platform.
const mmapSupported = true

// Allocate implements experimental.MemoryAllocator: it reserves max bytes
// (rounded up to the OS page) of inaccessible address space. wazero's
// capacity hint is ignored: pages are committed only as Reallocate asks.
// When the reservation fails, the memory it returns cannot grow, and
// wazero's instantiation fails (codecs reports it as an error).
func (a *mmapAllocator) Allocate(_, max uint64) experimental.LinearMemory {
	page := uint64(unix.Getpagesize())
	reserve := (max + page - 1) &^ (page - 1)
	if reserve == 0 || reserve > math.MaxInt {
		return &mmapMemory{}
	}
	// MAP_NORESERVE and PROT_NONE: address space only, no commit charge.
	buf, err := unix.Mmap(-1, 0, int(reserve), unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return &mmapMemory{}
	}
	return &mmapMemory{a: a, buf: buf, page: page}
}

// mmapMemory is one linear memory of an mmapAllocator. wazero calls its
// methods from the goroutine running or closing the instance, one at a
// time.
type mmapMemory struct {
	a         *mmapAllocator
	buf       []byte // the whole reservation, as unix.Mmap returned it; nil once freed (or never mapped)
	committed uint64 // bytes of buf that are read-write, a multiple of page
	page      uint64
}

// Reallocate implements experimental.LinearMemory: it commits the pages
// up to size and returns the first size bytes, with capacity size (the
// bytes beyond are not committed). It returns nil, which wazero treats as
// a failed grow, past the reservation or when mprotect fails.
func (m *mmapMemory) Reallocate(size uint64) []byte {
	if m.buf == nil || size > uint64(len(m.buf)) {
		return nil
	}
	if want := (size + m.page - 1) &^ (m.page - 1); want > m.committed {
		if err := unix.Mprotect(m.buf[m.committed:want], unix.PROT_READ|unix.PROT_WRITE); err != nil {
			return nil
		}
		m.a.committed.Add(int64(want - m.committed))
		m.committed = want
	}
	return m.buf[:size:size]
}

// Free implements experimental.LinearMemory: it unmaps the reservation,
// which returns its pages to the OS at once, without a GC. It is
// idempotent.
func (m *mmapMemory) Free() {
	if m.buf == nil {
		return
	}
	// munmap of a mapping we made fails only on a bad address: there is
	// nothing better to do than forget it.
	_ = unix.Munmap(m.buf)
	m.a.committed.Add(-int64(m.committed))
	m.buf, m.committed = nil, 0
}
