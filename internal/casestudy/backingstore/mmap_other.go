//go:build !linux

package backingstore

import "errors"

const supported = false

var errUnsupported = errors.New("backingstore: not implemented on this platform")

func pageSize() uint64            { return 4096 }
func reserve(int) ([]byte, error) { return nil, errUnsupported }
func commit([]byte) error         { return errUnsupported }
func unmap([]byte) error          { return errUnsupported }
