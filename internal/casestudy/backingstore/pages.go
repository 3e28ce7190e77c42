package backingstore

import (
	"errors"
	"unsafe"
)

// Pages is a linear memory's address space outside the Go heap: a
// reservation without access and without commit charge, of which the
// first bytes of a window are made read-write in place, whole OS pages at
// a time, as the memory grows. Nothing is ever copied and the buffer
// never moves. It is the mechanism of both off-heap allocators: this
// package's Allocator (allocator v8), which unmaps the pages when their
// owner is collected, and engine's allocator mmap, which unmaps them at
// Close.
//
// The zero Pages is unmapped: it commits nothing. Pages is not
// goroutine-safe.
type Pages struct {
	region    []byte // the whole reservation; nil once unmapped (or never mapped)
	buf       []byte // region[offset:][:capacity]: what the memory may grow into
	committed uint64 // bytes of buf that are read-write, a multiple of the OS page
}

// ReservePages reserves size bytes of inaccessible address space (rounded
// up to the OS page; V8's AllocatePages with PageAllocator::kNoAccess), of
// which the memory may grow into the capacity bytes from offset. It fails
// where mmap is not implemented (Supported is false) and when the kernel
// refuses the reservation.
func ReservePages(size, offset, capacity uint64) (Pages, error) {
	page := pageSize()
	size = (size + page - 1) &^ (page - 1)
	if size == 0 || offset+capacity > size || size > uint64(maxInt) {
		return Pages{}, errBadReservation
	}
	region, err := reserve(int(size))
	if err != nil {
		return Pages{}, err
	}
	return Pages{region: region, buf: region[offset : offset+capacity]}, nil
}

var errBadReservation = errors.New("backingstore: a reservation of no pages, or a window past its end")

// maxInt is the largest reservation the mapping call can be asked for.
const maxInt = int(^uint(0) >> 1)

// Commit makes the window read-write up to size bytes, rounded up to the
// OS page (V8's SetPermissions(kReadWrite)), and returns how many bytes
// that added. ok is false past the window, once unmapped, or when the
// kernel refuses.
func (p *Pages) Commit(size uint64) (added uint64, ok bool) {
	if p.region == nil || size > uint64(len(p.buf)) {
		return 0, false
	}
	page := pageSize()
	want := (size + page - 1) &^ (page - 1)
	if want <= p.committed {
		return 0, true
	}
	if err := commit(p.buf[p.committed:want]); err != nil {
		return 0, false
	}
	added, p.committed = want-p.committed, want
	return added, true
}

// Bytes returns the first size bytes of the window, with capacity size
// (the bytes beyond may not be committed). size must be at most what
// Commit was last asked for.
func (p *Pages) Bytes(size uint64) []byte { return p.buf[:size:size] }

// Committed returns the bytes of the window that are read-write.
func (p *Pages) Committed() uint64 { return p.committed }

// Mapped reports whether the reservation is still mapped.
func (p *Pages) Mapped() bool { return p.region != nil }

// Reserved returns the size of the reservation, 0 once unmapped.
func (p *Pages) Reserved() uint64 { return uint64(len(p.region)) }

// Addr returns the window's address, whatever it has committed.
func (p *Pages) Addr() uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(p.buf))) }

// Unmap returns the whole reservation to the OS (V8's FreePages), without
// a collection, and returns the bytes that were committed. Idempotent.
func (p *Pages) Unmap() (committed uint64) {
	if p.region == nil {
		return 0
	}
	// munmap of a region we mapped fails only on a bad address: there is
	// nothing better to do than forget it.
	_ = unmap(p.region)
	committed = p.committed
	*p = Pages{}
	return committed
}
