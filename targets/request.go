package targets

// Request is one image request of the workload, with the fields of the
// draft harness.Request (issue 13). It stands in for that type until the
// harness package lands; then this file becomes
//
//	type Request = harness.Request
//
// and nothing else changes: the targets read only these fields.
type Request struct {
	ID      int    // from 1
	Round   int    // from 1
	Source  string // path of the source image file (a workload PNG or JPEG)
	Width   int    // target width, pixels
	Format  string // output format: "png", "jpeg" or "webp"
	Quality int    // 1..100; 0 means DefaultQuality
	Rotate  int    // 0, 90, 180 or 270
}
