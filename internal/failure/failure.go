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

	"github.com/leakbench/leakbench/harness/target"
	"github.com/leakbench/leakbench/internal/results"
)

// Classify returns the class of err, or "" for nil. The first match wins,
// most specific first: a guest out of memory also wraps target.ErrLimit
// and is ClassOutOfMemory; a deadline that closed an instance is
// ClassTimeout, not ClassTrap.
func Classify(err error) results.ErrorClass {
	if err == nil {
		return ""
	}
	for _, c := range [...]struct {
		sentinel error
		class    results.ErrorClass
	}{
		{target.ErrOutOfMemory, results.ClassOutOfMemory},
		{target.ErrLimit, results.ClassLimit},
		{target.ErrCorrupt, results.ClassCorrupt},
		{context.DeadlineExceeded, results.ClassTimeout},
		{context.Canceled, results.ClassCanceled},
		{target.ErrTrap, results.ClassTrap},
		{target.ErrInvalid, results.ClassInvalid},
	} {
		if errors.Is(err, c.sentinel) {
			return c.class
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return results.ClassUnreadable
	}
	return results.ClassOther
}
