// Package atomicfile replaces a file whole or not at all: its content is
// written to a temporary file beside it, which is renamed over it, so
// that a reader (or a process killed mid-write) sees the old file or the
// new one, never a part. It does not fsync: after a crash of the machine
// (not of the process) the file may be empty, which every user tolerates
// by checking what it reads (the caches against their records, the
// results and the baseline as corrupt files). The results' summary, samples and profiles, the
// workload cache, the gate's baseline and the library targets' source
// cache are written through it.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write writes path with fill through a temporary file in path's
// directory (mode 0644), renamed over path once fill and the close have
// succeeded; on any error the temporary file is removed and path is left
// as it was.
func Write(path string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	err = f.Chmod(0o644)
	if err == nil {
		err = fill(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// WriteBytes is Write with data as the content.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error { _, err := w.Write(data); return err })
}
