package target

import "os"

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
func (r Request) Data() ([]byte, error) { return os.ReadFile(r.Source) }
