package target

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Request is one image request of the workload: the child sends each to
// Target.Do. Rounds repeat the workload's request list; ID counts every
// request of the run.
type Request struct {
	ID     int    // from 1, unique in the run
	Round  int    // from 1
	Source string // path of the source image file (PNG or JPEG), verified when the workload was loaded
	Size   int64  // bytes of the source file
	Width  int    // target width in pixels; the image is resized only when it is wider
	Format string // output format: "png", "jpeg" or "webp"
	// Quality is the JPEG or WebP quality, 1-100, or for PNG the zlib
	// level, 0-9, as the workload gives it.
	Quality int
	Rotate  int // clockwise degrees: 0, 90, 180 or 270
}

// Data reads the source file. The child does not read it for the target:
// like the original optimizer, which fetched each source per request, a
// target reads it per request (or not at all), so sources held by the
// harness never count in the target's memory.
//
// With Size set (the child always sets it, to the size the parent checked
// against the input limit) Data reads no more than Size bytes: a file that
// has grown since is an error, not a read of whatever it now holds.
func (r Request) Data() ([]byte, error) {
	if r.Size <= 0 {
		return os.ReadFile(r.Source)
	}
	f, err := os.Open(r.Source)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, r.Size)
	if _, err := io.ReadFull(f, buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			err = fmt.Errorf("source %s is shorter than the %d bytes checked when the workload was loaded", r.Source, r.Size)
		}
		return nil, err
	}
	if n, _ := f.Read(make([]byte, 1)); n > 0 {
		return nil, fmt.Errorf("source %s has grown past the %d bytes checked when the workload was loaded", r.Source, r.Size)
	}
	return buf, nil
}
