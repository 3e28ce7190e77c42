//go:build linux

package backingstore

import "golang.org/x/sys/unix"

const supported = true

func pageSize() uint64 { return uint64(unix.Getpagesize()) }

// reserve maps n bytes of address space without access and without commit
// charge (V8's AllocatePages with PageAllocator::kNoAccess).
func reserve(n int) ([]byte, error) {
	return unix.Mmap(-1, 0, n, unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
}

// commit makes b read-write (V8's SetPermissions(kReadWrite)).
func commit(b []byte) error { return unix.Mprotect(b, unix.PROT_READ|unix.PROT_WRITE) }

// unmap returns a reservation to the OS (V8's FreePages).
func unmap(region []byte) error { return unix.Munmap(region) }
