// Package failure names why a request failed: Classify maps an error's
// errors.Is chain to a results.ErrorClass, so that the summary of a run
// tells corrupt input from input over a limit, a guest out of memory, a
// trap, a deadline and an unreadable file.
//
// It owns that one rule. The classes are results' (the data model); the
// sentinels are their owners': package target's (ErrCorrupt, ErrLimit,
// ErrOutOfMemory, ErrInvalid, ErrTrap), which a target wraps, or wraps
// in sentinels of its own (the codecs' do), context's and io/fs'. The child
// (package driver) classifies each failed request with it, and the parent
// (package runner) each source rejected when the workload is loaded.
package failure

import (
	"context"
	"errors"
	"io/fs"

	"github.com/leakbench/leakbench/internal/results"
	"github.com/leakbench/leakbench/internal/target"
)

// Classify returns the class of err, or "" for nil. The first match wins,
// most specific first: a guest out of memory also wraps target.ErrLimit
// and is ClassOutOfMemory; a deadline that closed an instance is
// ClassTimeout, not ClassTrap.
func Classify(err error) results.ErrorClass {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, target.ErrOutOfMemory):
		return results.ClassOutOfMemory
	case errors.Is(err, target.ErrLimit):
		return results.ClassLimit
	case errors.Is(err, target.ErrCorrupt):
		return results.ClassCorrupt
	case errors.Is(err, context.DeadlineExceeded):
		return results.ClassTimeout
	case errors.Is(err, context.Canceled):
		return results.ClassCanceled
	case errors.Is(err, target.ErrTrap):
		return results.ClassTrap
	case errors.Is(err, target.ErrInvalid):
		return results.ClassInvalid
	}
	var pe *fs.PathError
	if errors.As(err, &pe) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return results.ClassUnreadable
	}
	return results.ClassOther
}
